import test from 'node:test';
import assert from 'node:assert/strict';
import {BEARING_STEP, SIZES, STALE_FILL, STALE_RIM, SpriteAtlas, bearingBucket, cellHalf, sizeFor} from '../src/busSprites.js';

test('bearing buckets: 10° cells centred on multiples of 10, wrapping at north', () => {
	assert.equal(BEARING_STEP, 10);
	assert.deepEqual([0, 4.9, 5, 14.9, 15, 90, 354.9, 355, 359.9, 360, -3, 725].map((b) => bearingBucket(b)),
		[0, 0, 1, 1, 2, 9, 35, 0, 0, 0, 0, 1]);
	assert.equal(bearingBucket(NaN), 0);
	assert.equal(bearingBucket(95, 30), 3);
	for (let b = 0; b < 360; b += 0.5) {
		const bucket = bearingBucket(b);
		assert.ok(bucket >= 0 && bucket < 36);
		// The sprite drawn is never more than half a step off.
		const off = Math.abs(((bucket * 10 - b + 540) % 360) - 180);
		assert.ok(off <= 5, `${b} → ${bucket}`);
	}
});

test('sizes by zoom, and cells that hold the teardrop at any bearing', () => {
	assert.deepEqual([3, 11, 12, 12.9, 13, 14, 15, 18].map(sizeFor), [0, 0, 1, 1, 2, 2, 3, 3]);
	for (let size = 0; size < SIZES.length; size++) {
		assert.ok(cellHalf(size) >= SIZES[size].body / 2 * Math.SQRT2, 'the point fits');
		if (size > 0) { assert.ok(SIZES[size].body > SIZES[size - 1].body); }
	}
});

function fakeCanvas(width, height) {
	const calls = [];
	const ctx = new Proxy({calls}, {get: (t, k) => (k in t ? t[k] : (...a) => calls.push([k, ...a])), set: () => true});
	return {width, height, getContext: () => ctx, calls};
}

test('sprite atlas: one strip per colour and size, 36 cells, scaled by the pixel ratio, bounded', () => {
	const made = [];
	const atlas = new SpriteAtlas({dpr: 2, maxStrips: 2, createCanvas: (w, h) => {
		const c = fakeCanvas(w, h);
		made.push(c);
		return c;
	}});
	const red = atlas.strip('#c62828', 0);
	assert.equal(red.cell, Math.ceil(2 * cellHalf(0) * 2));
	assert.equal(red.canvas.width, 36 * red.cell);
	assert.equal(red.canvas.height, red.cell);
	assert.equal(atlas.strip('#c62828', 0), red, 'cached');
	assert.equal(made.length, 1);
	assert.ok(red.canvas.calls.filter(([name]) => name === 'arc').length >= 36, 'every bearing drawn');
	atlas.strip('#c62828', 2);
	atlas.strip('#1565c0', 0);
	assert.equal(atlas.size, 2, 'the oldest strip is dropped');
	assert.notEqual(atlas.strip('#c62828', 0), red, 'made again');
});

test('a bus gone silent has a grey strip of its own, whatever its route colour', () => {
	const styles = [];
	const recording = (w, h) => {
		const ctx = new Proxy({}, {
			get: (t, k) => (k in t ? t[k] : () => {}),
			set: (t, k, v) => {
				if (k === 'fillStyle' || k === 'strokeStyle') { styles.push(v); }
				return true;
			},
		});
		return {width: w, height: h, getContext: () => ctx};
	};
	const atlas = new SpriteAtlas({createCanvas: recording});
	const grey = atlas.strip(null, 1);
	assert.ok(styles.includes(STALE_FILL) && styles.includes(STALE_RIM));
	assert.ok(!styles.includes('#c62828'));
	assert.notEqual(atlas.strip('#c62828', 1), grey);
	assert.equal(atlas.strip(null, 1), grey, 'cached');
});
