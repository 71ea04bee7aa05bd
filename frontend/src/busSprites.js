/**
 * The look of a bus on the canvas: a teardrop in the route's colour, white-rimmed, its point
 * turned to the bearing (as the DOM markers drew it), pre-rendered once per colour, size and
 * bearing bucket into a strip (one strip per colour and size, one cell per 10° of bearing), so
 * that drawing a bus is one `drawImage` of a cell.
 *
 * `bearingBucket` and `sizeFor` are pure; `SpriteAtlas` draws on canvases it is given a way to
 * make (the page's `document`), and holds no state about buses.
 */

import {createCanvas as newCanvas} from './canvas.js';
import {mapColor} from './contrast.js';
import {normalizeBearing} from './geo.js';

/** Degrees of bearing per pre-rendered cell. */
export const BEARING_STEP = 10;

/**
 * Sizes by zoom, in CSS pixels: `body` is the teardrop's round part (its point reaches
 * `body / 2 * √2` from the centre), `rim` the white edge, `shadow` the blur of its shadow.
 * Small and thin-rimmed when the whole city shows (thousands of buses, many overlapping, and
 * the route lines should show between them), as large as the DOM markers were from zoom 15.
 */
export const SIZES = Object.freeze([
	Object.freeze({minZoom: -Infinity, body: 8, rim: 1, shadow: 1.5}),
	Object.freeze({minZoom: 12, body: 10, rim: 1.25, shadow: 2}),
	Object.freeze({minZoom: 13, body: 13, rim: 1.75, shadow: 2.5}),
	Object.freeze({minZoom: 15, body: 17, rim: 2, shadow: 2.5}),
]);

/** The cell of `bearing` (degrees): 0 for [355, 5), 1 for [5, 15), … with `step`-degree cells. */
export function bearingBucket(bearing, step = BEARING_STEP) {
	const cells = Math.round(360 / step);
	return Math.round(normalizeBearing(bearing) / step) % cells;
}

/** The index in SIZES for map zoom `zoom`. */
export function sizeFor(zoom) {
	let index = 0;
	for (let i = 1; i < SIZES.length; i++) {
		if (zoom >= SIZES[i].minZoom) { index = i; }
	}
	return index;
}

/** The greyed look of a bus gone silent: a pale grey body in a darker grey rim. */
export const STALE_FILL = '#b4bcc0';
export const STALE_RIM = '#6b757b';

/** Room around the teardrop's point for its shadow, in CSS pixels. */
const SHADOW_PAD = 3;

/**
 * Half the side of a cell in CSS pixels for size `size`: the teardrop turns about its centre,
 * so the cell holds its point in every direction, plus the shadow.
 */
export function cellHalf(size) {
	const {body} = SIZES[size];
	return Math.ceil(body / 2 * Math.SQRT2 + SHADOW_PAD);
}

/** Trace a teardrop centred at (cx, cy), round part of radius `r`, point towards `angle` (radians, clockwise from north). */
function teardrop(ctx, cx, cy, r, angle) {
	// In screen coordinates (y down), north is -y: the point's direction is angle - 90°.
	const a = angle - Math.PI / 2;
	const tip = r * Math.SQRT2;
	ctx.beginPath();
	ctx.moveTo(cx + Math.cos(a) * tip, cy + Math.sin(a) * tip);
	// The round part: from 45° past the point on one side to 45° before it on the other.
	ctx.arc(cx, cy, r, a + Math.PI / 4, a - Math.PI / 4 + 2 * Math.PI);
	ctx.closePath();
}

export class SpriteAtlas {
	/**
	 * @param {object} [options]
	 * @param {number} [options.dpr=1] device pixels per CSS pixel
	 * @param {Function} [options.createCanvas] `(width, height) => canvas`
	 * @param {number} [options.maxStrips=256] strips kept (least recently made are dropped)
	 */
	constructor({dpr = 1, createCanvas, maxStrips = 256} = {}) {
		this.dpr = dpr;
		this._createCanvas = createCanvas ?? newCanvas;
		this._maxStrips = maxStrips;
		this._strips = new Map(); // `${size}|${color}` → {canvas, cell}
	}

	/** Number of strips made and kept. */
	get size() {
		return this._strips.size;
	}

	/**
	 * The strip of `color` at size `size` (index in SIZES): `{canvas, cell}` where `cell` is
	 * the side of one cell in device pixels; cell `bearingBucket(b)` starts at x = bucket × cell,
	 * and the bus's centre is the cell's centre. `color` null gives the greyed look of a bus that
	 * went silent (stale.js): grey, faded, with a grey rim.
	 */
	strip(color, size) {
		const key = `${size}|${color ?? 'stale'}`;
		let strip = this._strips.get(key);
		if (!strip) {
			strip = this._render(color, size);
			if (this._strips.size >= this._maxStrips) {
				this._strips.delete(this._strips.keys().next().value);
			}
			this._strips.set(key, strip);
		}
		return strip;
	}

	_render(color, size) {
		const {body, rim, shadow} = SIZES[size];
		const stale = color === null;
		const dpr = this.dpr;
		const cell = Math.ceil(2 * cellHalf(size) * dpr);
		const cells = Math.round(360 / BEARING_STEP);
		const canvas = this._createCanvas(cell * cells, cell);
		const ctx = canvas.getContext('2d');
		ctx.scale(dpr, dpr);
		const half = cell / dpr / 2;
		const r = body / 2;
		for (let i = 0; i < cells; i++) {
			const cx = i * cell / dpr + half;
			const angle = i * BEARING_STEP * Math.PI / 180;
			// Shadow first (under the rim), then the body and its rim without a shadow.
			ctx.save();
			ctx.shadowColor = 'rgba(0, 0, 0, 0.45)';
			ctx.shadowBlur = shadow * dpr;
			ctx.shadowOffsetY = 0.75 * dpr;
			teardrop(ctx, cx, half, r, angle);
			ctx.fillStyle = '#ffffff';
			ctx.fill();
			ctx.restore();
			teardrop(ctx, cx, half, r - rim / 2, angle);
			// Too light a route colour (white, pale yellow) is darkened to stand out from the map.
			ctx.fillStyle = stale ? STALE_FILL : mapColor(color);
			ctx.fill();
			ctx.lineWidth = rim;
			ctx.strokeStyle = stale ? STALE_RIM : '#ffffff';
			ctx.lineJoin = 'round';
			ctx.stroke();
		}
		return {canvas, cell};
	}
}
