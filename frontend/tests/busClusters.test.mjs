import test from 'node:test';
import assert from 'node:assert/strict';
import {
	CELL_PX, CLUSTER_BELOW_ZOOM, ClusterSprites, clusterGrid, clusterRadius, clusterText, clusterZoom,
} from '../src/busClusters.js';

// Points in the world plane (zoom 0): at zoom 10 a 64 px cell is 64 / 1024 = 0.0625 wide.
const CELL10 = CELL_PX / 2 ** 10;

test('the cluster zoom: the map\'s whole level, below the threshold', () => {
	assert.equal(CLUSTER_BELOW_ZOOM, 12);
	assert.deepEqual([3, 9.5, 10, 10.99, 11, 11.99, 12, 14].map((z) => clusterZoom(z)), [3, 9, 10, 10, 11, 11, 11, 11]);
	assert.equal(clusterZoom(12, 13), 12);
});

test('points in one cell make one cluster at their mean; each point knows its cluster', () => {
	const xs = [0.01, 0.02, 0.03, CELL10 + 0.01, 0.01];
	const ys = [0.01, 0.02, 0.03, 0.01, CELL10 * 2 + 0.001];
	const c = clusterGrid(xs, ys, xs.length, {zoom: 10});
	assert.equal(c.length, 3);
	assert.deepEqual([...c.size], [3, 1, 1], 'row by row, then column by column');
	assert.ok(Math.abs(c.x[0] - 0.02) < 1e-12 && Math.abs(c.y[0] - 0.02) < 1e-12);
	assert.deepEqual([...c.of], [0, 0, 0, 1, 2]);
	assert.equal(c.size.reduce((a, b) => a + b, 0), xs.length, 'every point counted once');
});

test('deterministic whatever the input order, and zooming out merges cells', () => {
	let seed = 7;
	const rand = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
	const n = 3000;
	const xs = Float64Array.from({length: n}, () => 179 + rand() * 0.9);
	const ys = Float64Array.from({length: n}, () => 114 + rand() * 0.9);
	const a = clusterGrid(xs, ys, n, {zoom: 10});
	const perm = [...Array(n).keys()].reverse();
	const b = clusterGrid(perm.map((i) => xs[i]), perm.map((i) => ys[i]), n, {zoom: 10});
	assert.equal(a.length, b.length);
	assert.deepEqual([...a.size], [...b.size]);
	for (let k = 0; k < a.length; k++) {
		assert.ok(Math.abs(a.x[k] - b.x[k]) < 1e-9 && Math.abs(a.y[k] - b.y[k]) < 1e-9);
	}
	perm.forEach((i, j) => assert.equal(b.of[j], a.of[i]));
	assert.equal(a.size.reduce((s, v) => s + v, 0), n);
	const coarser = clusterGrid(xs, ys, n, {zoom: 8});
	assert.ok(coarser.length < a.length);
	assert.equal(coarser.size.reduce((s, v) => s + v, 0), n);
	// Only `count` points are taken.
	assert.equal(clusterGrid(xs, ys, 10, {zoom: 10}).size.reduce((s, v) => s + v, 0), 10);
	assert.equal(clusterGrid(xs, ys, 0, {zoom: 10}).length, 0);
});

test('a pan does not move the grid: the same points in the same cells', () => {
	const xs = [0.5, 0.5 + CELL10 * 0.99];
	const ys = [0.5, 0.5];
	const cell = Math.floor(0.5 / CELL10);
	// Both in the cell of 0.5 iff that cell reaches past the second one.
	const same = Math.floor(xs[1] / CELL10) === cell;
	assert.equal(clusterGrid(xs, ys, 2, {zoom: 10}).length, same ? 1 : 2);
});

test('radius grows with the count, slowly; big counts are shortened', () => {
	assert.deepEqual([1, 10, 100, 1000].map(clusterRadius), [9, 14, 19, 24]);
	for (let n = 1; n < 5000; n++) { assert.ok(clusterRadius(n + 1) >= clusterRadius(n)); }
	assert.equal(clusterText(9999), '9999');
	assert.equal(clusterText(12400), '12k');
});

test('cluster sprites: one per count, sized by the radius at the pixel ratio, cached', () => {
	const made = [];
	const texts = [];
	const sprites = new ClusterSprites({dpr: 2, max: 2, createCanvas: (w, h) => {
		const ctx = new Proxy({}, {get: (t, k) => (k === 'fillText' ? (s) => texts.push(s) : () => {}), set: () => true});
		const c = {width: w, height: h, getContext: () => ctx};
		made.push(c);
		return c;
	}});
	const s = sprites.sprite(42);
	assert.equal(s.half, Math.ceil((clusterRadius(42) + 3) * 2));
	assert.equal(s.canvas.width, 2 * s.half);
	assert.equal(sprites.sprite(42), s);
	assert.deepEqual(texts, ['42']);
	sprites.sprite(1);
	sprites.sprite(2);
	assert.notEqual(sprites.sprite(42), s, 'the oldest was dropped');
	assert.equal(made.length, 4);
});

test('clusters whose circles would overlap are merged, the bigger taking the smaller', () => {
	// Two cells side by side at zoom 10, their points 8 px apart across the border: merged.
	const b = CELL10;
	const px = 1 / 2 ** 10; // one screen pixel at zoom 10
	const xs = [b - 4 * px, b - 4 * px, b + 4 * px, 3 * b + b / 2];
	const ys = [b / 2, b / 2, b / 2, b / 2];
	const merged = clusterGrid(xs, ys, 4, {zoom: 10});
	assert.equal(merged.length, 2);
	assert.deepEqual([...merged.size], [3, 1]);
	assert.deepEqual([...merged.of], [0, 0, 0, 1]);
	assert.ok(Math.abs(merged.x[0] - (b - 4 * px / 3)) < 1e-12, 'at the mean of all three');
	const apart = clusterGrid(xs, ys, 4, {zoom: 10, merge: false});
	assert.deepEqual([...apart.size], [2, 1, 1]);
	// No two circles overlap after merging, at any zoom, and every point is counted once.
	let seed = 3;
	const rand = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
	const n = 2000;
	const rx = Float64Array.from({length: n}, () => 179.5 + rand() * 0.6);
	const ry = Float64Array.from({length: n}, () => 114.5 + rand() * 0.6);
	for (const zoom of [6, 8, 10]) {
		const c = clusterGrid(rx, ry, n, {zoom});
		assert.equal(c.size.reduce((s, v) => s + v, 0), n);
		const counted = new Int32Array(c.length);
		for (let i = 0; i < n; i++) { counted[c.of[i]] += 1; }
		assert.deepEqual([...counted], [...c.size]);
		const scale = 2 ** zoom;
		for (let i = 0; i < c.length; i++) {
			for (let j = i + 1; j < c.length; j++) {
				const d = Math.hypot(c.x[i] - c.x[j], c.y[i] - c.y[j]) * scale;
				assert.ok(d >= clusterRadius(c.size[i]) + clusterRadius(c.size[j]), `zoom ${zoom}: ${i}, ${j} overlap`);
			}
		}
	}
});
