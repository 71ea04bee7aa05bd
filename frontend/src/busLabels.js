/**
 * Route labels beside the buses on the canvas, zoomed in far enough: a white tag with the route
 * number and a bar in the route's colour (as the DOM markers had), pre-rendered once per route
 * and colour.
 *
 * `placeLabels` chooses which buses get a label and on which side, so that no two labels
 * overlap and no label covers another bus: pure, on arrays of numbers. `LabelSprites` draws the
 * tags on canvases it is given a way to make.
 */

import {createCanvas as newCanvas} from './canvas.js';
import {mapColor} from './contrast.js';

/** A label's height in CSS pixels. */
export const LABEL_HEIGHT = 16;
/** Room between a bus's body and its label, in CSS pixels. */
export const LABEL_GAP = 2;

const FONT = '600 11px system-ui, sans-serif';
const PAD_X = 4;
const BAR = 3;
const SHADOW_PAD = 2;

/**
 * Place labels greedily, in priority order: each goes right of its bus, else left, else not at
 * all, wherever it would overlap a label already placed or the body of any bus.
 *
 * @param {object} input
 * @param {ArrayLike<number>} input.xs bus centres (CSS pixels)
 * @param {ArrayLike<number>} input.ys
 * @param {number} input.count buses in `xs`/`ys` (all of them take room)
 * @param {ArrayLike<number>} input.order indices of the buses that want a label, most wanted first
 * @param {number} input.orderCount how many of `order` to consider
 * @param {ArrayLike<number>} input.widths label width per bus index (CSS pixels)
 * @param {number} input.radius half the size of a bus's body
 * @param {number} [input.height=LABEL_HEIGHT]
 * @param {number} [input.gap=LABEL_GAP]
 * @param {number} [input.cellSize=64] grid cell for the overlap search
 * @param {Float32Array} outX left edge of each placed label, per bus index (NaN: no label)
 * @returns {number} how many labels were placed (their tops are at `ys[i] - height / 2`)
 */
export function placeLabels({xs, ys, count, order, orderCount, widths, radius, height = LABEL_HEIGHT,
	gap = LABEL_GAP, cellSize = 64}, outX) {
	outX.fill(NaN, 0, count);
	const grid = new Map(); // cell key → [x0, y0, x1, y1, owner, …]
	const key = (cx, cy) => cx * 73856093 ^ cy * 19349663;
	const insert = (x0, y0, x1, y1, owner) => {
		for (let cy = Math.floor(y0 / cellSize); cy <= Math.floor(y1 / cellSize); cy++) {
			for (let cx = Math.floor(x0 / cellSize); cx <= Math.floor(x1 / cellSize); cx++) {
				const k = key(cx, cy);
				let list = grid.get(k);
				if (!list) {
					list = [];
					grid.set(k, list);
				}
				list.push(x0, y0, x1, y1, owner);
			}
		}
	};
	// Whether the box overlaps a box in the grid other than its owner's own body.
	const free = (x0, y0, x1, y1, owner) => {
		for (let cy = Math.floor(y0 / cellSize); cy <= Math.floor(y1 / cellSize); cy++) {
			for (let cx = Math.floor(x0 / cellSize); cx <= Math.floor(x1 / cellSize); cx++) {
				const list = grid.get(key(cx, cy));
				if (!list) { continue; }
				for (let j = 0; j < list.length; j += 5) {
					if (list[j + 4] !== owner && x0 < list[j + 2] && x1 > list[j] && y0 < list[j + 3] && y1 > list[j + 1]) {
						return false;
					}
				}
			}
		}
		return true;
	};
	for (let i = 0; i < count; i++) {
		insert(xs[i] - radius, ys[i] - radius, xs[i] + radius, ys[i] + radius, i);
	}
	let placed = 0;
	for (let k = 0; k < orderCount; k++) {
		const i = order[k];
		const w = widths[i];
		const y0 = ys[i] - height / 2;
		const y1 = y0 + height;
		const right = xs[i] + radius + gap;
		const left = xs[i] - radius - gap - w;
		for (const x0 of [right, left]) {
			if (free(x0, y0, x0 + w, y1, i)) {
				// A label is nobody's body: no later label may overlap it.
				insert(x0, y0, x0 + w, y1, -1);
				outX[i] = x0;
				placed += 1;
				break;
			}
		}
	}
	return placed;
}

export class LabelSprites {
	/**
	 * @param {object} [options]
	 * @param {number} [options.dpr=1]
	 * @param {Function} [options.createCanvas] `(width, height) => canvas`
	 * @param {number} [options.max=2000] tags kept (least recently used are dropped)
	 */
	constructor({dpr = 1, createCanvas, max = 2000} = {}) {
		this.dpr = dpr;
		this._createCanvas = createCanvas ?? newCanvas;
		this._max = max;
		this._tags = new Map(); // `${color}|${text}` → {canvas, width, pad}
		this._measure = null;
	}

	/**
	 * The tag for `text` in `color`: `{canvas, width, pad}`: `width` is the label's width in CSS
	 * pixels, the canvas holds it with `pad` CSS pixels of shadow room on every side (at `dpr`).
	 * The colour bar is on the side of the bus: left for a label right of its bus (`barLeft`),
	 * else right.
	 */
	tag(text, color, barLeft = true) {
		const key = `${barLeft ? 'L' : 'R'}|${color}|${text}`;
		let tag = this._tags.get(key);
		if (tag) {
			// Most recently used last.
			this._tags.delete(key);
		} else {
			tag = this._render(text, color, barLeft);
			if (this._tags.size >= this._max) { this._tags.delete(this._tags.keys().next().value); }
		}
		this._tags.set(key, tag);
		return tag;
	}

	/** The label width (CSS pixels) of `text`. */
	width(text) {
		if (!this._measure) {
			this._measure = this._createCanvas(1, 1).getContext('2d');
			this._measure.font = FONT;
		}
		return Math.ceil(this._measure.measureText(text).width) + 2 * PAD_X + BAR;
	}

	_render(text, color, barLeft) {
		const dpr = this.dpr;
		const width = this.width(text);
		const pad = SHADOW_PAD;
		const canvas = this._createCanvas(Math.ceil((width + 2 * pad) * dpr), Math.ceil((LABEL_HEIGHT + 2 * pad) * dpr));
		const ctx = canvas.getContext('2d');
		ctx.scale(dpr, dpr);
		ctx.translate(pad, pad);
		ctx.save();
		ctx.shadowColor = 'rgba(0, 0, 0, 0.3)';
		ctx.shadowBlur = 2 * dpr;
		ctx.shadowOffsetY = 0.5 * dpr;
		ctx.fillStyle = 'rgba(255, 255, 255, 0.94)';
		roundRect(ctx, 0, 0, width, LABEL_HEIGHT, 3);
		ctx.fill();
		ctx.restore();
		ctx.save();
		roundRect(ctx, 0, 0, width, LABEL_HEIGHT, 3);
		ctx.clip();
		ctx.fillStyle = mapColor(color);
		ctx.fillRect(barLeft ? 0 : width - BAR, 0, BAR, LABEL_HEIGHT);
		ctx.restore();
		ctx.font = FONT;
		ctx.fillStyle = '#1d2327';
		ctx.textBaseline = 'middle';
		ctx.fillText(text, (barLeft ? BAR : 0) + PAD_X, LABEL_HEIGHT / 2 + 0.5);
		return {canvas, width, pad};
	}
}

function roundRect(ctx, x, y, w, h, r) {
	ctx.beginPath();
	ctx.moveTo(x + r, y);
	ctx.arcTo(x + w, y, x + w, y + h, r);
	ctx.arcTo(x + w, y + h, x, y + h, r);
	ctx.arcTo(x, y + h, x, y, r);
	ctx.arcTo(x, y, x + w, y, r);
	ctx.closePath();
}
