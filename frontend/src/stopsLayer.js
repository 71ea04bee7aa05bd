/**
 * The stops: small circles on a canvas of their own (above the route lines, beneath the buses),
 * shown from zoom 15 on, where they no longer clutter the map. A click opens the stop's popup.
 *
 * Stops come from `GET /api/stops?bbox=` for the view plus a margin, asked for once the map has
 * settled (debounced `moveend`), and not again while the view stays inside the box last fetched
 * in full; a request the map has moved away from is aborted. A stop's circle is kept and reused
 * while it stays in the fetched box. Below zoom 15 the circles are taken off the map.
 */

import L from './leafletGlobal.js';
import {fetchStops, isAbort} from './api.js';
import {boundsToBox, containsBox, padBox} from './bbox.js';
import {debounce} from './debounce.js';
import {StopPopup} from './stopPopup.js';

/** The pane: above the route lines (350) and Leaflet's overlays (400), beneath markers (600). */
export const STOPS_PANE = 'bustrackStops';

const STYLE = {radius: 4, weight: 1.5, color: '#37474f', fillColor: '#ffffff', fillOpacity: 1, opacity: 1};

function decodeStop(raw) {
	if (typeof raw?.id !== 'string' || !Number.isFinite(raw.lat) || !Number.isFinite(raw.lon)) { return null; }
	return {
		id: raw.id,
		name: typeof raw.name === 'string' ? raw.name : raw.id,
		lat: raw.lat,
		lon: raw.lon,
		routes: Array.isArray(raw.routes) ? raw.routes.filter((id) => typeof id === 'string') : [],
	};
}

export const StopsLayer = L.Layer.extend({
	options: {
		pane: STOPS_PANE,
		zIndex: 450,
		/** Stops are shown from this zoom on. */
		minZoom: 15,
		/** Fetch the view grown by this fraction of its size on every side. */
		margin: 0.5,
		debounceMs: 150,
		/** Zoom that choosing a stop (focusStop) goes to at least. */
		focusZoom: 17,
	},

	/**
	 * @param {object} options
	 * @param {import('./routeIndex.js').RouteIndex} options.routes for the popups' route labels
	 * @param {Function} [options.onRoute] `(routeId) => void`: a route chip in a popup was pressed
	 * @param {Function} [options.onArrivals] `(stop) => void`: a popup's "Arrivals" was pressed
	 * @param {import('./i18n.js').I18n} [options.i18n] the page's language, for the popups
	 * @param {Function} [options.covers] `() => {left, top}`: what the page's boxes cover of the map
	 * @param {Function} [options.fetchStops] a fetchStops stand-in (tests)
	 */
	initialize(options) {
		L.Util.setOptions(this, options);
		this._fetch = this.options.fetchStops ?? fetchStops;
		this._renderer = L.canvas({pane: this.options.pane, tolerance: 4});
		this._group = L.featureGroup();
		this._group.on('click', this._onClick, this);
		this._stops = new Map(); // id → {stop, marker}
		this._loaded = null; // the box last fetched in full
		this._loading = null; // {box, controller} of the request in flight
		this._routeId = null;
		this._shown = false;
		this._popup = new StopPopup({
			routes: this.options.routes, onRoute: this.options.onRoute,
			onArrivals: this.options.onArrivals ?? null, i18n: this.options.i18n,
			...(this.options.covers ? {covers: this.options.covers} : {}),
		});
		this._schedule = debounce(() => this._update(), this.options.debounceMs);
	},

	onAdd(map) {
		if (!map.getPane(this.options.pane)) {
			map.createPane(this.options.pane).style.zIndex = String(this.options.zIndex);
		}
		map.on('moveend', this._schedule, this);
		this._update();
	},

	onRemove(map) {
		map.off('moveend', this._schedule, this);
		this._schedule.cancel();
		this._abort();
		this._popup.close();
		this._group.remove();
		this._shown = false;
	},

	// Public methods.

	/** Whether the stops are on the map (zoomed in far enough). */
	isShown() {
		return this._shown;
	},

	/** Number of stop circles on the map now. */
	count() {
		return this._shown ? this._group.getLayers().length : 0;
	},

	/** The stops whose circle is on the map now: `[{id, name, lat, lon, routes}]`. */
	shownStops() {
		if (!this._shown) { return []; }
		return this._group.getLayers().map((marker) => this._stops.get(marker.options.stopId).stop);
	},

	/** Show only the stops route `id` serves (in its colour); null shows all again. */
	setRouteFilter(id) {
		this._routeId = id ?? null;
		this._applyFilter();
		return this;
	},

	/** Stop `id` as loaded (`{id, name, lat, lon, routes}`), or undefined. */
	getStop(id) {
		return this._stops.get(id)?.stop;
	},

	/** Open stop `id`'s popup (it must be loaded); returns whether it could. */
	openPopup(id) {
		const entry = this._stops.get(id);
		if (!entry || !this._map) { return false; }
		this._popup.open(this._map, entry.stop);
		return true;
	},

	/**
	 * Go to `stop` (`{id, name, lat, lon}`, e.g. a search result) and open its popup at once;
	 * the routes that serve it are filled in when the stops there have been fetched.
	 */
	focusStop(stop) {
		const map = this._map;
		if (!map) { return this; }
		map.setView([stop.lat, stop.lon], Math.max(map.getZoom(), this.options.focusZoom));
		const known = this._stops.get(stop.id);
		this._popup.open(map, known ? known.stop : {...stop, routes: undefined}, {autoPan: false});
		return this;
	},

	/** The stop popup (its `stopId` is the stop whose popup is open). */
	getPopup() {
		return this._popup;
	},

	// Fetching.

	_update() {
		const map = this._map;
		if (!map) { return; }
		if (map.getZoom() < this.options.minZoom) {
			this._abort();
			this._setShown(false);
			return;
		}
		this._setShown(true);
		const view = boundsToBox(map.getBounds());
		if (containsBox(this._loaded, view) || containsBox(this._loading?.box, view)) { return; }
		this._abort();
		const box = padBox(view, this.options.margin);
		const controller = new AbortController();
		this._loading = {box, controller};
		this._fetch(box, {signal: controller.signal}).then((answer) => {
			if (this._loading?.controller !== controller) { return; }
			this._loading = null;
			// A truncated answer does not hold every stop of its box: ask again after the next move.
			this._loaded = answer.truncated ? null : box;
			this._setStops(Array.isArray(answer.stops) ? answer.stops : []);
		}, (error) => {
			if (this._loading?.controller === controller) { this._loading = null; }
			if (!isAbort(error)) { console.warn('bustrack: could not load the stops:', error.message); }
		});
	},

	_abort() {
		if (this._loading) {
			this._loading.controller.abort();
			this._loading = null;
		}
	},

	// Circles.

	_setStops(list) {
		const seen = new Set();
		for (const raw of list) {
			const stop = decodeStop(raw);
			if (!stop) { continue; }
			seen.add(stop.id);
			const entry = this._stops.get(stop.id);
			if (entry) {
				entry.stop = stop;
				entry.marker.setLatLng([stop.lat, stop.lon]);
			} else {
				const marker = L.circleMarker([stop.lat, stop.lon], {
					...STYLE, renderer: this._renderer, stopId: stop.id,
				});
				this._stops.set(stop.id, {stop, marker});
			}
			if (this._popup.stopId === stop.id) { this._popup.refresh(stop); }
		}
		for (const [id, entry] of this._stops) {
			if (!seen.has(id)) {
				this._group.removeLayer(entry.marker);
				this._stops.delete(id);
			}
		}
		this._applyFilter();
	},

	_applyFilter() {
		const routeId = this._routeId;
		const color = routeId === null ? STYLE.color : (this.options.routes.get(routeId)?.color ?? STYLE.color);
		for (const {stop, marker} of this._stops.values()) {
			const wanted = routeId === null || stop.routes.includes(routeId);
			if (wanted) {
				if (marker.options.color !== color) { marker.setStyle({color}); }
				this._group.addLayer(marker);
			} else {
				this._group.removeLayer(marker);
			}
		}
	},

	_setShown(shown) {
		if (shown === this._shown) { return; }
		this._shown = shown;
		if (shown) { this._group.addTo(this._map); } else { this._group.remove(); }
	},

	_onClick(e) {
		const id = e.propagatedFrom?.options.stopId;
		if (id !== undefined) { this.openPopup(id); }
	},
});

export function stopsLayer(options) {
	return new StopsLayer(options);
}
