import test from 'node:test';
import assert from 'node:assert/strict';
import {ZOOM_ANIM_MS, cubicBezier, lerpView, zoomEase} from '../src/busView.js';

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
