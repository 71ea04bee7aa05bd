import test from 'node:test';
import assert from 'node:assert/strict';
import {isStale, sameIds, silentForMs, staleIds} from '../src/stale.js';
import {Fleet} from '../src/fleet.js';

const V = (n, id, reportedMs = 0) =>
	({n, id, routeId: 'R', route: 'R', headsign: 'H', color: '#c62828', lat: 19, lon: 72.8, bearing: 0, reportedMs});

test('a bus is stale once silent for longer than stale_after', () => {
	const now = 1_000_000;
	assert.equal(isStale(V(1, 'a'), now, 60_000), false, 'reporting');
	assert.equal(isStale(V(1, 'a', now - 60_000), now, 60_000), false, 'exactly the limit');
	assert.equal(isStale(V(1, 'a', now - 60_001), now, 60_000), true);
	assert.equal(silentForMs(V(1, 'a'), now), 0);
	assert.equal(silentForMs(V(1, 'a', now - 5000), now), 5000);
	const ids = staleIds([V(1, 'a', now - 90_000), V(2, 'b'), V(3, 'c', now - 10_000)], now, 60_000);
	assert.deepEqual([...ids], ['a']);
	assert.ok(sameIds(new Set(['a', 'b']), new Set(['b', 'a'])));
	assert.ok(!sameIds(new Set(['a']), new Set(['b'])));
	assert.ok(!sameIds(new Set(['a']), new Set(['a', 'b'])));
});

test('when frames stop coming, every bus greys with the age of the last frame', () => {
	const heard = 1_000_000;
	const buses = [V(1, 'a'), V(2, 'b', heard - 30_000)];
	assert.deepEqual([...staleIds(buses, heard + 20_000, 60_000, heard)], []);
	assert.deepEqual([...staleIds(buses, heard + 40_000, 60_000, heard)], ['b'], 'b: silent 70 s');
	assert.deepEqual([...staleIds(buses, heard + 60_001, 60_000, heard)], ['a', 'b'], 'no frame for 60 s');
	assert.equal(isStale(V(1, 'a'), heard + 60_001, 60_000), false, 'without heardMs: as before');
});

test('a silent bus is as old as its last report, not as the latest frame', () => {
	const f = new Fleet();
	f.applySnapshot({ts: 100_000, vehicles: [V(1, 'a'), V(2, 'b', 40_000)]}, 100_000);
	assert.equal(f.dataAgeMs('a', 101_000), 1000);
	assert.equal(f.dataAgeMs('b', 101_000), 61_000);
	// It reports again: a full record with reported 0.
	f.applyUpdate({ts: 101_000, vehicles: [V(2, 'b', 0)], moves: [], remove: []}, 101_000);
	assert.equal(f.dataAgeMs('b', 101_500), 500);
});
