/**
 * The popup of one stop: its name, an "Arrivals" button that opens its next buses (stopPanel.js),
 * and the routes that serve it, as chips one can press to show that route alone. One popup for
 * the whole stops layer, its content changed in place; its words follow the page's language.
 */

import L from './leafletGlobal.js';
import {clearOf} from './busPopup.js';
import {i18n as sharedI18n} from './i18n.js';
import {routeChip} from './routeChip.js';

export class StopPopup {
	/**
	 * @param {object} options
	 * @param {import('./routeIndex.js').RouteIndex} options.routes labels and colours of route ids
	 * @param {Function} [options.onRoute] `(routeId) => void`: a route chip was pressed
	 * @param {Function} [options.onArrivals] `(stop) => void`: "Arrivals" was pressed
	 * @param {import('./i18n.js').I18n} [options.i18n] the page's language
	 * @param {Function} [options.covers] `() => {left, top}`: what the page's own boxes cover of
	 *   the map (CSS px), kept clear when the popup pans into view
	 */
	constructor({routes, onRoute = () => {}, onArrivals = null, i18n = sharedI18n,
		covers = () => ({left: 0, top: 40})}) {
		this._routes = routes;
		this._onRoute = onRoute;
		this._onArrivals = onArrivals;
		this._i18n = i18n;
		this._covers = covers;
		this._id = null;
		this._stop = null;

		this._content = document.createElement('div');
		this._content.className = 'stop-popup';
		this._name = document.createElement('div');
		this._name.className = 'stop-popup__name';
		this._list = document.createElement('div');
		this._list.className = 'stop-popup__routes';
		this._list.setAttribute('role', 'group');
		this._arrivals = document.createElement('button');
		this._arrivals.type = 'button';
		this._arrivals.className = 'stop-popup__arrivals';
		this._arrivals.hidden = onArrivals === null;
		this._arrivals.addEventListener('click', () => {
			if (this._stop) { this._onArrivals(this._stop); }
		});
		// (The popup is at least minWidth wide: as narrow as the name, the chips would stack.)
		this._content.append(this._name, this._arrivals, this._list);
		this._list.addEventListener('click', (e) => {
			const chip = e.target.closest('[data-route-id]');
			if (chip) { this._onRoute(chip.dataset.routeId); }
		});

		this._popup = L.popup({offset: [0, -2], minWidth: 180, maxWidth: 280, autoPanPadding: [20, 60]})
			.setContent(this._content);
		this._popup.on('remove', () => {
			this._id = null;
			this._stop = null;
		});
		i18n.onChange(() => {
			if (this._stop) { this.refresh(this._stop); }
		});
	}

	/** The id of the stop whose popup is open, or null. */
	get stopId() {
		return this._id;
	}

	/** The Leaflet popup. */
	get popup() {
		return this._popup;
	}

	/**
	 * Open on `map` for `stop` (`{id, name, lat, lon, routes?}`; without `routes` they are
	 * said to be loading). `autoPan: false` when the map is already on its way there.
	 */
	open(map, stop, {autoPan = true} = {}) {
		this._id = stop.id;
		this.refresh(stop);
		this._popup.options.autoPan = autoPan;
		this._popup.options.autoPanPaddingTopLeft = clearOf(this._covers());
		this._popup.setLatLng([stop.lat, stop.lon]).openOn(map);
		this._popup.options.autoPan = true;
		return this;
	}

	/** Show `stop`'s (fuller) data if its popup is open. */
	refresh(stop) {
		if (stop.id !== this._id) { return this; }
		const t = (key, params) => this._i18n.t(key, params);
		this._stop = stop;
		this._name.textContent = stop.name;
		this._arrivals.textContent = t('stopArrivals');
		this._list.setAttribute('aria-label', t('stopRoutesLabel'));
		this._list.textContent = '';
		if (!Array.isArray(stop.routes)) {
			this._list.textContent = t('stopRoutesLoading');
		} else if (!stop.routes.length) {
			this._list.textContent = t('stopNoRoutes');
		} else {
			for (const route of this._routes.routesOf(stop.routes)) {
				const chip = routeChip(route, 'button');
				chip.dataset.routeId = route.id;
				chip.title = route.longName ? t('stopShowOnlyLong', {label: route.label, name: route.longName}) :
					t('stopShowOnly', {label: route.label});
				this._list.append(chip);
			}
		}
		if (this._popup.isOpen()) { this._popup.update(); }
		return this;
	}

	close() {
		this._popup.close();
		return this;
	}
}
