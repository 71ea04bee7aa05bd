/**
 * "Near me" on the page: the toolbar's button asks the browser where the user is (Geolocation
 * API) and the panel (a view of the sheet, sheet.js) lists the 5 nearest stops with their walking
 * distance and minutes on foot (nearMe.js: straight line × 1.3 at 4.8 km/h, said under the list)
 * and the routes that serve each, and under each its next buses at a glance (glanceLine.js, from
 * the `glance` frames the page asks for with the stops listed: `onListed`); the map centres
 * there with a marker. Choosing a stop opens all its next buses. Refused or unavailable: a
 * clear message, and the most used stops of the feed instead.
 *
 * The stops come from `GET /api/stops?limit=10000` (all of them, also kept by the service
 * worker for offline use), loaded once when first needed.
 */

import L from './leafletGlobal.js';
import {getJSON} from './api.js';
import {element, setShownText, setText, viewFrame} from './dom.js';
import {i18n as sharedI18n} from './i18n.js';
import {busiestStops, locateErrorKey, nearestStops, roundedDistance} from './nearMe.js';
import {glanceBuses, glances as sharedGlances} from './glance.js';
import {GlanceLine} from './glanceLine.js';

/** All the stops (the URL the service worker keeps too, bustrack/web/pwa.py's STOPS_ALL). */
const ALL_STOPS = '/api/stops?limit=10000';
/** The map's zoom on the user's place (stops are drawn from 15). */
const NEAR_ZOOM = 16;
const MAX_ROUTE_LABELS = 8;

/** The position from `geolocation` as `{lat, lon, accuracy}`; rejects with the error (null: no API). */
export function locate(geolocation, {timeoutMs = 15000} = {}) {
	return new Promise((resolve, reject) => {
		if (!geolocation?.getCurrentPosition) {
			reject(null);
			return;
		}
		geolocation.getCurrentPosition(
			(p) => resolve({lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy}),
			(error) => reject(error),
			{enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 60000},
		);
	});
}

let panels = 0;

export class NearPanel {
	/**
	 * @param {object} options
	 * @param {L.Map} options.map centred on the user's place
	 * @param {Function} options.onStop `(stop) => void`: open stop `{id, name, lat, lon}`'s next buses
	 * @param {Function} options.onClose `() => void`
	 * @param {Function} [options.routeLabel] `(routeId) => label`
	 * @param {Geolocation|null} [options.geolocation]
	 * @param {Function} [options.loadStops] `() => Promise<[{id, name, lat, lon, routes}]>`
	 * @param {import('./i18n.js').I18n} [options.i18n]
	 * @param {import('./glance.js').Glances} [options.glances] the next buses of the stops listed
	 * @param {Function} [options.onListed] `(ids) => void`: the stops listed now ([] once closed)
	 * @param {Function} [options.now] `() => ms`: the server's clock now (minutes to the buses)
	 */
	constructor({map, onStop, onClose, routeLabel = (id) => id, geolocation = globalThis.navigator?.geolocation ?? null,
		loadStops = () => getJSON(ALL_STOPS).then((a) => a.stops), i18n = sharedI18n, glances = sharedGlances,
		onListed = () => {}, now = Date.now}) {
		this._glances = glances;
		this._onListed = onListed;
		this._now = now;
		this._lines = new Map(); // stop id → its GlanceLine
		this._map = map;
		this._onStop = onStop;
		this._onClose = onClose;
		this._routeLabel = routeLabel;
		this._geolocation = geolocation;
		this._loadStops = loadStops;
		this._i18n = i18n;
		this._stops = null; // Promise of all the stops
		this._state = {mode: 'idle', message: null, stops: []};
		this._here = null;
		this._marker = null;
		this._request = 0;
		panels += 1;
		this._id = `near-panel-${panels}`;
		this._build();
		i18n.onChange(() => this._render());
		glances.onChange(() => this._showGlances());
	}

	_build() {
		const id = this._id;
		const {section, title, subtitle, close, scroll} =
			viewFrame('near-panel', id, () => this._onClose(), {subtitle: true});
		this.element = section;
		this._title = title;
		this._subtitle = subtitle;
		this._close = close;
		this._message = element('p', 'stop-panel__notice near-panel__message', {role: 'status'});
		this._message.hidden = true;
		this._list = element('ul', 'list-rows', {'aria-labelledby': `${id}-title`});
		this._note = element('p', 'list__note near-panel__note');
		scroll.append(this._message, this._list, this._note);
		this._list.addEventListener('click', (e) => {
			const button = e.target.closest('button[data-id]');
			const stop = button && this._state.stops.find((s) => s.id === button.dataset.id);
			if (stop) { this._onStop(stop); }
		});
		this.element.addEventListener('keydown', (e) => {
			if (e.key === 'Escape') {
				e.preventDefault();
				this._onClose();
			}
		});
	}

	// Public methods.

	/** The heading (focus it to bring a keyboard user into the panel). */
	get heading() {
		return this._title;
	}

	/** What is shown: `{mode: 'idle'|'locating'|'near'|'busiest', message, here, stops: [{id, name, walkM, minutes}]}`. */
	state() {
		return {mode: this._state.mode, message: this._state.message ? this._message.textContent : null,
			here: this._here, stops: this._state.stops.map((s) => ({id: s.id, name: s.name, walkM: s.walkM ?? null,
				minutes: s.minutes ?? null, text: this._list.querySelector(`[data-id="${CSS.escape(s.id)}"]`)
					?.textContent.replace(/\s+/g, ' ').trim() ?? '', buses: this._lines.get(s.id)?.texts() ?? []}))};
	}

	/** Ask where the user is and list the stops nearest (or the most used ones). */
	async find() {
		const request = ++this._request;
		this._state = {mode: 'locating', message: 'nearLocating', stops: []};
		this._render();
		this._stops ??= this._loadStops().catch((error) => {
			this._stops = null;
			throw error;
		});
		let here = null;
		let errorKey = null;
		try {
			here = await locate(this._geolocation);
		} catch (error) {
			errorKey = locateErrorKey(error);
		}
		let stops;
		try {
			stops = await this._stops;
		} catch (error) {
			console.warn('bustrack: could not load the stops:', error?.message);
			if (request === this._request) {
				this._state = {mode: 'busiest', message: 'nearStopsFailed', stops: []};
				this._render();
			}
			return;
		}
		if (request !== this._request) { return; }
		if (here) {
			this._here = here;
			this._state = {mode: 'near', message: null, stops: nearestStops(stops, here)};
			this._showHere(here);
		} else {
			this._state = {mode: 'busiest', message: errorKey, stops: busiestStops(stops)};
		}
		this._render();
	}

	/** Forget the marker, and stop asking for the stops' next buses (the panel was closed). */
	close() {
		this._request += 1;
		this._marker?.remove();
		this._marker = null;
		this._onListed([]);
		return this;
	}

	_showHere(here) {
		const latLng = [here.lat, here.lon];
		if (!this._marker) {
			this._marker = L.circleMarker(latLng, {radius: 9, weight: 3, color: '#fff', fillColor: '#1a73e8',
				fillOpacity: 1, className: 'near-me-marker', interactive: false});
		}
		this._marker.setLatLng(latLng).addTo(this._map);
		this._map.setView(latLng, Math.max(this._map.getZoom(), NEAR_ZOOM));
	}

	// Rendering.

	_render() {
		const t = (key, params) => this._i18n.t(key, params);
		const {mode, message, stops} = this._state;
		setText(this._title, t(mode === 'busiest' ? 'nearBusiestHeading' : 'nearHeading'));
		setShownText(this._subtitle, mode === 'near' ? t('nearSubtitle') : (mode === 'busiest' ? t('nearBusiestSubtitle') : ''));
		this._close.setAttribute('aria-label', t('nearClose'));
		this._close.title = t('nearClose');
		setShownText(this._message, message ? t(message) : '');
		this._message.setAttribute('role', mode === 'busiest' ? 'alert' : 'status');
		this._list.textContent = '';
		this._lines.clear();
		for (const stop of stops) { this._list.append(this._row(stop, mode)); }
		this._list.hidden = stops.length === 0;
		this._showGlances();
		this._onListed(stops.map((s) => s.id));
		setShownText(this._note, stops.length ? t(mode === 'near' ? 'nearWalkNote' : 'nearOpenNote') : '');
	}

	_row(stop, mode) {
		const t = (key, params) => this._i18n.t(key, params);
		const li = element('li', 'list-row');
		const button = element('button', 'list-row__button', {type: 'button'});
		button.dataset.id = stop.id;
		const icon = element('span', 'search__stop-icon', {'aria-hidden': 'true'});
		const text = element('span', 'list-row__text');
		const name = element('span', 'list-row__title');
		name.textContent = stop.name;
		text.append(name);
		if (mode === 'near') {
			const walk = element('span', 'list-row__meta near-panel__walk');
			const d = roundedDistance(stop.walkM);
			const distance = t(d.unit === 'm' ? 'nearMetres' : 'nearKm', {distance: this._i18n.number(d.value)});
			walk.textContent = t('nearWalk', {distance, count: stop.minutes});
			text.append(' ', walk);
		}
		const labels = (stop.routes ?? []).map((id) => this._routeLabel(id));
		if (labels.length) {
			const routes = element('span', 'list-row__meta');
			const shown = labels.slice(0, MAX_ROUTE_LABELS).join(', ');
			routes.textContent = t('nearRoutes', {routes: labels.length > MAX_ROUTE_LABELS ? `${shown} …` : shown});
			text.append(' ', routes);
		}
		const line = new GlanceLine(this._i18n);
		this._lines.set(stop.id, line);
		text.append(' ', line.element);
		button.append(icon, text);
		li.append(button);
		return li;
	}

	/** Bring each stop's next buses in line with the latest glance, in place. */
	_showGlances() {
		const now = this._now();
		for (const [id, line] of this._lines) {
			const buses = this._glances.get(id);
			line.show(buses === null ? null : glanceBuses(buses, now));
		}
	}
}
