/**
 * The buses as DOM markers: one `L.marker` per vehicle, moved in place, gliding between updates.
 * The page's renderer before the canvas one (busCanvasLayer.js), kept as `?markers=dom`: the
 * baseline of bench/page_fps.py, and a renderer where every bus is a focusable element.
 *
 * `apply(changes)` takes what Fleet reported (added / changed / removed records). Each changed
 * bus glides from where it is drawn now to its new position over about one tick, on a single
 * `requestAnimationFrame` loop shared by all markers that still have a move to finish; the loop
 * sleeps when none has. A removed bus fades out where it stands; a new id fades in at its own
 * position, so a trip ending never animates across the map.
 *
 * Kept light for thousands of buses: only buses in (a margin around) the view have a marker in
 * the DOM; the others are kept as data and snapped, and shown when the map moves to them. Moves
 * shorter than a pixel at the current zoom are snapped, not animated.
 *
 * `setRouteFilter(route)` shows only the buses of one route (the others are kept as data, with
 * no marker, like those out of view); `setRouteFilter(null)` shows all again. `setStale(ids)`
 * greys the markers of buses gone silent; the popup's "Follow" recentres the map as its bus
 * glides (follow.js); with `prefers-reduced-motion`, buses snap instead of gliding.
 */

import L from './leafletGlobal.js';
import {BusIcon} from './busIcon.js';
import {busMarker} from './busMarker.js';
import {BusPopup} from './busPopup.js';
import {FollowMap} from './follow.js';
import {clamp01, distanceMeters, lerp, lerpBearing, metersPerPixel} from './geo.js';
import {onRoute} from './routeIndex.js';
import {sameIds} from './stale.js';

/** A move longer than this (after a reconnection, say) is a jump, not a glide. */
const MAX_GLIDE_M = 2000;
/** A move shorter than this many screen pixels is not worth animating. */
const MIN_GLIDE_PX = 1;
/** How long a removed bus takes to fade out (keep in step with style.css). */
const FADE_MS = 400;
/** Margin around the view, as a fraction of its size, where buses have markers. */
const VIEW_PAD = 0.5;

const now = () => performance.now();
const reducedMotion = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)') ?? {matches: false};

// (No getters in here: L.Class.extend copies properties by value, which would call them.)
export const BusDomLayer = L.Layer.extend({
	options: {
		pane: 'markerPane',
	},

	/**
	 * @param {object} [options]
	 * @param {Function} [options.ageOf] `(id) => ms`: how old a bus's data is, for its popup
	 * @param {object} [options.popup] the popup's options (busPopup.js)
	 */
	initialize(options) {
		L.Util.setOptions(this, options);
		this._entries = new Map();
		this._moving = new Set();
		this._raf = null;
		this._zooming = false;
		this._view = null; // {south, west, north, east}: where markers are shown.
		this._routeFilter = null; // {id, label} of the only route shown, or null
		this._group = L.featureGroup();
		this._group.on({click: this._onMarkerClick, keypress: this._onMarkerKey}, this);
		this._popup = new BusPopup(this.options.ageOf ?? (() => null), this.options.popup);
		this._popup.on('follow', (id) => this._setFollow(id));
		this._stale = new Set();
		this._follow = null;
		this._frame = this._frame.bind(this);
	},

	onAdd(map) {
		this._follow = new FollowMap(map, () => this._popup.setFollowing(false));
		this._group.addTo(map);
		map.on(this._mapEvents(), this);
		this._onViewChange();
	},

	onRemove(map) {
		map.off(this._mapEvents(), this);
		this._popup.close();
		this._follow.remove();
		this._follow = null;
		for (const entry of this._entries.values()) { this._hide(entry); }
		this._group.remove();
		this._view = null;
		if (this._raf !== null) {
			cancelAnimationFrame(this._raf);
			this._raf = null;
		}
	},

	_mapEvents() {
		return {
			zoomanim: this._onZoomAnim,
			zoomend: this._onViewChange,
			moveend: this._onViewChange,
			viewreset: this._onViewChange,
		};
	},

	// Public methods.

	/**
	 * Show what changed in the fleet.
	 *
	 * @param {{added: object[], changed: object[], removed: string[]}} changes from Fleet
	 * @param {object} [options]
	 * @param {number} [options.durationMs=1000] how long the glides take (about one tick)
	 * @param {boolean} [options.fadeIn=true] whether new buses fade in (not on the first load)
	 */
	apply({added, changed, removed}, {durationMs = 1000, fadeIn = true} = {}) {
		const start = now();
		for (const list of [changed, added]) {
			for (const vehicle of list) {
				const entry = this._entries.get(vehicle.id);
				if (entry) {
					this._moveTo(entry, vehicle, start, durationMs);
				} else {
					this._add(vehicle, fadeIn);
				}
			}
		}
		for (const id of removed) {
			this._removeEntry(id);
		}
		this._wake();
		return this;
	},

	/** Number of buses (with or without a marker in the DOM; not counting those fading out). */
	count() {
		return this._entries.size;
	},

	/** Number of buses that have a marker in the DOM now (those in and around the view). */
	shownCount() {
		let n = 0;
		for (const entry of this._entries.values()) { if (entry.shown) { n += 1; } }
		return n;
	},

	/** Number of buses still gliding. */
	movingCount() {
		return this._moving.size;
	},

	/** Ids of all buses. */
	ids() {
		return [...this._entries.keys()];
	},

	/** Where bus `id` is drawn now: `{lat, lon, bearing}`, or null. */
	displayed(id) {
		const entry = this._entries.get(id);
		return entry ? {lat: entry.lat, lon: entry.lon, bearing: entry.bearing} : null;
	},

	/** The marker of bus `id` (on the map only while in view), or undefined. */
	getMarker(id) {
		return this._entries.get(id)?.marker;
	},

	/** Ids of the buses that have a marker in the DOM now (those in and around the view). */
	shownIds() {
		return this.ids().filter((id) => this._entries.get(id).shown);
	},

	/**
	 * Every bus's marker anchor in the map container's CSS pixels, unrounded (as Leaflet would
	 * draw it but for the rounding, so that slow moves show): `[{id, x, y}]`, off-view ones too.
	 */
	screenPositions() {
		const map = this._map;
		if (!map) { return []; }
		const origin = map.getPixelOrigin();
		return this.ids().map((id) => {
			const layerPoint = map.project(this._entries.get(id).marker.getLatLng()).subtract(origin);
			const point = map.layerPointToContainerPoint(layerPoint);
			return {id, x: point.x, y: point.y};
		});
	},

	/** The route labels shown (from zoom 13 on): `[{id, text}]`. */
	labels() {
		if (!this._map || this._map.getZoom() < 13) { return []; }
		return this.shownIds().map((id) => ({id, text: this._entries.get(id).vehicle.route}));
	},

	/** Open the popup of bus `id`; returns whether it exists. */
	openPopup(id) {
		const entry = this._entries.get(id);
		if (!entry || !this._map) { return false; }
		this._popup.open(this._map, entry.vehicle, entry.marker.getLatLng());
		return true;
	},

	/** The bus popup (its `vehicleId` is the bus whose popup is open). */
	getPopup() {
		return this._popup;
	},

	/** Grey the markers of the buses of `ids` (a Set): they went silent (stale.js). */
	setStale(ids) {
		if (sameIds(ids, this._stale)) { return this; }
		this._stale = new Set(ids);
		for (const entry of this._entries.values()) { this._markStale(entry); }
		return this;
	},

	/** Ids of the buses whose marker is greyed now. */
	greyedIds() {
		return this.shownIds().filter((id) => this._stale.has(id));
	},

	/** The id of the bus the map follows, or null. */
	followedId() {
		return this._follow?.id ?? null;
	},

	_markStale(entry) {
		if (entry.shown) { entry.marker.getElement()?.classList.toggle('bus-marker--stale', this._stale.has(entry.id)); }
	},

	_setFollow(id) {
		if (!this._follow) { return; }
		if (id === null) {
			this._follow.stop();
			return;
		}
		this._follow.start(id);
		const entry = this._entries.get(id);
		if (entry) { this._follow.step(L.latLng(entry.lat, entry.lon)); }
	},

	/**
	 * Show only the buses of `route` (`{id, label}`, see routeIndex.js's `onRoute`), or all of
	 * them again with null.
	 */
	setRouteFilter(route) {
		this._routeFilter = route ? {id: route.id, label: route.label} : null;
		if (this._map && this._view) { this._updateShown(); }
		return this;
	},

	/** The `{id, label}` of the only route shown, or null. */
	getRouteFilter() {
		return this._routeFilter;
	},

	/** Ids of the buses the route filter lets through (in view or not). */
	visibleIds() {
		return this.ids().filter((id) => this._passes(this._entries.get(id).vehicle));
	},

	_passes(vehicle) {
		return this._routeFilter === null || onRoute(vehicle, this._routeFilter);
	},

	// Buses.

	_add(vehicle, fadeIn) {
		const icon = new BusIcon(vehicle);
		const entry = {
			id: vehicle.id,
			vehicle,
			icon,
			marker: busMarker([vehicle.lat, vehicle.lon], {
				icon: icon.icon,
				vehicleId: vehicle.id,
				pane: this.options.pane,
			}),
			shown: false,
			lat: vehicle.lat,
			lon: vehicle.lon,
			bearing: vehicle.bearing,
			fromLat: 0, fromLon: 0, fromBearing: 0,
			toLat: vehicle.lat, toLon: vehicle.lon, toBearing: vehicle.bearing,
			start: 0,
			duration: 0,
		};
		icon.setBearing(vehicle.bearing);
		this._entries.set(vehicle.id, entry);
		if (this._passes(vehicle) && this._inView(entry.lat, entry.lon)) { this._show(entry, fadeIn); }
	},

	_moveTo(entry, vehicle, start, durationMs) {
		entry.vehicle = vehicle;
		entry.icon.setVehicle(vehicle);
		if (this._popup.vehicleId === entry.id) { this._popup.refresh(vehicle); }
		if (vehicle.lat === entry.toLat && vehicle.lon === entry.toLon &&
			vehicle.bearing === entry.toBearing) {
			return;
		}
		entry.fromLat = entry.lat;
		entry.fromLon = entry.lon;
		entry.fromBearing = entry.bearing;
		entry.toLat = vehicle.lat;
		entry.toLon = vehicle.lon;
		entry.toBearing = vehicle.bearing;

		const wasShown = entry.shown;
		const visible = this._passes(vehicle) &&
			(this._inView(entry.fromLat, entry.fromLon) || this._inView(entry.toLat, entry.toLon));
		if (visible && !wasShown) { this._show(entry, false); }
		// (While zooming, a glide waits for the zoom to end: the loop is paused, see _frame.)
		if (!visible || !wasShown) {
			this._snap(entry);
			if (!visible) { this._hide(entry); }
			return;
		}
		const meters = distanceMeters(entry.fromLat, entry.fromLon, entry.toLat, entry.toLon);
		const pixels = meters / metersPerPixel(entry.toLat, this._map.getZoom());
		if (meters > MAX_GLIDE_M || pixels < MIN_GLIDE_PX || reducedMotion.matches) {
			this._snap(entry);
			return;
		}
		entry.start = start;
		entry.duration = Math.max(1, durationMs);
		this._moving.add(entry);
	},

	_snap(entry) {
		this._moving.delete(entry);
		this._place(entry, entry.toLat, entry.toLon, entry.toBearing);
	},

	_place(entry, lat, lon, bearing) {
		entry.lat = lat;
		entry.lon = lon;
		entry.bearing = bearing;
		const latlng = L.latLng(lat, lon);
		entry.marker.setLatLng(latlng);
		entry.icon.setBearing(bearing);
		if (this._popup.vehicleId === entry.id) { this._popup.follow(latlng); }
		if (this._follow?.id === entry.id) { this._follow.step(latlng); }
	},

	_show(entry, fadeIn) {
		if (entry.shown || !this._map) { return; }
		entry.shown = true;
		this._group.addLayer(entry.marker);
		const element = entry.marker.getElement();
		entry.icon.attach(element);
		element.classList.toggle('bus-marker--new', fadeIn);
		this._markStale(entry);
	},

	_hide(entry) {
		if (!entry.shown) { return; }
		entry.shown = false;
		this._moving.delete(entry);
		if (this._popup.vehicleId === entry.id) { this._popup.close(); }
		this._group.removeLayer(entry.marker);
	},

	_removeEntry(id) {
		const entry = this._entries.get(id);
		if (!entry) { return; }
		this._entries.delete(id);
		this._moving.delete(entry);
		if (this._popup.vehicleId === id) { this._popup.close(); }
		if (this._follow?.id === id) { this._follow.stop(); }
		if (!entry.shown) { return; }
		const element = entry.marker.getElement();
		element.classList.remove('bus-marker--new');
		element.classList.add('bus-marker--leaving');
		element.removeAttribute('tabindex');
		delete element.dataset.vehicleId;
		setTimeout(() => this._group.removeLayer(entry.marker), FADE_MS);
	},

	// The view.

	_inView(lat, lon) {
		const v = this._view;
		return v !== null && lat >= v.south && lat <= v.north && lon >= v.west && lon <= v.east;
	},

	/** After a pan or zoom: note the new view, give markers to the buses now in it, drop the others. */
	_onViewChange() {
		const map = this._map;
		this._zooming = false;
		const bounds = map.getBounds().pad(VIEW_PAD);
		this._view = {
			south: bounds.getSouth(), west: bounds.getWest(),
			north: bounds.getNorth(), east: bounds.getEast(),
		};
		const zoom = map.getZoom();
		const container = map.getContainer();
		container.classList.toggle('bus-zoom-far', zoom < 13);
		container.classList.toggle('bus-zoom-mid', zoom >= 13 && zoom < 15);
		this._updateShown();
	},

	/** Give markers to the buses in view that the route filter lets through; drop the others'. */
	_updateShown() {
		for (const entry of this._entries.values()) {
			const visible = this._passes(entry.vehicle) &&
				(this._inView(entry.lat, entry.lon) || this._inView(entry.toLat, entry.toLon));
			if (visible) { this._show(entry, false); } else { this._hide(entry); }
		}
		this._wake();
	},

	// Animation loop.

	_wake() {
		if (this._raf === null && this._moving.size && this._map && !this._zooming) {
			this._raf = requestAnimationFrame(this._frame);
		}
	},

	_frame(time) {
		this._raf = null;
		if (!this._map || this._zooming) { return; }
		for (const entry of this._moving) {
			// The frame's time can precede the start of a glide set up just before it.
			const t = clamp01((time - entry.start) / entry.duration);
			if (t >= 1) {
				this._snap(entry);
			} else {
				this._place(entry,
					lerp(entry.fromLat, entry.toLat, t),
					lerp(entry.fromLon, entry.toLon, t),
					lerpBearing(entry.fromBearing, entry.toBearing, t));
			}
		}
		this._wake();
	},

	// Map and marker events.

	_onZoomAnim() {
		// Markers are being moved by Leaflet's zoom animation; moving them too would make them jump.
		this._zooming = true;
	},

	_onMarkerClick(e) {
		const id = e.propagatedFrom?.options.vehicleId;
		if (id !== undefined) { this.openPopup(id); }
	},

	_onMarkerKey(e) {
		if (e.originalEvent.key === 'Enter') { this._onMarkerClick(e); }
	},
});

export function busDomLayer(options) {
	return new BusDomLayer(options);
}
