/**
 * The drawing of one frame of the canvas bus layer (busCanvasLayer.js), added to BusCanvasLayer
 * with `include`: `_draw`, which the animation loop calls, and its parts.
 *
 * The buses on screen are each drawn as a pre-rendered sprite (busSprites.js) in its route's
 * colour turned to its bearing, the southern ones over the northern ones, each at its own
 * opacity (fading in or out); from zoom 14 on (`labelMinZoom`), route labels that do not overlap
 * (busLabels.js). A bus gone silent is drawn with a grey sprite and a grey label bar, and the one
 * whose popup is open gets a ring.
 *
 * The canvas sits in a pane of its own above the route lines and the stops and covers the map's
 * container and a margin around it. A pan moves it along with the map pane, as Leaflet's own
 * canvas renderer; it is redrawn when the margin runs out and when something on it moves (not
 * during Leaflet's zoom animation: busCanvasZoom.js).
 *
 * Below zoom 12 (`clusterBelowZoom`, busClusters.js), where the whole city's buses would make
 * one blob, they are drawn as counts per area instead: one circle per cell of a grid fixed on
 * the map, at the middle of its buses, sized by their number, on a canvas of its own above the
 * buses'; a click on one zooms in to it (busCanvasInput.js). While the two crossfade
 * (busCanvasZoom.js) both are drawn.
 */

import L from './leafletGlobal.js';
import {LABEL_HEIGHT, LabelSprites, placeLabels} from './busLabels.js';
import {ClusterSprites, clusterGrid, clusterZoom} from './busClusters.js';
import {FREE, LIVE} from './busSlots.js';
import {SIZES, SpriteAtlas, bearingBucket, cellHalf, sizeFor} from './busSprites.js';

/** The colour of a silent bus's label bar. */
const STALE_COLOR = '#8d969b';

/** Sort keys: (quarter pixels of y) × SORT_SPAN + index. */
const SORT_SPAN = 2 ** 20;

// Methods of BusCanvasLayer, added by busCanvasLayer.js with `include`. (No getters in here:
// include copies properties by value, which would call them.)
export const drawMethods = {
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
};
