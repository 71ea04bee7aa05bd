import test from 'node:test';
import assert from 'node:assert/strict';
import {byDistance, hitTest} from '../src/busHit.js';

test('hit test: the topmost body under the point, else the nearest within the radius', () => {
	// Drawn in this order: index 2 is on top.
	const xs = [100, 104, 106, 200];
	const ys = [100, 100, 100, 100];
	assert.equal(hitTest(xs, ys, 4, 105, 100), 2, 'overlapping bodies: the topmost');
	assert.equal(hitTest(xs, ys, 2, 105, 100), 1, 'only the first two drawn');
	assert.equal(hitTest(xs, ys, 4, 200, 111), 3, 'within 12 px of its centre');
	assert.equal(hitTest(xs, ys, 4, 200, 112.5), -1, 'too far');
	assert.equal(hitTest(xs, ys, 4, 200, 120, {maxRadius: 24}), 3);
	assert.equal(hitTest(xs, ys, 4, 150, 100), -1);
	// Outside every body, the nearest wins even if it is lower.
	assert.equal(hitTest([0, 20], [0, 0], 2, 8.5, 0, {bodyRadius: 5}), 0);
	assert.equal(hitTest([0, 20], [0, 0], 2, 11, 0, {bodyRadius: 5}), 1);
	// Buses that may not be found are passed over.
	assert.equal(hitTest(xs, ys, 4, 105, 100, {accept: (i) => i !== 2}), 1);
	assert.equal(hitTest(xs, ys, 4, 105, 100, {accept: () => false}), -1);
	assert.equal(hitTest([], [], 0, 0, 0), -1);
});

test('by distance: nearest first, ties go to the topmost', () => {
	const xs = [10, 0, 5, -5];
	const ys = [0, 0, 0, 0];
	assert.deepEqual(byDistance(xs, ys, 4, 0, 0), [1, 3, 2, 0]);
	assert.deepEqual(byDistance(xs, ys, 2, 6, 0), [0, 1]);
});
