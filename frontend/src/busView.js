/**
 * Where the canvas layer draws a point: a *view* maps a point `w` of the world plane (Web
 * Mercator pixels at zoom 0) to the map's container, `c = w × scale − offset`.
 *
 * During Leaflet's zoom animation the layers are CSS-scaled from the old view to the new one
 * (leaflet.css: `transform 0.25s cubic-bezier(0,0,0.25,1)`); a CSS transform interpolated that
 * way moves every point along the straight line between its old and its new place, which is the
 * view `lerpView(old, new, ease(t))`: where a bus is shown mid-zoom. The canvas is not redrawn
 * then: like Leaflet's own renderers it is given the transform (`zoomTransform`) that takes what
 * it shows to the new view, and the browser animates it.
 *
 * Pure: numbers in, numbers out.
 */

/** Length of Leaflet's zoom animation (leaflet.css, `.leaflet-zoom-anim .leaflet-zoom-animated`). */
export const ZOOM_ANIM_MS = 250;

/**
 * The CSS timing function `cubic-bezier(x1, y1, x2, y2)`: `(t) => progress`, t in [0, 1].
 */
export function cubicBezier(x1, y1, x2, y2) {
	const cx = 3 * x1;
	const bx = 3 * (x2 - x1) - cx;
	const ax = 1 - cx - bx;
	const cy = 3 * y1;
	const by = 3 * (y2 - y1) - cy;
	const ay = 1 - cy - by;
	const sampleX = (s) => ((ax * s + bx) * s + cx) * s;
	const sampleY = (s) => ((ay * s + by) * s + cy) * s;
	const slopeX = (s) => (3 * ax * s + 2 * bx) * s + cx;
	return (t) => {
		if (t <= 0) { return 0; }
		if (t >= 1) { return 1; }
		// Newton's method on x(s) = t, then bisection if it did not converge.
		let s = t;
		for (let i = 0; i < 8; i++) {
			const err = sampleX(s) - t;
			if (Math.abs(err) < 1e-6) { return sampleY(s); }
			const slope = slopeX(s);
			if (Math.abs(slope) < 1e-6) { break; }
			s -= err / slope;
		}
		let lo = 0;
		let hi = 1;
		s = t;
		for (let i = 0; i < 40; i++) {
			const x = sampleX(s);
			if (Math.abs(x - t) < 1e-7) { break; }
			if (x < t) { lo = s; } else { hi = s; }
			s = (lo + hi) / 2;
		}
		return sampleY(s);
	};
}

/** Leaflet's zoom easing. */
export const zoomEase = cubicBezier(0, 0, 0.25, 1);

/** The view `e` of the way from view `a` to view `b` (e in [0, 1]). */
export function lerpView(a, b, e) {
	return {
		scale: a.scale + (b.scale - a.scale) * e,
		ox: a.ox + (b.ox - a.ox) * e,
		oy: a.oy + (b.oy - a.oy) * e,
	};
}

/**
 * The CSS transform (`translate(x, y) scale(scale)`, origin at the top left, in the map pane's
 * layer pixels) that moves a canvas drawn with view `drawn` to view `to`: the canvas's top left
 * corner was at container point (−pad.x, −pad.y) when it was drawn, and `toOrigin` is the map's
 * pixel origin (layer point 0, 0 in pixels of the new zoom) once it is at `to`. A point drawn at
 * canvas pixel `w × drawn.scale − drawn.ox + pad` ends up at layer point `w × to.scale − toOrigin`.
 *
 * @param {{scale: number, ox: number, oy: number}} drawn
 * @param {{x: number, y: number}} pad
 * @param {{scale: number}} to
 * @param {{x: number, y: number}} toOrigin
 * @returns {{x: number, y: number, scale: number}}
 */
export function zoomTransform(drawn, pad, to, toOrigin) {
	const scale = to.scale / drawn.scale;
	return {
		x: (drawn.ox - pad.x) * scale - toOrigin.x,
		y: (drawn.oy - pad.y) * scale - toOrigin.y,
		scale,
	};
}
