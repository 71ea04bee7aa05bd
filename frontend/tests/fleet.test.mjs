// From a colleague's throwaway /tmp/jstest/pure.test.mjs, ported to protocol v2 (numbered vehicles).
import test from 'node:test';
import assert from 'node:assert/strict';
import {Fleet} from '../src/fleet.js';

const V = (n, id, lat = 19, lon = 72.8, bearing = 10) =>
	({n, id, routeId: 'BEST_R', route: 'R', headsign: 'H', color: '#c62828', lat, lon, bearing});
const move = (n, lat, lon = 72.8, bearing = 10) => ({n, lat, lon, bearing});

test('fleet: snapshot replaces, update removes then upserts then moves, tick measured', () => {
	const f = new Fleet();
	let ch = f.applySnapshot({ts: 1000, vehicles: [V(1, 'a'), V(2, 'b')]}, 1500);
	assert.equal(ch.added.length, 2);
	assert.equal(f.size, 2);
	assert.equal(f.tickMs, 1000);
	const recA = f.get('a');

	ch = f.applyUpdate({ts: 3000, vehicles: [V(3, 'c')], moves: [move(1, 19.1)], remove: [2, 99]}, 3600);
	assert.equal(f.get('a'), recA, 'updated in place');
	assert.equal(recA.lat, 19.1);
	assert.deepEqual(ch.removed, ['b']);
	assert.equal(ch.added[0].id, 'c');
	assert.equal(f.size, 2);
	assert.equal(f.tickMs, 2000);

	// Crossing from one of the client's tiles into another: left and entered in one frame.
	ch = f.applyUpdate({ts: 3500, vehicles: [V(1, 'a', 19.2)], moves: [], remove: [1]}, 4000);
	assert.deepEqual(ch.removed, []);
	assert.deepEqual(ch.changed.map((v) => v.id), ['a']);
	assert.equal(f.get('a'), recA);
	assert.equal(recA.lat, 19.2);

	// A move for a number the client does not know is ignored.
	ch = f.applyUpdate({ts: 4000, vehicles: [], moves: [move(42, 1)], remove: []}, 4500);
	assert.deepEqual(ch.changed, []);
	assert.equal(f.tickMs, 500);
	// Clock offset: min(receivedAt - ts) = 500, so the server's now at local 10500 is 10000.
	assert.equal(f.serverNow(10500), 10000);
	assert.equal(f.dataAgeMs('a', 10500), 6000, 'as old as the latest frame');
	assert.equal(f.dataAgeMs('nobody', 10500), null);

	ch = f.applySnapshot({ts: 9000, vehicles: [V(5, 'c'), V(6, 'd')]}, 9100);
	assert.deepEqual(ch.removed, ['a']);
	assert.equal(ch.added.length, 1);
	assert.equal(ch.changed.length, 1);
	assert.equal(f.tickMs, 1000, 'reset by the snapshot');
	// The snapshot renumbered 'c': its old number means nothing any more.
	ch = f.applyUpdate({ts: 10000, vehicles: [], moves: [move(3, 1)], remove: []}, 10100);
	assert.deepEqual(ch.changed, []);
	assert.equal(f.get('c').lat, 19);
});
