/**
 * What the canvas bus layer (busCanvasLayer.js) shows and where, added to BusCanvasLayer with
 * `include`: read-only queries. Counts and ids of the buses (all of them, those shown in the
 * view, those drawn greyed or let through by the route filter), where they are drawn, the
 * clusters and route labels drawn: for the page's test hooks (`window.bustrack`, main.js) and for
 * busCanvasInput.js, which finds the bus or cluster under a click (`idAt`, `clusterAt`) and steps
 * through the buses with the keyboard (`idsByDistanceFromCentre`).
 *
 * Positions are in the map container's CSS pixels. What the last frame drew is where it was
 * drawn plus how far the map was panned since (`_panned`: the canvas moved with the map pane);
 * the hit tests bring the canvas up to date first, and find nothing during a zoom animation.
 */

import {byDistance, hitTest} from './busHit.js';
import {clusterRadius} from './busClusters.js';
import {LIVE} from './busSlots.js';
import {SIZES} from './busSprites.js';

// Methods of BusCanvasLayer, added by busCanvasLayer.js with `include`. (No getters in here:
// include copies properties by value, which would call them.)
export const queryMethods = {
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

	/** The record of bus `id` (as last applied), or undefined. */
	vehicleOf(id) {
		const slot = this._slots.slotOf(id);
		return slot < 0 ? undefined : this._slots.vehicle[slot];
	},

	/** The bus popup (its `vehicleId` is the bus whose popup is open). */
	getPopup() {
		return this._popup;
	},

	/** Ids of the buses drawn greyed in the last frame (in or near the view). */
	greyedIds() {
		return [...this._drawnStale];
	},

	/** The id of the bus the map follows, or null. */
	followedId() {
		return this._follow?.id ?? null;
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
};
