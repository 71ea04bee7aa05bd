import test from 'node:test';
import assert from 'node:assert/strict';
import {LABEL_GAP, LABEL_HEIGHT, placeLabels} from '../src/busLabels.js';

function place(buses, order = buses.map((_, i) => i), radius = 8) {
	const outX = new Float32Array(buses.length);
	const placed = placeLabels({
		xs: buses.map((b) => b[0]), ys: buses.map((b) => b[1]), count: buses.length,
		order, orderCount: order.length, widths: buses.map((b) => b[2] ?? 30), radius,
	}, outX);
	return {placed, outX: [...outX]};
}

test('labels: right of the bus when there is room', () => {
	const {placed, outX} = place([[100, 100], [300, 100]]);
	assert.equal(placed, 2);
	assert.deepEqual(outX, [100 + 8 + LABEL_GAP, 300 + 8 + LABEL_GAP]);
});

test('labels: left when the right is taken, none when both sides are', () => {
	// b's label would cover c's body on the right: it goes left.
	const {outX} = place([[100, 100], [200, 100], [238, 100]], [1]);
	assert.deepEqual(outX.map(Number.isNaN), [true, false, true]);
	assert.equal(outX[1], 200 - 8 - LABEL_GAP - 30);
	// A bus hemmed in on both sides gets no label at all.
	const hemmed = place([[100, 100], [60, 100], [140, 100]], [0]);
	assert.equal(hemmed.placed, 0);
	assert.ok(Number.isNaN(hemmed.outX[0]));
});

test('labels: never overlap each other; the first in the order wins', () => {
	// Two buses one above the other, closer than a label's height: only one label fits each side.
	const buses = [[100, 100], [100, 100 + LABEL_HEIGHT - 4], [100, 100 + 2 * (LABEL_HEIGHT - 4)]];
	const {placed, outX} = place(buses, [2, 1, 0], 5);
	assert.equal(placed, 3);
	assert.ok(outX[2] > 100, 'first wanted: right');
	assert.ok(outX[1] < 100, 'next: left, the right is taken');
	assert.ok(outX[0] > 100, 'the right is free again two rows up');
	const rects = outX.map((x, i) => [x, buses[i][1] - LABEL_HEIGHT / 2, x + 30, buses[i][1] + LABEL_HEIGHT / 2]);
	for (let i = 0; i < rects.length; i++) {
		for (let j = i + 1; j < rects.length; j++) {
			const [a, b] = [rects[i], rects[j]];
			assert.ok(!(a[0] < b[2] && a[2] > b[0] && a[1] < b[3] && a[3] > b[1]), `${i} overlaps ${j}`);
		}
	}
});

test('labels: only the buses in the order get one, all of them take room; negative coordinates work', () => {
	const {placed, outX} = place([[-40, -40], [-40 + 8 + LABEL_GAP + 10, -40]], [0]);
	assert.equal(placed, 1);
	assert.ok(outX[0] < -40, 'the other bus blocks the right');
	assert.ok(Number.isNaN(outX[1]));
});
