/**
 * The buses on one `<canvas>`: thousands of them gliding smoothly where DOM markers would stall
 * the page (about 700 is where Leaflet's DOM markers slow down).
 *
 * Each bus has a slot in typed arrays (busSlots.js): where it glides from and to, in Web Mercator
 * pixels at zoom 0, and how far it has got. One `requestAnimationFrame` loop advances the glides
 * and fades and redraws the buses on screen (busCanvasDraw.js). The loop sleeps when nothing
 * moves, and redraws only once some bus can have moved or turned half a device pixel, or faded by
 * a tenth, since the last drawing: a whole city glides a fraction of a pixel a second, and drawing
 * 3,000 sprites takes most of a frame with software rendering. The map is assumed to be in Web
 * Mercator (Leaflet's default CRS).
 *
 * `apply(changes)` takes what Fleet reported, as busDomLayer.js does: a changed bus glides from
 * where it is drawn to its new position over about one tick (moves over 2 km or under a pixel
 * snap), a new one fades in where it is, a removed one fades out where it stands.
 *
 * It takes no pointer events: busCanvasInput.js finds the bus under a
 * click (and opens the same popup as the DOM markers, busPopup.js, which follows its bus) or a
 * key press. Dimming when the page is not live is the `.bus-stale` class on the container
 * (style.css); a bus gone silent (`setStale(ids)`, see stale.js) is drawn with a grey sprite.
 * The popup's "Follow" keeps the map centred on its bus from this loop, along the glide, until
 * the user drags or zooms (follow.js). With `prefers-reduced-motion`, buses snap instead of
 * gliding and nothing fades.
 *
 * This file holds the layer's lifecycle, what it is told (`apply`, `setStale`, `setRouteFilter`),
 * the animation loop, the popup and following. The rest of the class is added to it with
 * `include`, as Leaflet adds methods to a class from another file, one concern a file:
 * - busCanvasDraw.js: the drawing of one frame (the buses, their labels, the clusters);
 * - busCanvasZoom.js: the view, Leaflet's zoom animation, the crossfade of clusters and buses;
 * - busCanvasQueries.js: what is shown and where, read-only, for busCanvasInput.js and the
 *   page's test hooks;
 * - busCanvasPointer.js: the pointer over buses and clusters, as busCanvasInput.js reports it.
 */

import L from './leafletGlobal.js';
import {BusCanvasInput} from './busCanvasInput.js';
import {drawMethods} from './busCanvasDraw.js';
import {pointerMethods} from './busCanvasPointer.js';
import {queryMethods} from './busCanvasQueries.js';
import {reducedMotion, zoomMethods} from './busCanvasZoom.js';
import {BusPopup} from './busPopup.js';
import {CLUSTER_BELOW_ZOOM} from './busClusters.js';
import {BusSlots, FREE, shouldGlide} from './busSlots.js';
import {SIZES, sizeFor} from './busSprites.js';
import {FollowMap} from './follow.js';
import {metersPerPixel} from './geo.js';
import {onRoute} from './routeIndex.js';
import {sameIds} from './stale.js';

/** The pane: above the stops (450), beneath Leaflet's markers (600) and popups (700). */
export const BUSES_PANE = 'bustrackBuses';

// (No getters in here: L.Class.extend and include copy properties by value, which would call them.)
export const BusCanvasLayer = L.Layer.extend({
	options: {
		pane: BUSES_PANE,
		zIndex: 550,
		/** Route labels from this zoom on. */
		labelMinZoom: 14,
		/** How far (CSS pixels) from a bus a click or tap still finds it. */
		hitRadius: 12,
		/** How long a bus takes to fade in or out. */
		fadeMs: 400,
		/**
		 * How much the canvas reaches past the map on every side, as a fraction of its size: a pan
		 * within it needs no redraw (the canvas moves with the map pane), as with Leaflet's renderers.
		 */
		padding: 0.1,
		/**
		 * Glides and fades are redrawn once any bus can have moved this many device pixels
		 * (its point counts when it turns) or faded by `fadeStep` since the last drawing.
		 */
		glideStep: 0.5,
		fadeStep: 0.1,
		/** Buses are drawn as counts per area (clusters) below this zoom. */
		clusterBelowZoom: CLUSTER_BELOW_ZOOM,
		/** How long clusters and buses take to crossfade when the zoom crosses `clusterBelowZoom`. */
		crossfadeMs: 250,
	},

	/**
	 * @param {object} [options]
	 * @param {Function} [options.ageOf] `(id) => ms`: how old a bus's data is, for its popup
	 * @param {object} [options.popup] the popup's options (busPopup.js)
	 */
	initialize(options) {
		L.Util.setOptions(this, options);
		this._slots = new BusSlots();
		this._crs = L.CRS.EPSG3857;
		this._routeFilter = null; // {id, label} of the only route shown, or null
		this._stale = new Set(); // ids of the buses drawn greyed
		this._drawnStale = new Set(); // those of them drawn last frame
		this._follow = null; // FollowMap while on a map
		this._popup = new BusPopup(this.options.ageOf ?? (() => null), this.options.popup);
		this._popup.popup.on('add remove', this._changed, this);
		this._popup.on('follow', (id) => this._setFollow(id));
		this._input = new BusCanvasInput(this, this.options.popup?.i18n);
		this._frame = this._frame.bind(this);
		this._raf = null;
		this._canvas = null; // the buses
		this._ctx = null;
		this._clusterCanvas = null; // the clusters, above the buses
		this._clusterCtx = null;
		this._dpr = 0;
		this._sprites = null;
		this._tags = null;
		this._size = 0; // index in SIZES of the sprites drawn
		this._anim = null; // {start, from, to}: Leaflet's zoom animation, views before and after
		this._dirty = true; // something to draw changed besides the view
		this._drawnView = null; // the view drawn last, with the map's pixel origin then
		this._pad = {x: 0, y: 0}; // the canvas's margin, CSS pixels
		this._drawn = this._drawnArrays(256); // the buses drawn last, in draw order
		this._drawnCount = 0;
		this._labelled = new Uint8Array(this._slots.capacity); // had a label last frame
		this._labelsDrawn = []; // [{slot, x, y}] of the last frame
		this._hover = -1; // slot under the pointer
		this._followed = {x: NaN, y: NaN};
		this._advanced = null; // the time of the last advance of the glides and fades
		this._glided = 0; // how far (device pixels) any bus can have glided since the last drawing
		this._faded = 0; // and faded
		this._clusterSprites = null;
		this._mode = null; // 'clusters' or 'buses': what the last drawing showed (or goes to)
		this._crossfade = null; // {start, toClusters} while clusters and buses crossfade
		this._clustersDrawn = {length: 0, x: new Float32Array(0), y: new Float32Array(0), size: [], members: []};
		this._spritesDrawn = 0; // buses drawn as sprites (alpha > 0) last frame
		this._hoverCluster = false; // a cluster is under the pointer
	},

	onAdd(map) {
		if (!map.getPane(this.options.pane)) {
			const pane = map.createPane(this.options.pane);
			pane.style.zIndex = String(this.options.zIndex);
			pane.style.pointerEvents = 'none';
		}
		this._crs = map.options.crs;
		// Two canvases, so that clusters and buses crossfade by their CSS opacity (composited)
		// instead of every bus being drawn again each frame of the crossfade.
		this._canvas = this._createCanvas('bus-canvas');
		this._ctx = this._canvas.getContext('2d');
		this._clusterCanvas = this._createCanvas('bus-clusters');
		this._clusterCtx = this._clusterCanvas.getContext('2d');
		this._size = sizeFor(map.getZoom());
		this._input.add(map);
		this._follow = new FollowMap(map, () => this._popup.setFollowing(false));
		this._changed();
	},

	onRemove() {
		this._input.remove();
		this._popup.close();
		this._follow.remove();
		this._follow = null;
		if (this._raf !== null) {
			cancelAnimationFrame(this._raf);
			this._raf = null;
		}
		L.DomUtil.remove(this._canvas);
		L.DomUtil.remove(this._clusterCanvas);
		this._canvas = this._ctx = this._clusterCanvas = this._clusterCtx = null;
		this._anim = null;
		this._advanced = null;
		this._drawnView = null;
		this._drawnCount = 0;
		this._labelsDrawn = [];
		this._hover = -1;
		this._mode = null;
		this._crossfade = null;
		this._clustersDrawn = {length: 0, x: new Float32Array(0), y: new Float32Array(0), size: [], members: []};
		this._spritesDrawn = 0;
		this._hoverCluster = false;
	},

	/** A canvas of the layer's pane with class `className`. */
	_createCanvas(className) {
		const canvas = L.DomUtil.create('canvas', className, this.getPane());
		// Scaled by the browser along with the other layers during Leaflet's zoom animation.
		if (this._zoomAnimated) { L.DomUtil.addClass(canvas, 'leaflet-zoom-animated'); }
		// Pointer events go to what lies beneath (stops, the map); busCanvasInput.js finds buses.
		canvas.style.pointerEvents = 'none';
		canvas.setAttribute('aria-hidden', 'true');
		return canvas;
	},

	getEvents() {
		return {
			zoomanim: this._onZoomAnim,
			zoomend: this._onZoomEnd,
			move: this._onMove,
			zoom: this._onMove,
			viewreset: this._changed,
			resize: this._changed,
			moveend: this._changed,
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
		const now = performance.now();
		const scale = this._map ? this._map.getZoomScale(this._map.getZoom(), 0) : 0;
		const fadeMs = this._map && !reducedMotion.matches ? this.options.fadeMs : 0;
		for (const list of [changed, added]) {
			for (const vehicle of list) {
				const slot = this._slots.slotOf(vehicle.id);
				if (slot >= 0) {
					this._moveTo(slot, vehicle, now, durationMs, scale);
				} else {
					this._add(vehicle, now, fadeIn ? fadeMs : 0);
				}
			}
		}
		for (const id of removed) {
			if (this._popup.vehicleId === id) { this._popup.close(); }
			const slot = this._slots.remove(id, {now, fadeMs});
			if (slot === this._hover) { this._setHover(-1); }
		}
		this._changed();
		return this;
	},

	/** Open the popup of bus `id`; returns whether it exists. */
	openPopup(id) {
		const slot = this._slots.slotOf(id);
		if (slot < 0 || !this._map) { return false; }
		const latlng = this._latLngOf(slot);
		this._followed = {x: this._slots.x[slot], y: this._slots.y[slot]};
		this._popup.open(this._map, this._slots.vehicle[slot], latlng);
		this._changed();
		return true;
	},

	/** Draw the buses of `ids` (a Set) greyed: they went silent (stale.js); the others not. */
	setStale(ids) {
		if (sameIds(ids, this._stale)) { return this; }
		this._stale = new Set(ids);
		this._changed();
		return this;
	},

	/**
	 * Show only the buses of `route` (`{id, label}`, see routeIndex.js's `onRoute`), or all of
	 * them again with null.
	 */
	setRouteFilter(route) {
		this._routeFilter = route ? {id: route.id, label: route.label} : null;
		const slots = this._slots;
		for (let slot = 0; slot < slots.length; slot++) {
			if (slots.state[slot] !== FREE) { slots.visible[slot] = this._passes(slots.vehicle[slot]) ? 1 : 0; }
		}
		const open = slots.slotOf(this._popup.vehicleId);
		if (open >= 0 && !slots.visible[open]) { this._popup.close(); }
		this._changed();
		return this;
	},

	// Buses.

	_passes(vehicle) {
		return this._routeFilter === null || onRoute(vehicle, this._routeFilter);
	},

	_project(vehicle) {
		return this._crs.latLngToPoint(L.latLng(vehicle.lat, vehicle.lon), 0);
	},

	_latLngOf(slot) {
		return this._crs.pointToLatLng(L.point(this._slots.x[slot], this._slots.y[slot]), 0);
	},

	_add(vehicle, now, fadeMs) {
		const {x, y} = this._project(vehicle);
		const slots = this._slots;
		const slot = slots.add(vehicle.id, vehicle, x, y, vehicle.bearing, {now, fadeMs});
		slots.visible[slot] = this._passes(vehicle) ? 1 : 0;
		if (this._labelled.length < slots.capacity) {
			const labelled = new Uint8Array(slots.capacity);
			labelled.set(this._labelled);
			this._labelled = labelled;
		}
		this._labelled[slot] = 0;
	},

	_moveTo(slot, vehicle, now, durationMs, scale) {
		const slots = this._slots;
		slots.vehicle[slot] = vehicle;
		slots.visible[slot] = this._passes(vehicle) ? 1 : 0;
		if (this._popup.vehicleId === vehicle.id) { this._popup.refresh(vehicle); }
		const {x, y} = this._project(vehicle);
		if (slots.isHeadedFor(slot, x, y, vehicle.bearing)) { return; }
		const world = Math.hypot(x - slots.x[slot], y - slots.y[slot]);
		const meters = world * metersPerPixel(vehicle.lat, 0);
		if (slots.visible[slot] && this._map && !reducedMotion.matches && shouldGlide(meters, world * scale)) {
			slots.glide(slot, x, y, vehicle.bearing, now, durationMs);
		} else {
			slots.place(slot, x, y, vehicle.bearing);
		}
	},

	// Animation loop.

	_changed() {
		this._dirty = true;
		if (this._raf === null && this._map) { this._raf = requestAnimationFrame(this._frame); }
	},

	_frame(time) {
		this._raf = null;
		if (!this._map) { return; }
		this._advance(time);
		// Recentre first: the pan redraws the canvas with the map (see _onMove).
		this._followMap();
		this._draw();
		this._followPopup();
		this._fade(performance.now());
		if (this._raf === null && (this._slots.busy || this._crossfade)) { this._raf = requestAnimationFrame(this._frame); }
	},

	/**
	 * Advance the glides and fades to `time`; the canvas needs redrawing once any bus can have
	 * glided `glideStep` device pixels or faded `fadeStep` since it was drawn, or all stopped.
	 */
	_advance(time) {
		const slots = this._slots;
		const changed = slots.advance(time);
		const woke = this._advanced === null; // the loop slept: a glide or fade just began
		const since = woke ? 0 : Math.max(0, time - this._advanced);
		this._advanced = slots.busy ? time : null;
		if (changed === 0) { return; }
		const dpr = this._dpr || 1;
		const scale = this._map.getZoomScale(this._map.getZoom(), 0);
		// A turn moves the teardrop's point, which is body / 2 × √2 from its centre.
		const tip = SIZES[this._size].body / 2 * Math.SQRT2 * Math.PI / 180;
		this._glided += since * (slots.glideRate * scale + slots.turnRate * tip) * dpr;
		this._faded += since * slots.fadeRate;
		if (woke || !slots.busy || this._glided >= this.options.glideStep || this._faded >= this.options.fadeStep) {
			this._dirty = true;
		}
	},

	/** Bring the canvas up to date now (e.g. before hit-testing after a pan). */
	_drawNow() {
		if (this._map) { this._draw(); }
	},

	_setFollow(id) {
		if (!this._follow) { return; }
		if (id === null) {
			this._follow.stop();
		} else {
			this._follow.start(id);
			this._followMap();
		}
		this._changed();
	},

	/** Keep the followed bus at the centre of the map (where it is drawn now, mid-glide). */
	_followMap() {
		const id = this._follow?.id ?? null;
		// Leaflet's zoom animation ends following anyway (a zoom is the user's).
		if (id === null || this._anim) { return; }
		const slot = this._slots.slotOf(id);
		if (slot < 0) {
			this._follow.stop();
			this._popup.setFollowing(false);
			return;
		}
		this._follow.step(this._latLngOf(slot));
	},

	_followPopup() {
		const slot = this._slots.slotOf(this._popup.vehicleId);
		// Leaflet animates the popup itself during a zoom.
		if (slot < 0 || this._anim) { return; }
		const x = this._slots.x[slot];
		const y = this._slots.y[slot];
		if (x === this._followed.x && y === this._followed.y) { return; }
		this._followed = {x, y};
		this._popup.follow(this._latLngOf(slot));
	},
});

// The rest of the class, one concern a file (see above).
BusCanvasLayer.include(drawMethods);
BusCanvasLayer.include(zoomMethods);
BusCanvasLayer.include(queryMethods);
BusCanvasLayer.include(pointerMethods);

export function busCanvasLayer(options) {
	return new BusCanvasLayer(options);
}
