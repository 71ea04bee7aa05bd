/**
 * Which bus drawn on the canvas is under the pointer, and which are nearest to a point (for the
 * keyboard): geometry on the screen positions of the buses in the order they were drawn (a later
 * one is drawn over an earlier one).
 *
 * Pure: arrays of numbers in, indices out. No Leaflet, no DOM.
 */

/**
 * The index of the bus at (`px`, `py`): the topmost whose body holds the point, else the
 * nearest whose centre is within `maxRadius`; -1 if none.
 *
 * @param {ArrayLike<number>} xs centres in draw order (CSS pixels)
 * @param {ArrayLike<number>} ys
 * @param {number} count
 * @param {number} px
 * @param {number} py
 * @param {object} [options]
 * @param {number} [options.bodyRadius=7] how far from its centre a bus's body reaches
 * @param {number} [options.maxRadius=12] how far from a bus a click still finds it
 * @param {Function} [options.accept] `(index) => boolean`: whether bus `index` may be found
 */
export function hitTest(xs, ys, count, px, py, {bodyRadius = 7, maxRadius = 12, accept = null} = {}) {
	const body2 = bodyRadius * bodyRadius;
	let best = -1;
	let bestD2 = maxRadius * maxRadius;
	for (let i = count - 1; i >= 0; i--) {
		const dx = xs[i] - px;
		const dy = ys[i] - py;
		const d2 = dx * dx + dy * dy;
		if ((d2 <= body2 || d2 < bestD2) && accept !== null && !accept(i)) { continue; }
		if (d2 <= body2) { return i; } // The topmost body under the point wins.
		if (d2 < bestD2) {
			best = i;
			bestD2 = d2;
		}
	}
	return best;
}

/**
 * Indices of the buses ordered by distance from (`cx`, `cy`), nearest first (ties: topmost
 * first).
 */
export function byDistance(xs, ys, count, cx, cy) {
	const d2 = new Float64Array(count);
	const order = new Array(count);
	for (let i = 0; i < count; i++) {
		const dx = xs[i] - cx;
		const dy = ys[i] - cy;
		d2[i] = dx * dx + dy * dy;
		order[i] = i;
	}
	order.sort((a, b) => d2[a] - d2[b] || b - a);
	return order;
}
