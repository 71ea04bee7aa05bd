/**
 * Buses counted per area at city zoom, where thousands of teardrops would make one blob: the
 * canvas layer (busCanvasLayer.js) draws, below `CLUSTER_BELOW_ZOOM`, one circle per cell of a
 * square grid with the number of buses in it, at the centre of those buses, sized by the count.
 *
 * The grid is laid on the world plane (Web Mercator pixels at zoom 0, as busSlots.js holds the
 * buses) with cells `CELL_PX` screen pixels wide at the cluster zoom: a pan does not move it,
 * so the counts do not change as the map is dragged, and the same buses always give the same
 * clusters (in the same order: by row, then column), whatever order they come in. Clusters of
 * neighbouring cells whose circles would overlap are then merged, the bigger taking the smaller.
 *
 * `clusterGrid` and `clusterRadius` are pure; `ClusterSprites` draws on canvases it is given a
 * way to make (the page's `document`), one per count, as busSprites.js does for buses.
 */

import {createCanvas as newCanvas} from './canvas.js';

/** Below this zoom the buses are drawn as counts per cell, from it on one by one. */
export const CLUSTER_BELOW_ZOOM = 12;

/** A cell's side in screen (CSS) pixels at the cluster zoom. */
export const CELL_PX = 64;

/** The clusters' fill and what is written on it. */
export const CLUSTER_FILL = '#1a4f7a';
export const CLUSTER_TEXT = '#ffffff';

/** Room (CSS pixels) kept between two clusters' circles. */
export const CLUSTER_GAP = 2;

/** Columns per grid row in cell keys (more than any zoom up to 24 has cells of CELL_PX). */
const ROW = 2 ** 26;

/**
 * The zoom whose grid clusters the buses at map zoom `zoom`: the map's own (whole levels), but
 * never `below` or more (during the crossfade to buses at `below`, the clusters shown are those
 * of the level beneath, spread out with the map).
 */
export function clusterZoom(zoom, below = CLUSTER_BELOW_ZOOM) {
	return Math.min(Math.floor(zoom), below - 1);
}

/**
 * Cluster `count` points (`xs[i]`, `ys[i]`: world plane, zoom 0) into the cells of a grid of
 * `cellPx` pixels at zoom `zoom`.
 *
 * @param {ArrayLike<number>} xs
 * @param {ArrayLike<number>} ys
 * @param {number} count how many of xs, ys to take
 * @param {object} options
 * @param {number} options.zoom the cluster zoom (see `clusterZoom`)
 * @param {number} [options.cellPx=CELL_PX]
 * @param {boolean} [options.merge=true] whether clusters whose circles overlap are merged
 * @returns {{length: number, x: Float64Array, y: Float64Array, size: Int32Array, of: Int32Array}}
 *   `length` clusters, cluster `k` at (`x[k]`, `y[k]`) (the mean of its points, world plane)
 *   with `size[k]` points; `of[i]` is the cluster of point `i`. Ordered by row, then column.
 */
export function clusterGrid(xs, ys, count, {zoom, cellPx = CELL_PX, merge = true}) {
	const cell = cellPx / 2 ** zoom; // a cell's side in the world plane
	const index = new Map(); // cell key → provisional cluster
	const keys = [];
	const of = new Int32Array(count);
	const sumX = [];
	const sumY = [];
	const size = [];
	for (let i = 0; i < count; i++) {
		const key = Math.floor(ys[i] / cell) * ROW + Math.floor(xs[i] / cell);
		let k = index.get(key);
		if (k === undefined) {
			k = keys.length;
			index.set(key, k);
			keys.push(key);
			sumX.push(0);
			sumY.push(0);
			size.push(0);
		}
		of[i] = k;
		sumX[k] += xs[i];
		sumY[k] += ys[i];
		size[k] += 1;
	}
	const order = keys.map((_, k) => k).sort((a, b) => keys[a] - keys[b]);
	const rank = new Int32Array(order.length);
	const out = {
		length: order.length, x: new Float64Array(order.length), y: new Float64Array(order.length),
		size: new Int32Array(order.length), of,
	};
	order.forEach((k, r) => {
		rank[k] = r;
		out.x[r] = sumX[k] / size[k];
		out.y[r] = sumY[k] / size[k];
		out.size[r] = size[k];
	});
	for (let i = 0; i < count; i++) { of[i] = rank[of[i]]; }
	return merge ? mergeOverlapping(out, 2 ** zoom) : out;
}

/**
 * Merge the clusters of `grid` whose circles (`clusterRadius`, at `scale` screen pixels per
 * world unit) come closer than CLUSTER_GAP, biggest first (ties: the first in row order), until
 * none do; the survivors keep their order.
 */
function mergeOverlapping(grid, scale) {
	const n = grid.length;
	const x = Float64Array.from(grid.x);
	const y = Float64Array.from(grid.y);
	const size = Int32Array.from(grid.size);
	const into = Int32Array.from({length: n}, (_, k) => k);
	const alive = new Uint8Array(n).fill(1);
	let merged = true;
	while (merged) {
		merged = false;
		const order = [];
		for (let k = 0; k < n; k++) { if (alive[k]) { order.push(k); } }
		order.sort((a, b) => size[b] - size[a] || a - b);
		for (const a of order) {
			if (!alive[a]) { continue; }
			for (const b of order) {
				if (b === a || !alive[b]) { continue; }
				const reach = clusterRadius(size[a]) + clusterRadius(size[b]) + CLUSTER_GAP;
				if (((x[a] - x[b]) * scale) ** 2 + ((y[a] - y[b]) * scale) ** 2 >= reach * reach) { continue; }
				const total = size[a] + size[b];
				x[a] = (x[a] * size[a] + x[b] * size[b]) / total;
				y[a] = (y[a] * size[a] + y[b] * size[b]) / total;
				size[a] = total;
				alive[b] = 0;
				into[b] = a;
				merged = true;
			}
		}
	}
	if (alive.every(Boolean)) { return grid; }
	const root = (k) => {
		while (into[k] !== k) { k = into[k]; }
		return k;
	};
	const rank = new Int32Array(n).fill(-1);
	const out = {length: 0, x: [], y: [], size: [], of: grid.of};
	for (let k = 0; k < n; k++) {
		if (!alive[k]) { continue; }
		rank[k] = out.length++;
		out.x.push(x[k]);
		out.y.push(y[k]);
		out.size.push(size[k]);
	}
	out.x = Float64Array.from(out.x);
	out.y = Float64Array.from(out.y);
	out.size = Int32Array.from(out.size);
	for (let i = 0; i < out.of.length; i++) { out.of[i] = rank[root(out.of[i])]; }
	return out;
}

/** A cluster's radius in CSS pixels for `count` buses: 9 for one, 14 for ten, 24 for a thousand. */
export function clusterRadius(count) {
	return Math.round(9 + 5 * Math.log10(Math.max(1, count)));
}

/** What a cluster says: the count, shortened from 10,000 on ("12k"). */
export function clusterText(count) {
	return count < 10000 ? String(count) : `${Math.round(count / 1000)}k`;
}

export class ClusterSprites {
	/**
	 * @param {object} [options]
	 * @param {number} [options.dpr=1]
	 * @param {Function} [options.createCanvas] `(width, height) => canvas`
	 * @param {number} [options.max=512] sprites kept (least recently made are dropped)
	 */
	constructor({dpr = 1, createCanvas, max = 512} = {}) {
		this.dpr = dpr;
		this._createCanvas = createCanvas ?? newCanvas;
		this._max = max;
		this._sprites = new Map(); // count → {canvas, half}
	}

	/** The sprite of a cluster of `count`: `{canvas, half}`, its centre `half` device pixels from its corner. */
	sprite(count) {
		let sprite = this._sprites.get(count);
		if (!sprite) {
			sprite = this._render(count);
			if (this._sprites.size >= this._max) { this._sprites.delete(this._sprites.keys().next().value); }
			this._sprites.set(count, sprite);
		}
		return sprite;
	}

	_render(count) {
		const dpr = this.dpr;
		const r = clusterRadius(count);
		const half = Math.ceil((r + 3) * dpr);
		const canvas = this._createCanvas(2 * half, 2 * half);
		const ctx = canvas.getContext('2d');
		ctx.scale(dpr, dpr);
		const c = half / dpr;
		ctx.save();
		ctx.shadowColor = 'rgba(0, 0, 0, 0.35)';
		ctx.shadowBlur = 2 * dpr;
		ctx.shadowOffsetY = 0.75 * dpr;
		ctx.beginPath();
		ctx.arc(c, c, r, 0, 2 * Math.PI);
		ctx.fillStyle = '#ffffff';
		ctx.fill();
		ctx.restore();
		ctx.beginPath();
		ctx.arc(c, c, r - 1.5, 0, 2 * Math.PI);
		ctx.fillStyle = CLUSTER_FILL;
		ctx.globalAlpha = 0.9;
		ctx.fill();
		ctx.globalAlpha = 1;
		const text = clusterText(count);
		ctx.font = `600 ${text.length > 3 ? 11 : 12}px system-ui, sans-serif`;
		ctx.fillStyle = CLUSTER_TEXT;
		ctx.textAlign = 'center';
		ctx.textBaseline = 'middle';
		ctx.fillText(text, c, c + 0.5);
		return {canvas, half};
	}
}
