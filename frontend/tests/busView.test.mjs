import test from 'node:test';
import assert from 'node:assert/strict';
import {ZOOM_ANIM_MS, cubicBezier, lerpView, zoomEase, zoomTransform} from '../src/busView.js';

const near = (a, b, eps = 1e-4) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

test('cubic-bezier easing as CSS computes it', () => {
	const linear = cubicBezier(0, 0, 1, 1);
	for (const t of [0, 0.1, 0.5, 0.9, 1]) { near(linear(t), t); }
	const ease = cubicBezier(0.25, 0.1, 0.25, 1); // CSS `ease`
	near(ease(0.5), 0.8024033877399112);
	near(ease(0.25), 0.4085);
	assert.equal(zoomEase(-1), 0);
	assert.equal(zoomEase(2), 1);
	// Leaflet's zoom curve, cubic-bezier(0,0,0.25,1): x(s) = 0.75s² + 0.25s³, y(s) = 3s² − 2s³;
	// x = 0.5 at s ≈ 0.7321, where y ≈ 0.8231. A fast start, and monotone.
	near(zoomEase(0.5), 0.8231, 1e-3);
	let last = 0;
	for (let t = 0; t <= 1; t += 0.01) {
		const e = zoomEase(t);
		assert.ok(e >= last - 1e-12);
		last = e;
	}
	assert.equal(ZOOM_ANIM_MS, 250);
});

test('views: a point moves along the line between its old and new place', () => {
	const a = {scale: 2048, ox: 100, oy: 50};
	const b = {scale: 4096, ox: 2500, oy: 1300};
	const w = {x: 180.5, y: 115.25};
	const at = (v) => [w.x * v.scale - v.ox, w.y * v.scale - v.oy];
	for (const e of [0, 0.3, 1]) {
		const [x, y] = at(lerpView(a, b, e));
		const [x0, y0] = at(a);
		const [x1, y1] = at(b);
		near(x, x0 + (x1 - x0) * e, 1e-6);
		near(y, y0 + (y1 - y0) * e, 1e-6);
	}
});

test('zoom transform: a point drawn on the canvas lands where the new view puts it', () => {
	// Drawn at zoom 11 with the pane panned by (30, -12); zooming to 12 about some centre.
	const panePos = {x: 30, y: -12};
	const origin0 = {x: 365000, y: 232000};
	const drawn = {scale: 2 ** 19, ox: origin0.x - panePos.x, oy: origin0.y - panePos.y};
	const pad = {x: 128, y: 80};
	const to = {scale: 2 ** 20};
	const toOrigin = {x: 730400, y: 464300};
	const t = zoomTransform(drawn, pad, to, toOrigin);
	assert.equal(t.scale, 2);
	for (const w of [{x: 180.5, y: 115.25}, {x: 179.9, y: 114.8}]) {
		// Canvas pixel (CSS) where it was drawn, then where the transform shows it (layer pixels).
		const px = w.x * drawn.scale - drawn.ox + pad.x;
		const py = w.y * drawn.scale - drawn.oy + pad.y;
		near(t.x + t.scale * px, w.x * to.scale - toOrigin.x, 1e-6);
		near(t.y + t.scale * py, w.y * to.scale - toOrigin.y, 1e-6);
	}
	// No zoom, no move: the canvas stays where it was put (container point −pad).
	const still = zoomTransform(drawn, pad, {scale: drawn.scale}, origin0);
	assert.deepEqual(still, {x: -pad.x - panePos.x, y: -pad.y - panePos.y, scale: 1});
});
