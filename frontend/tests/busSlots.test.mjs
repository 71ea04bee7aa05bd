import test from 'node:test';
import assert from 'node:assert/strict';
import {BusSlots, FREE, LEAVING, LIVE, MAX_GLIDE_M, MIN_GLIDE_PX, shouldGlide} from '../src/busSlots.js';

const near = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

test('slots: one per id, freed slots are reused, arrays grow and keep their values', () => {
	const s = new BusSlots(2);
	const a = s.add('a', {id: 'a'}, 1, 2, 90);
	const b = s.add('b', {id: 'b'}, 3, 4, 180);
	assert.deepEqual([a, b], [0, 1]);
	assert.equal(s.add('a', {id: 'a', v: 2}, 5, 6, 0), a, 'a live id keeps its slot');
	assert.deepEqual([s.x[a], s.y[a], s.bearing[a]], [5, 6, 0]);
	const c = s.add('c', {id: 'c'}, 7, 8, 270);
	assert.equal(c, 2);
	assert.equal(s.capacity, 4, 'doubled');
	assert.deepEqual([s.x[b], s.y[b], s.bearing[b]], [3, 4, 180], 'values survive growth');
	assert.equal(s.size, 3);
	assert.equal(s.length, 3);

	assert.equal(s.remove('b'), b);
	assert.equal(s.state[b], FREE);
	assert.equal(s.slotOf('b'), -1);
	assert.equal(s.remove('b'), -1, 'already gone');
	assert.equal(s.add('d', {id: 'd'}, 0, 0, 0), b, 'the free slot is reused');
	assert.equal(s.idOf(b), 'd');
	assert.equal(s.length, 3, 'no new slot used');
	assert.deepEqual(s.ids().sort(), ['a', 'c', 'd']);
	s.clear();
	assert.equal(s.size, 0);
	assert.ok([0, 1, 2].every((i) => s.state[i] === FREE));
});

test('slots: glides interpolate over their duration, bearings the short way round', () => {
	const s = new BusSlots();
	const i = s.add('a', {}, 0, 0, 350);
	s.glide(i, 10, -20, 10, 1000, 500);
	assert.ok(s.isMoving(i));
	assert.equal(s.movingCount, 1);
	assert.ok(s.busy);
	s.advance(900); // a frame stamped before the glide began: still at the start
	assert.deepEqual([s.x[i], s.y[i]], [0, 0]);
	near(s.bearing[i], 350, 1e-4);
	s.advance(1250);
	assert.deepEqual([s.x[i], s.y[i]], [5, -10]);
	near(s.bearing[i], 0, 1e-4);
	assert.ok(s.isHeadedFor(i, 10, -20, 10));
	assert.ok(!s.isHeadedFor(i, 10, -20, 11));
	assert.equal(s.advance(2000), 1);
	assert.deepEqual([s.x[i], s.y[i]], [10, -20]);
	near(s.bearing[i], 10, 1e-4);
	assert.ok(!s.isMoving(i));
	assert.equal(s.advance(3000), 0, 'nothing left to do');
	assert.ok(!s.busy);

	// A new glide starts from where the bus is drawn, not from its last target.
	s.glide(i, 20, -20, 10, 3000, 1000);
	s.advance(3500);
	s.glide(i, 30, -20, 10, 3500, 1000);
	s.advance(3500);
	assert.equal(s.x[i], 15);
	s.advance(4000);
	assert.equal(s.x[i], 22.5);
	// place() snaps and ends the glide.
	s.place(i, 100, 100, -90);
	assert.deepEqual([s.x[i], s.y[i], s.bearing[i]], [100, 100, 270]);
	assert.ok(!s.isMoving(i));
});

test('slots: advance tells how fast the fastest glide, turn and fade went', () => {
	const s = new BusSlots();
	const a = s.add('a', {}, 0, 0, 350);
	const b = s.add('b', {}, 0, 0, 0);
	s.glide(a, 30, 40, 20, 0, 500); // 50 units in 500 ms; 30° (the short way) in 500 ms
	s.glide(b, 0, 10, 0, 0, 1000);
	s.advance(100);
	near(s.glideRate, 0.1, 1e-7);
	near(s.turnRate, 30 / 500, 1e-6);
	assert.equal(s.fadeRate, 0);
	s.advance(600); // a's glide ends in this step: it still counts
	near(s.glideRate, 0.1, 1e-7);
	s.advance(700);
	near(s.glideRate, 0.01, 1e-7);
	assert.equal(s.turnRate, 0);
	s.add('c', {}, 5, 5, 0, {now: 700, fadeMs: 400});
	s.advance(800);
	near(s.fadeRate, 1 / 400, 1e-7);
	s.advance(2000); // the last glide and the fade end in this step
	assert.ok(s.glideRate > 0 && s.fadeRate > 0);
	s.advance(2100);
	assert.deepEqual([s.glideRate, s.turnRate, s.fadeRate], [0, 0, 0]);
});

test('slots: a new bus fades in, a removed one fades out where it stands and then frees its slot', () => {
	const s = new BusSlots();
	const i = s.add('a', {}, 1, 1, 0, {now: 0, fadeMs: 400});
	assert.equal(s.alpha[i], 0);
	s.advance(100);
	near(s.alpha[i], 0.25, 1e-6);
	s.advance(400);
	assert.equal(s.alpha[i], 1);
	assert.ok(!s.busy);

	s.glide(i, 5, 5, 0, 1000, 1000);
	s.advance(1500);
	assert.equal(s.remove('a', {now: 1500, fadeMs: 400}), i);
	assert.equal(s.state[i], LEAVING);
	assert.equal(s.size, 0, 'not counted while leaving');
	assert.equal(s.slotOf('a'), -1);
	assert.equal(s.movingCount, 0, 'stops where it is');
	s.advance(1700);
	assert.deepEqual([s.x[i], s.y[i]], [3, 3]);
	near(s.alpha[i], 0.5, 1e-6);
	// The same id coming back while the old one fades gets a slot of its own.
	const j = s.add('a', {}, 9, 9, 0);
	assert.notEqual(j, i);
	assert.equal(s.state[j], LIVE);
	s.advance(1900);
	assert.equal(s.state[i], FREE, 'freed once faded out');
	assert.equal(s.slotOf('a'), j, 'the new one is untouched');
	assert.equal(s.add('b', {}, 0, 0, 0), i, 'and its slot is reused');
});

test('glide or snap: moves over 2 km or under a pixel snap', () => {
	assert.equal(MAX_GLIDE_M, 2000);
	assert.equal(MIN_GLIDE_PX, 1);
	assert.ok(shouldGlide(50, 12));
	assert.ok(shouldGlide(2000, 1));
	assert.ok(!shouldGlide(2001, 300), 'a jump, e.g. after a reconnection');
	assert.ok(!shouldGlide(10, 0.5), 'not worth animating');
});
