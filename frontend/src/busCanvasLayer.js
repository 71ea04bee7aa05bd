/**
 * The buses on one `<canvas>`: thousands of them gliding smoothly where DOM markers would stall
 * the page (about 700 is where Leaflet's DOM markers slow down).
 *
 * Each bus has a slot in typed arrays (busSlots.js): where it glides from and to, in Web Mercator
 * pixels at zoom 0, and how far it has got. One `requestAnimationFrame` loop advances the glides
 * and fades and redraws the buses on screen, each a pre-rendered sprite (busSprites.js) in its
 * route's colour turned to its bearing, the southern ones over the northern ones; from zoom 14
 * on, route labels that do not overlap (busLabels.js). The loop sleeps when nothing moves, and
 * redraws only once some bus can have moved or turned half a device pixel, or faded by a tenth,
 * since the last drawing: a whole city glides a fraction of a pixel a second, and drawing 3,000
 * sprites takes most of a frame with software rendering.
 *
 * `apply(changes)` takes what Fleet reported, as busDomLayer.js does: a changed bus glides from
 * where it is drawn to its new position over about one tick (moves over 2 km or under a pixel
 * snap), a new one fades in where it is, a removed one fades out where it stands.
 *
 * The canvas sits in a pane of its own above the route lines and the stops and covers the map's
 * container and a margin around it. A pan moves it along with the map pane, as Leaflet's own
 * canvas renderer; it is redrawn when the margin runs out and when something on it moves. During
 * Leaflet's zoom animation it is not redrawn at all: as Leaflet's own renderers do, it is given
 * the CSS transform that takes it to the new view (busView.js), the browser animates it with the
 * tiles and the other layers (the buses grow or shrink with the map for that quarter second and
 * stop gliding), and it is redrawn once, at the new zoom, when the animation ends. (Redrawing
 * 3,000 sprites every frame of the animation cost too much with software rendering.) The map is
 * assumed to be in Web Mercator (Leaflet's default CRS).
 *
 * Below zoom 12 (`clusterBelowZoom`, busClusters.js), where the whole city's buses would make
 * one blob, they are drawn as counts per area instead: one circle per cell of a grid fixed on
 * the map, at the middle of its buses, sized by their number; a click on one zooms in to it.
 * Crossing that zoom, the clusters and the buses crossfade (`crossfadeMs`) once Leaflet's zoom
 * animation has ended: each is drawn once on its own canvas and the two canvases' CSS opacity
 * changes (composited by the browser), so a crossfade costs no more than standing still. A route shown alone (`setRouteFilter`) is never clustered: its few buses
 * are what the user asked to see.
 *
 * It takes no pointer events: busCanvasInput.js finds the bus under a
 * click (and opens the same popup as the DOM markers, busPopup.js, which follows its bus) or a
 * key press. Dimming when the page is not live is the `.bus-stale` class on the container
 * (style.css); a bus gone silent (`setStale(ids)`, see stale.js) is drawn with a grey sprite.
 * The popup's "Follow" keeps the map centred on its bus from this loop, along the glide, until
 * the user drags or zooms (follow.js). With `prefers-reduced-motion`, buses snap instead of
 * gliding and nothing fades.
 */

import L from './leafletGlobal.js';
import {byDistance, hitTest} from './busHit.js';
import {BusCanvasInput} from './busCanvasInput.js';
import {LABEL_HEIGHT, LabelSprites, placeLabels} from './busLabels.js';
import {BusPopup} from './busPopup.js';
import {CLUSTER_BELOW_ZOOM, ClusterSprites, clusterGrid, clusterRadius, clusterZoom} from './busClusters.js';
import {BusSlots, FREE, LIVE, shouldGlide} from './busSlots.js';
import {SIZES, SpriteAtlas, bearingBucket, cellHalf, sizeFor} from './busSprites.js';
import {ZOOM_ANIM_MS, lerpView, zoomEase, zoomTransform} from './busView.js';
import {FollowMap} from './follow.js';
import {clamp01, metersPerPixel} from './geo.js';
import {onRoute} from './routeIndex.js';
import {sameIds} from './stale.js';

/** The colour of a silent bus's label bar. */
const STALE_COLOR = '#8d969b';

/** The pane: above the stops (450), beneath Leaflet's markers (600) and popups (700). */
export const BUSES_PANE = 'bustrackBuses';

/** Sort keys: (quarter pixels of y) × SORT_SPAN + index. */
const SORT_SPAN = 2 ** 20;

const reducedMotion = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)') ?? {matches: false};

// (No getters in here: L.Class.extend copies properties by value, which would call them.)
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

	/** Number of buses (on screen or not; not counting those fading out). */
	count() {
		return this._slots.size;
	},

	/**
	 * Number of buses shown in the map's view now (the route filter lets them through): drawn
	 * one by one or counted in a cluster.
	 */
	shownCount() {
		return this.shownIds().length;
	},

	/** Ids of the buses shown in the map's view now (drawn or counted in a cluster). */
	shownIds() {
		if (!this._map) { return []; }
		const view = this._view(performance.now());
		const {x: width, y: height} = this._map.getSize();
		const slots = this._slots;
		const ids = [];
		for (const slot of slots.liveSlots()) {
			const x = slots.x[slot] * view.scale - view.ox;
			const y = slots.y[slot] * view.scale - view.oy;
			if (slots.visible[slot] && x >= 0 && y >= 0 && x <= width && y <= height) {
				ids.push(slots.idOf(slot));
			}
		}
		return ids;
	},

	/** Number of buses still gliding. */
	movingCount() {
		return this._slots.movingCount;
	},

	/** Ids of all buses. */
	ids() {
		return this._slots.ids();
	},

	/** Where bus `id` is drawn now: `{lat, lon, bearing}`, or null. */
	displayed(id) {
		const slot = this._slots.slotOf(id);
		if (slot < 0) { return null; }
		const latlng = this._latLngOf(slot);
		return {lat: latlng.lat, lon: latlng.lng, bearing: this._slots.bearing[slot]};
	},

	/**
	 * Every bus's centre in the map container's CSS pixels, unrounded, as drawn now (mid-glide,
	 * mid-zoom): `[{id, x, y}]`, off-view ones too.
	 */
	screenPositions() {
		if (!this._map) { return []; }
		const view = this._view(performance.now());
		const slots = this._slots;
		return slots.liveSlots().map((slot) => ({
			id: slots.idOf(slot),
			x: slots.x[slot] * view.scale - view.ox,
			y: slots.y[slot] * view.scale - view.oy,
		}));
	},

	/**
	 * The clusters drawn in the last frame (none from `clusterBelowZoom` on, once the crossfade
	 * is over), in container CSS pixels: `[{x, y, count, radius, ids}]`.
	 */
	clusters() {
		const {dx, dy} = this._panned();
		const drawn = this._clustersDrawn;
		const out = [];
		for (let k = 0; k < drawn.length; k++) {
			out.push({
				x: drawn.x[k] + dx, y: drawn.y[k] + dy, count: drawn.size[k], radius: clusterRadius(drawn.size[k]),
				ids: drawn.members[k].map((slot) => this._slots.idOf(slot)),
			});
		}
		return out;
	},

	/** Number of clusters drawn in the last frame. */
	clusterCount() {
		return this._clustersDrawn.length;
	},

	/** Number of buses drawn one by one (as sprites, in or near the view) in the last frame. */
	spriteCount() {
		return this._spritesDrawn;
	},

	/** Whether buses are drawn as clusters at the map's zoom now (or are fading to them). */
	clustered() {
		return this._mode === 'clusters';
	},

	/** The route labels drawn, in container CSS pixels: `[{id, text, x, y}]` (x, y: left, middle). */
	labels() {
		const {dx, dy} = this._panned();
		return this._labelsDrawn.map(({slot, x, y}) => ({
			id: this._slots.idOf(slot), text: this._slots.vehicle[slot]?.route ?? '', x: x + dx, y: y + dy,
		}));
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

	/** The record of bus `id` (as last applied), or undefined. */
	vehicleOf(id) {
		const slot = this._slots.slotOf(id);
		return slot < 0 ? undefined : this._slots.vehicle[slot];
	},

	/** The bus popup (its `vehicleId` is the bus whose popup is open). */
	getPopup() {
		return this._popup;
	},

	/** Draw the buses of `ids` (a Set) greyed: they went silent (stale.js); the others not. */
	setStale(ids) {
		if (sameIds(ids, this._stale)) { return this; }
		this._stale = new Set(ids);
		this._changed();
		return this;
	},

	/** Ids of the buses drawn greyed in the last frame (in or near the view). */
	greyedIds() {
		return [...this._drawnStale];
	},

	/** The id of the bus the map follows, or null. */
	followedId() {
		return this._follow?.id ?? null;
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

	/** The `{id, label}` of the only route shown, or null. */
	getRouteFilter() {
		return this._routeFilter;
	},

	/** Ids of the buses the route filter lets through (in view or not). */
	visibleIds() {
		const slots = this._slots;
		return slots.liveSlots().filter((slot) => slots.visible[slot]).map((slot) => slots.idOf(slot));
	},

	// For busCanvasInput.js.

	/** The id of the bus drawn at container point (`x`, `y`) (within `hitRadius`), or null. */
	idAt(x, y) {
		if (!this._map || this._anim) { return null; }
		this._drawNow();
		if (this._clusterAlpha(performance.now()) >= 0.5) { return null; }
		const {slot, x: xs, y: ys} = this._drawn;
		const slots = this._slots;
		const {dx, dy} = this._panned();
		const k = hitTest(xs, ys, this._drawnCount, x - dx, y - dy, {
			bodyRadius: SIZES[this._size].body / 2 + 1,
			maxRadius: this.options.hitRadius,
			accept: (i) => slots.state[slot[i]] === LIVE,
		});
		return k < 0 ? null : slots.idOf(slot[k]);
	},

	/**
	 * The cluster drawn at container point (`x`, `y`), the topmost: `{lat, lng, count}`, or null
	 * (also when buses are drawn one by one).
	 */
	clusterAt(x, y) {
		if (!this._map || this._anim) { return null; }
		this._drawNow();
		if (this._clusterAlpha(performance.now()) < 0.5) { return null; }
		const {dx, dy} = this._panned();
		const drawn = this._clustersDrawn;
		for (let k = drawn.length - 1; k >= 0; k--) {
			const r = clusterRadius(drawn.size[k]) + 2;
			const cx = drawn.x[k] + dx;
			const cy = drawn.y[k] + dy;
			if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) {
				const latlng = this._map.containerPointToLatLng([cx, cy]);
				return {lat: latlng.lat, lng: latlng.lng, count: drawn.size[k]};
			}
		}
		return null;
	},

	/** Zoom in to `cluster` (from `clusterAt`): centred on it, where its buses are drawn one by one. */
	zoomToCluster(cluster) {
		const map = this._map;
		if (!map || !cluster) { return this; }
		const zoom = Math.min(map.getMaxZoom(), Math.max(Math.floor(map.getZoom()) + 1, this.options.clusterBelowZoom));
		map.setView([cluster.lat, cluster.lng], zoom);
		return this;
	},

	/** Whether a cluster is under the pointer (the pointer is a hand then). */
	hoverCluster(over) {
		if (over === this._hoverCluster) { return this; }
		this._hoverCluster = over;
		this._pointerClass();
		return this;
	},

	/** Ids of the buses drawn, nearest to the centre of the map first. */
	idsByDistanceFromCentre() {
		if (!this._map) { return []; }
		this._drawNow();
		const {x: width, y: height} = this._map.getSize();
		const {slot, x, y} = this._drawn;
		const slots = this._slots;
		const {dx, dy} = this._panned();
		return byDistance(x, y, this._drawnCount, width / 2 - dx, height / 2 - dy)
			.filter((k) => slots.state[slot[k]] === LIVE && Math.abs(x[k] + dx - width / 2) <= width / 2 &&
				Math.abs(y[k] + dy - height / 2) <= height / 2)
			.map((k) => slots.idOf(slot[k]));
	},

	/** The bus under the pointer (shown with its label at any zoom), or null. */
	hover(id) {
		this._setHover(id === null ? -1 : this._slots.slotOf(id));
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

	_setHover(slot) {
		if (slot === this._hover) { return; }
		this._hover = slot;
		this._pointerClass();
		this._changed();
	},

	_pointerClass() {
		if (!this._map) { return; }
		const over = this._hover >= 0 || this._hoverCluster;
		L.DomUtil[over ? 'addClass' : 'removeClass'](this._map.getContainer(), 'bus-pointer');
	},

	// The view.

	/** The view drawn at time `now`: the map's, or the zoom animation's. */
	_view(now) {
		const anim = this._anim;
		if (!anim) { return this._mapView(); }
		return lerpView(anim.from, anim.to, zoomEase(clamp01((now - anim.start) / ZOOM_ANIM_MS)));
	},

	_mapView() {
		const map = this._map;
		const origin = map.getPixelOrigin();
		const topLeft = map.containerPointToLayerPoint([0, 0]);
		return {scale: map.getZoomScale(map.getZoom(), 0), ox: origin.x + topLeft.x, oy: origin.y + topLeft.y};
	},

	_onZoomAnim(e) {
		// Leaflet is about to CSS-scale the other layers to zoom `e.zoom` about `e.center`; the
		// map's own state jumps there right after this event.
		const map = this._map;
		const now = performance.now();
		const from = this._view(now);
		const panePos = map.containerPointToLayerPoint([0, 0]).multiplyBy(-1);
		// Leaflet's own _getNewPixelOrigin, with public methods.
		const origin = map.project(e.center, e.zoom).subtract(map.getSize().divideBy(2)).add(panePos).round();
		const to = {scale: map.getZoomScale(e.zoom, 0), ox: origin.x - panePos.x, oy: origin.y - panePos.y};
		this._anim = {start: now, from, to};
		// What is drawn goes where the other layers go, CSS-animated (leaflet.css), as Leaflet's
		// renderers do (Renderer._updateTransform); nothing is drawn until zoomend.
		const drawn = this._drawnView;
		if (drawn !== null) {
			const t = zoomTransform(drawn, this._pad, to, origin);
			for (const canvas of [this._canvas, this._clusterCanvas]) {
				L.DomUtil.setTransform(canvas, L.point(t.x, t.y), t.scale);
			}
		}
		this._setHover(-1);
		this.hoverCluster(false);
		this._changed();
	},

	_onZoomEnd() {
		this._anim = null;
		// Redrawn at the new zoom by the next frame (only once: drawing here as well would draw
		// twice in that frame, since the buses glide).
		this._changed();
	},

	_onMove() {
		// Drawn at once, so that the buses move with the map pane in the same frame.
		this._drawNow();
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

	// Clusters and buses.

	/** How opaque the clusters are at time `now` (the buses: 1 minus that). */
	_clusterAlpha(now) {
		const fade = this._crossfade;
		if (!fade) { return this._mode === 'clusters' ? 1 : 0; }
		const t = clamp01((now - fade.start) / this.options.crossfadeMs);
		return fade.toClusters ? t : 1 - t;
	},

	/**
	 * The canvases' opacities at time `now`, from the crossfade (CSS opacity: nothing is drawn
	 * again for it); once it is over, the canvas faded out is drawn empty by the next frame.
	 */
	_fade(now) {
		if (!this._canvas) { return; }
		const fade = this._crossfade;
		if (fade && now - fade.start >= this.options.crossfadeMs) {
			this._crossfade = null;
			this._changed();
		}
		const clusters = this._clusterAlpha(now);
		// Fully shown: no inline opacity, so that the page's own (greyed when not live) applies.
		this._canvas.style.opacity = clusters > 0 ? String(1 - clusters) : '';
		this._clusterCanvas.style.opacity = clusters < 1 ? String(clusters) : '';
		// One that shows nothing is not composited at all.
		this._canvas.style.visibility = clusters === 1 ? 'hidden' : '';
		this._clusterCanvas.style.visibility = clusters === 0 ? 'hidden' : '';
	},

	/** Clusters at the map's zoom now, or buses: start the crossfade when that changes. */
	_updateMode(now) {
		const clustered = this._map.getZoom() < this.options.clusterBelowZoom && this._routeFilter === null;
		const mode = clustered ? 'clusters' : 'buses';
		if (mode === this._mode) { return; }
		if (this._mode !== null && this.options.crossfadeMs > 0 && !reducedMotion.matches) {
			// From where a crossfade under way has got to.
			const a = this._clusterAlpha(now);
			const done = clustered ? a : 1 - a;
			this._crossfade = {start: now - done * this.options.crossfadeMs, toClusters: clustered};
		} else {
			this._crossfade = null;
		}
		this._mode = mode;
		this._setHover(-1);
		this._dirty = true;
	},

	// Drawing.

	_drawnArrays(capacity) {
		return {
			slot: new Int32Array(capacity), x: new Float32Array(capacity), y: new Float32Array(capacity),
			// Scratch space for sorting.
			keys: new Float64Array(capacity), slot2: new Int32Array(capacity),
			x2: new Float32Array(capacity), y2: new Float32Array(capacity), labelX: new Float32Array(capacity),
			widths: new Float32Array(capacity), order: new Int32Array(capacity),
			// The live ones in the world plane, for clustering.
			wx: new Float64Array(capacity), wy: new Float64Array(capacity), live: new Int32Array(capacity),
		};
	},

	/**
	 * How far the map was panned since the last draw (the canvas moved along with the map pane):
	 * add it to a drawn position to get the bus's place in the container now.
	 */
	_panned() {
		const drawn = this._drawnView;
		if (!this._map || drawn === null) { return {dx: 0, dy: 0}; }
		const view = this._view(performance.now());
		return {dx: drawn.ox - view.ox, dy: drawn.oy - view.oy};
	},

	/** Redraw if the view or anything drawn changed since the last time (not during a zoom animation). */
	_draw() {
		if (this._anim) { return; }
		const map = this._map;
		const canvas = this._canvas;
		const {x: width, y: height} = map.getSize();
		const padX = Math.round(width * this.options.padding);
		const padY = Math.round(height * this.options.padding);
		const dpr = globalThis.devicePixelRatio || 1;
		if (dpr !== this._dpr) {
			this._dpr = dpr;
			this._sprites = new SpriteAtlas({dpr});
			this._tags = new LabelSprites({dpr});
			this._clusterSprites = new ClusterSprites({dpr});
			this._dirty = true;
		}
		const w = Math.round((width + 2 * padX) * dpr);
		const h = Math.round((height + 2 * padY) * dpr);
		for (const c of [canvas, this._clusterCanvas]) {
			if (c.width !== w || c.height !== h) {
				c.width = w;
				c.height = h;
				c.style.width = `${width + 2 * padX}px`;
				c.style.height = `${height + 2 * padY}px`;
				this._dirty = true;
			}
		}
		const view = this._mapView();
		view.origin = map.getPixelOrigin();
		const size = sizeFor(map.getZoom());
		if (size !== this._size) {
			this._size = size;
			this._dirty = true;
		}
		const now = performance.now();
		this._updateMode(now);
		const drawn = this._drawnView;
		if (!this._dirty && drawn !== null && view.scale === drawn.scale && view.origin.equals(drawn.origin) &&
			Math.abs(view.ox - drawn.ox) <= padX && Math.abs(view.oy - drawn.oy) <= padY) {
			// Only panned, within the margin: the canvas moved with the map pane.
			return;
		}
		this._dirty = false;
		this._glided = 0;
		this._faded = 0;
		this._drawnView = view;
		this._pad = {x: padX, y: padY};
		// The canvas covers the container and a margin around it.
		const at = map.containerPointToLayerPoint([-padX, -padY]);
		L.DomUtil.setPosition(canvas, at);
		L.DomUtil.setPosition(this._clusterCanvas, at);

		const count = this._collect(view, width, height);
		// During a crossfade both are drawn, each on its canvas at full opacity (see _fade).
		const buses = this._mode === 'buses' || this._crossfade !== null;
		const clusters = this._mode === 'clusters' || this._crossfade !== null;
		const ctx = this._ctx;
		ctx.setTransform(1, 0, 0, 1, 0, 0);
		ctx.globalAlpha = 1;
		if (buses || this._spritesDrawn > 0 || this._labelsDrawn.length > 0) { ctx.clearRect(0, 0, w, h); }
		this._spritesDrawn = buses ? count : 0;
		if (buses) {
			this._drawBuses(ctx, count, dpr);
			this._drawLabels(ctx, count, dpr, map.getZoom() >= this.options.labelMinZoom);
		} else {
			this._labelled.fill(0);
			this._labelsDrawn = [];
			this._drawnStale.clear();
		}
		const clusterCtx = this._clusterCtx;
		if (clusters || this._clustersDrawn.length > 0) {
			clusterCtx.setTransform(1, 0, 0, 1, 0, 0);
			clusterCtx.clearRect(0, 0, w, h);
		}
		if (clusters) {
			this._drawClusters(clusterCtx, count, dpr, view);
		} else {
			this._clustersDrawn = {length: 0, x: new Float32Array(0), y: new Float32Array(0), size: [], members: []};
		}
		this._fade(now);
	},

	/**
	 * The live buses of `_drawn` counted per cell (busClusters.js), each cluster drawn at the
	 * middle of its buses.
	 */
	_drawClusters(ctx, count, dpr, view) {
		const slots = this._slots;
		const {slot, wx, wy, live} = this._drawn;
		let n = 0;
		for (let k = 0; k < count; k++) {
			const i = slot[k];
			if (slots.state[i] !== LIVE) { continue; }
			live[n] = i;
			wx[n] = slots.x[i];
			wy[n] = slots.y[i];
			n += 1;
		}
		const grid = clusterGrid(wx, wy, n, {zoom: clusterZoom(this._map.getZoom(), this.options.clusterBelowZoom)});
		const members = Array.from({length: grid.length}, () => []);
		for (let j = 0; j < n; j++) { members[grid.of[j]].push(live[j]); }
		const xs = new Float32Array(grid.length);
		const ys = new Float32Array(grid.length);
		const pad = this._pad;
		for (let k = 0; k < grid.length; k++) {
			xs[k] = grid.x[k] * view.scale - view.ox;
			ys[k] = grid.y[k] * view.scale - view.oy;
			const sprite = this._clusterSprites.sprite(grid.size[k]);
			ctx.drawImage(sprite.canvas, Math.round((xs[k] + pad.x) * dpr - sprite.half),
				Math.round((ys[k] + pad.y) * dpr - sprite.half));
		}
		this._clustersDrawn = {length: grid.length, x: xs, y: ys, size: [...grid.size], members};
	},

	/**
	 * Fill `_drawn` with the buses on the canvas (container coordinates), southern ones last
	 * (drawn on top). Returns how many.
	 */
	_collect(view, width, height) {
		const slots = this._slots;
		if (this._drawn.slot.length < slots.length) { this._drawn = this._drawnArrays(slots.capacity); }
		const {slot: outSlot, x: outX, y: outY, keys, slot2, x2, y2} = this._drawn;
		const {x, y, state, visible} = slots;
		const {scale, ox, oy} = view;
		const mx = cellHalf(this._size) + this._pad.x;
		const my = cellHalf(this._size) + this._pad.y;
		const offset = 4 * (my + 1);
		let n = 0;
		for (let i = 0; i < slots.length; i++) {
			if (state[i] === FREE || !visible[i]) { continue; }
			const sx = x[i] * scale - ox;
			const sy = y[i] * scale - oy;
			if (sx < -mx || sy < -my || sx > width + mx || sy > height + my) { continue; }
			slot2[n] = i;
			x2[n] = sx;
			y2[n] = sy;
			keys[n] = (Math.round(sy * 4) + offset) * SORT_SPAN + n;
			n += 1;
		}
		const sorted = keys.subarray(0, n).sort();
		for (let k = 0; k < n; k++) {
			const j = sorted[k] % SORT_SPAN;
			outSlot[k] = slot2[j];
			outX[k] = x2[j];
			outY[k] = y2[j];
		}
		this._drawnCount = n;
		return n;
	},

	/** The buses of `_drawn`, each at its own opacity (fading in or out). */
	_drawBuses(ctx, count, dpr) {
		const slots = this._slots;
		const {bearing, alpha, vehicle} = slots;
		const {slot, x, y} = this._drawn;
		const size = this._size;
		const pad = this._pad;
		const chosen = slots.slotOf(this._popup.vehicleId);
		const stale = this._stale;
		const greyed = this._drawnStale;
		greyed.clear();
		let color = null;
		let strip = null;
		let open = -1;
		let drawnAlpha = 1;
		for (let k = 0; k < count; k++) {
			const i = slot[k];
			const v = vehicle[i];
			const grey = stale.size > 0 && stale.has(v.id);
			const c = grey ? null : v.color;
			if (c !== color || strip === null) {
				color = c;
				strip = this._sprites.strip(grey ? null : c, size);
			}
			if (grey) { greyed.add(v.id); }
			const cell = strip.cell;
			// (globalAlpha set only when it changes.)
			const a = alpha[i];
			if (a !== drawnAlpha) {
				ctx.globalAlpha = a;
				drawnAlpha = a;
			}
			ctx.drawImage(strip.canvas, bearingBucket(bearing[i]) * cell, 0, cell, cell,
				Math.round((x[k] + pad.x) * dpr - cell / 2), Math.round((y[k] + pad.y) * dpr - cell / 2), cell, cell);
			if (i === chosen) { open = k; }
		}
		ctx.globalAlpha = 1;
		if (open >= 0) {
			// The bus whose popup is open (chosen by click or key) gets a ring, like a focus outline.
			ctx.beginPath();
			ctx.arc((x[open] + pad.x) * dpr, (y[open] + pad.y) * dpr, (SIZES[size].body / 2 + 4) * dpr, 0, 2 * Math.PI);
			ctx.lineWidth = 2.5 * dpr;
			ctx.strokeStyle = '#1d2327';
			ctx.stroke();
		}
	},

	/** The colour of a bus's label bar: its route's, grey when it went silent. */
	_labelColor(vehicle) {
		return this._stale.size > 0 && this._stale.has(vehicle.id) ? STALE_COLOR : vehicle.color;
	},

	/** Route labels: of every bus that has room (zoomed in), else of the one under the pointer or chosen. */
	_drawLabels(ctx, count, dpr, all) {
		const slots = this._slots;
		const {slot, x, y, labelX, widths, order} = this._drawn;
		const labelled = this._labelled;
		const chosen = slots.slotOf(this._popup.vehicleId);
		const special = [this._hover, chosen === this._hover ? -1 : chosen];
		let n = 0;
		// Most wanted first: the bus under the pointer and the chosen one, then those that had a
		// label last frame (so labels do not flicker as buses pass each other), then the others.
		for (const wanted of special) {
			for (let k = 0; wanted >= 0 && k < count; k++) {
				if (slot[k] === wanted && slots.state[wanted] === LIVE) { order[n++] = k; }
			}
		}
		for (let pass = 1; all && pass >= 0; pass--) {
			for (let k = 0; k < count; k++) {
				const i = slot[k];
				if (labelled[i] === pass && i !== special[0] && i !== special[1] && slots.state[i] === LIVE) { order[n++] = k; }
			}
		}
		for (let k = 0; k < n; k++) {
			const vehicle = slots.vehicle[slot[order[k]]];
			widths[order[k]] = this._tags.tag(vehicle.route, this._labelColor(vehicle)).width;
		}
		placeLabels({
			xs: x, ys: y, count, order, orderCount: n, widths, radius: SIZES[this._size].body / 2 + 1,
		}, labelX);
		labelled.fill(0);
		this._labelsDrawn = [];
		for (let k = 0; k < count; k++) {
			if (Number.isNaN(labelX[k])) { continue; }
			const i = slot[k];
			const vehicle = slots.vehicle[i];
			const tag = this._tags.tag(vehicle.route, this._labelColor(vehicle), labelX[k] > x[k]);
			const top = y[k] - LABEL_HEIGHT / 2;
			const a = slots.alpha[i];
			if (a < 1) { ctx.globalAlpha = a; }
			ctx.drawImage(tag.canvas, Math.round((labelX[k] + this._pad.x - tag.pad) * dpr),
				Math.round((top + this._pad.y - tag.pad) * dpr));
			if (a < 1) { ctx.globalAlpha = 1; }
			labelled[i] = 1;
			this._labelsDrawn.push({slot: i, x: labelX[k], y: y[k]});
		}
	},
});

export function busCanvasLayer(options) {
	return new BusCanvasLayer(options);
}
