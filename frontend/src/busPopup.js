/**
 * The popup of one bus: route and headsign; once the server's details come (docs/protocol.md,
 * `vehicle`), its next stop and when it gets there, how late it runs and how fast it goes; how
 * old its data is ("updated 3 s ago", or "No signal: last report 2 min ago" for a bus gone
 * silent); and a "Follow" toggle that keeps the map centred on it. Kept current once a second
 * while open. One popup for the whole layer.
 *
 * Tells its listeners (`on(type, fn)`) which bus it shows (`vehicle`: `fn(id|null)`, so the page
 * can subscribe to its details) and which one to follow (`follow`: `fn(id|null)`). The layer
 * does the following (follow.js); the popup only holds the toggle.
 */

import {setShownText} from './dom.js';
import L from './leafletGlobal.js';
import {arrivalWhen, whenText} from './arrivals.js';
import {i18n as sharedI18n} from './i18n.js';

function element(tag, className, text = '') {
	const el = document.createElement(tag);
	el.className = className;
	if (text) { el.textContent = text; }
	return el;
}

/** Leaflet's `autoPanPaddingTopLeft` that keeps a popup clear of what covers the map. */
export function clearOf({left = 0, top = 0} = {}) {
	return [Math.max(20, left + 20), Math.max(20, top + 20)];
}

export class BusPopup {
	/**
	 * @param {Function} ageOf `(id) => ms`: how old vehicle `id`'s data is now, or null
	 * @param {object} [options]
	 * @param {import('./i18n.js').I18n} [options.i18n] the page's language
	 * @param {Function} [options.staleOf] `(id) => boolean`: bus `id` has gone silent for long
	 * @param {Function} [options.now] `() => ms`: the server's clock now (for the next stop's ETA)
	 * @param {Function} [options.timeOf] `(ms) => "HH:MM"|''`: a server time as a time of day
	 * @param {Function} [options.covers] `() => {left, top}`: what the page's own boxes cover of
	 *   the map (CSS px), kept clear when the popup pans into view
	 */
	constructor(ageOf, {i18n = sharedI18n, staleOf = () => false, now = Date.now, timeOf = () => '',
		covers = () => ({left: 0, top: 0})} = {}) {
		this._ageOf = ageOf;
		this._i18n = i18n;
		this._staleOf = staleOf;
		this._now = now;
		this._timeOf = timeOf;
		this._covers = covers;
		this._id = null;
		this._vehicle = null;
		this._details = null;
		this._following = false;
		this._timer = null;
		this._listeners = {vehicle: new Set(), follow: new Set()};

		this._content = element('div', 'bus-popup');
		const title = element('div', 'bus-popup__title');
		this._route = element('span', 'bus-popup__route');
		this._headsign = element('span', 'bus-popup__headsign');
		title.append(this._route, ' ', this._headsign);
		this._next = element('div', 'bus-popup__next');
		this._facts = element('div', 'bus-popup__facts');
		this._age = element('div', 'bus-popup__age');
		this._follow = element('button', 'bus-popup__follow');
		this._follow.type = 'button';
		this._follow.setAttribute('aria-pressed', 'false');
		this._follow.addEventListener('click', () => this.setFollowing(!this._following, true));
		this._content.append(title, this._next, this._facts, this._age, this._follow);

		this._popup = L.popup({offset: [0, -4], maxWidth: 280, minWidth: 200, autoPanPadding: [20, 20]})
			.setContent(this._content);
		this._popup.on('remove', this._onRemove, this);
		this._unlisten = i18n.onChange(() => this._render());
	}

	/** The id of the bus whose popup is open, or null. */
	get vehicleId() {
		return this._id;
	}

	/** The Leaflet popup. */
	get popup() {
		return this._popup;
	}

	/** Whether "Follow" is on. */
	get following() {
		return this._following;
	}

	/** Call `fn` on `type`: `'vehicle'` (the bus shown, or null) or `'follow'` (the bus to follow, or null). */
	on(type, fn) {
		this._listeners[type].add(fn);
		return this;
	}

	off(type, fn) {
		this._listeners[type].delete(fn);
		return this;
	}

	_fire(type, id) {
		for (const fn of [...this._listeners[type]]) { fn(id); }
	}

	/** Open on `map` for `vehicle`, at `latlng`. */
	open(map, vehicle, latlng) {
		const changed = vehicle.id !== this._id;
		if (changed) {
			if (this._following) { this.setFollowing(false, true); }
			this._details = null;
		}
		this._id = vehicle.id;
		this.refresh(vehicle);
		this._popup.options.autoPan = true;
		this._popup.options.autoPanPaddingTopLeft = clearOf(this._covers());
		this._popup.setLatLng(latlng).openOn(map);
		// Pan the bus into view on opening, but don't drag the map along after it.
		this._popup.options.autoPan = false;
		clearInterval(this._timer);
		this._timer = setInterval(() => this._renderTimes(), 1000);
		if (changed) { this._fire('vehicle', vehicle.id); }
		return this;
	}

	/** Show `vehicle`'s (new) data if its popup is open. */
	refresh(vehicle) {
		if (vehicle.id !== this._id) { return this; }
		this._vehicle = vehicle;
		this._render();
		return this;
	}

	/** The server's details of a bus (a decoded `vehicle` frame); ignored for another bus. */
	setDetails(details) {
		if (details.id !== this._id) { return this; }
		this._details = details;
		this._render();
		return this;
	}

	/**
	 * Turn "Follow" on or off (`tell`: listeners hear of it; the layer calls this with
	 * `tell` false when the user's own pan ended it).
	 */
	setFollowing(on, tell = false) {
		const following = Boolean(on) && this._id !== null;
		if (following === this._following) { return this; }
		this._following = following;
		this._follow.setAttribute('aria-pressed', String(following));
		this._content.classList.toggle('bus-popup--following', following);
		if (tell) { this._fire('follow', following ? this._id : null); }
		return this;
	}

	/** Move along with the bus. */
	follow(latlng) {
		if (this._id !== null) { this._popup.setLatLng(latlng); }
		return this;
	}

	close() {
		this._popup.close();
		return this;
	}

	_render() {
		const t = (key, params) => this._i18n.t(key, params);
		const vehicle = this._vehicle;
		if (vehicle) {
			setShownText(this._route, vehicle.route);
			this._route.style.setProperty('--route-color', vehicle.color);
			setShownText(this._headsign, vehicle.headsign ? t('busHeadsign', {headsign: vehicle.headsign}) : '');
		}
		setShownText(this._follow, t('busFollow'));
		this._follow.title = t('busFollowTitle');
		this._renderTimes();
		if (this._popup.isOpen()) { this._popup.update(); }
	}

	/** What changes with time: the next stop's ETA, the facts, the data's age. */
	_renderTimes() {
		if (this._id === null) { return; }
		const t = (key, params) => this._i18n.t(key, params);
		const details = this._details;
		const stale = this._staleOf(this._id) || details?.stale === true;
		if (details && !details.active) {
			setShownText(this._next, t('busEnded'));
			setShownText(this._facts, '');
		} else if (details) {
			const next = details.nextStop;
			let nextText = '';
			if (next) {
				nextText = t('busNextStop', {stop: next.name});
				if (Number.isFinite(next.eta)) {
					const when = arrivalWhen({eta: next.eta, scheduled: next.eta, live: true, noSignal: stale},
						{now: this._now()});
					nextText += ` · ${whenText(this._i18n, when, this._timeOf)}`;
				}
			}
			setShownText(this._next, nextText);
			const facts = [];
			if (!stale && Number.isFinite(details.delay)) {
				const minutes = Math.round(Math.abs(details.delay) / 60);
				facts.push(minutes === 0 ? t('busOnTime') :
					t(details.delay > 0 ? 'busLate' : 'busEarly', {count: minutes}));
			}
			if (!stale && Number.isFinite(details.speedKmh)) {
				facts.push(t('busSpeed', {speed: Math.round(details.speedKmh)}));
			}
			if (!stale && details.occupancy) {
				facts.push(t(`occupancy_${details.occupancy}`));
			}
			setShownText(this._facts, facts.join(' · '));
		} else {
			setShownText(this._next, t('busLoading'));
			setShownText(this._facts, '');
		}
		const age = this._ageOf(this._id);
		const ageText = age === null ? '' : this._i18n.age(age);
		setShownText(this._age, !ageText ? '' : t(stale ? 'busNoSignal' : 'busUpdated', {age: ageText}));
		this._content.classList.toggle('bus-popup--stale', stale);
	}

	_onRemove() {
		clearInterval(this._timer);
		this._timer = null;
		const had = this._id !== null;
		if (this._following) { this.setFollowing(false, true); }
		this._id = null;
		this._vehicle = null;
		this._details = null;
		if (had) { this._fire('vehicle', null); }
	}
}
