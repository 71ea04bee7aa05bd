import test from 'node:test';
import assert from 'node:assert/strict';
import {boundsToBox, boxContains, boxParam, boxToCorners, containsBox, isBox, padBox} from '../src/bbox.js';

test('padBox grows by a fraction of the size on every side, within the world', () => {
	assert.deepEqual(padBox([72.8, 18.9, 73.0, 19.1], 0.5).map((x) => +x.toFixed(6)), [72.7, 18.8, 73.1, 19.2]);
	assert.deepEqual(padBox([-179, -89, 179, 89], 1), [-180, -90, 180, 90]);
	assert.deepEqual(padBox([1, 2, 1, 2], 0.5), [1, 2, 1, 2], 'a point stays a point');
});

test('containsBox: edges included; a null outer box holds nothing', () => {
	const outer = [72.7, 18.8, 73.1, 19.2];
	assert.ok(containsBox(outer, [72.8, 18.9, 73.0, 19.1]));
	assert.ok(containsBox(outer, outer));
	assert.ok(!containsBox(outer, [72.6, 18.9, 73.0, 19.1]), 'sticks out west');
	assert.ok(!containsBox(outer, [72.8, 18.9, 73.0, 19.3]), 'sticks out north');
	assert.ok(!containsBox(null, [0, 0, 0, 0]));
	assert.ok(!containsBox(undefined, [0, 0, 0, 0]));
});

test('a view panned a little stays inside the padded box; one panned far does not', () => {
	const view = [72.8, 18.9, 72.9, 19.0];
	const fetched = padBox(view, 0.5);
	assert.ok(containsBox(fetched, [72.84, 18.93, 72.94, 19.03]));
	assert.ok(!containsBox(fetched, [72.9, 19.0, 73.0, 19.1]));
	// Zooming out doubles the view: no longer covered.
	assert.ok(!containsBox(fetched, padBox(view, 0.6)));
});

test('boxParam rounds outwards to 5 decimals and is stable', () => {
	assert.equal(boxParam([72.123456, 18.900001, 72.2000001, 19.3]), '72.12345,18.90000,72.20001,19.30000');
	assert.equal(boxParam([-0.000001, 0, 0, 0.0000001]), '-0.00001,0.00000,0.00000,0.00001');
	const box = padBox([72.8, 18.9, 72.9, 19.0], 0.5);
	assert.equal(boxParam(box), boxParam([...box]));
});

test('conversions and checks', () => {
	assert.deepEqual(boxToCorners([72.8, 18.9, 73.0, 19.1]), [[18.9, 72.8], [19.1, 73.0]]);
	const bounds = {getWest: () => 1, getSouth: () => 2, getEast: () => 3, getNorth: () => 4};
	assert.deepEqual(boundsToBox(bounds), [1, 2, 3, 4]);
	assert.ok(boxContains([1, 2, 3, 4], 2, 1));
	assert.ok(!boxContains([1, 2, 3, 4], 1, 2), 'lat/lon order: lat 1 is south of 2');
	assert.ok(isBox([1, 2, 3, 4]));
	for (const bad of [null, [1, 2, 3], [3, 2, 1, 4], [1, 4, 3, 2], [1, 2, 3, NaN], '1,2,3,4']) {
		assert.ok(!isBox(bad), String(bad));
	}
});
