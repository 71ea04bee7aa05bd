import test from 'node:test';
import assert from 'node:assert/strict';
import {askPermission, isDue, LEAD_MS, MATCH_MS, PAST_MS, permissionState, Reminders} from '../src/notify.js';

const MIN = 60000;
const T0 = 1_700_000_000_000; // any server time

test('isDue: 5 min or less before the bus', () => {
	assert.equal(LEAD_MS, 5 * MIN);
	assert.equal(isDue(T0 + 5 * MIN, T0), true);
	assert.equal(isDue(T0 + 5 * MIN + 1, T0), false);
	assert.equal(isDue(T0 - MIN, T0), true);
});

test('a reminder fires once, when its bus is within 5 min, with the newest ETA', () => {
	const r = new Reminders();
	let changes = 0;
	r.onChange(() => { changes += 1; });
	r.add({stopId: 'S', stopName: 'Dadar', key: 'trip1|1', route: '1', headsign: 'Colaba', eta: T0 + 12 * MIN});
	assert.equal(r.has('S', 'trip1|1'), true);
	assert.equal(r.has('other', 'trip1|1'), false);
	assert.deepEqual(r.due(T0), []);
	// The bus is late: the next board says 20 min; at +10 min nothing yet.
	r.update('S', [{key: 'trip1|1', eta: T0 + 20 * MIN}, {key: 'unknown', eta: T0}]);
	assert.deepEqual(r.due(T0 + 10 * MIN), []);
	const fired = r.due(T0 + 15 * MIN);
	assert.equal(fired.length, 1);
	assert.equal(fired[0].minutes, 5);
	assert.equal(fired[0].stopName, 'Dadar');
	assert.deepEqual(r.due(T0 + 16 * MIN), [], 'once only');
	assert.equal(r.list().length, 0);
	assert.equal(changes, 2);
});

test('the same trip at two stops are two reminders; toggle; a long-gone bus is dropped unfired', () => {
	const r = new Reminders();
	assert.equal(r.toggle({stopId: 'A', key: 'k', eta: T0 + MIN}), true);
	assert.equal(r.toggle({stopId: 'B', key: 'k', eta: T0 + 30 * MIN}), true);
	assert.equal(r.list().length, 2);
	assert.equal(r.toggle({stopId: 'B', key: 'k'}), false);
	r.add({stopId: 'C', key: 'k', eta: T0 - PAST_MS - 1});
	assert.deepEqual(r.due(T0).map((x) => x.stopId), ['A']);
	assert.equal(r.list().length, 0);
});

test('permissionState and askPermission with stand-ins for Notification', async () => {
	assert.equal(permissionState(undefined), 'unsupported');
	assert.equal(await askPermission(undefined), 'unsupported');
	const granted = Object.assign(function N() {}, {permission: 'granted'});
	assert.equal(await askPermission(granted), 'granted');
	let asked = 0;
	const promised = Object.assign(function N() {}, {permission: 'default',
		requestPermission: async () => { asked += 1; promised.permission = 'denied'; return 'denied'; }});
	assert.equal(permissionState(promised), 'default');
	assert.equal(await askPermission(promised), 'denied');
	assert.equal(asked, 1);
	const callback = Object.assign(function N() {}, {permission: 'default',
		requestPermission: (done) => { done('granted'); }});
	assert.equal(await askPermission(callback), 'granted');
	const throwing = Object.assign(function N() {}, {permission: 'default',
		requestPermission: () => { throw new Error('no'); }});
	assert.equal(await askPermission(throwing), 'denied');
});

test('soonest, restore and removeStop: what a reload brings back and which stop to watch', () => {
	const r = new Reminders();
	let changes = 0;
	r.onChange(() => { changes += 1; });
	assert.equal(r.soonest(), null);
	r.restore([{stopId: 'A', key: 'k1', eta: T0 + 20 * MIN}, {stopId: 'B', key: 'k2', eta: T0 + 8 * MIN}]);
	assert.equal(changes, 1);
	assert.equal(r.has('B', 'k2'), true);
	assert.equal(r.soonest().stopId, 'B');
	assert.equal(r.update('A', [{key: 'k1', eta: T0 + 6 * MIN}]), 1, 'one ETA moved');
	assert.equal(r.update('A', [{key: 'k1', eta: T0 + 6 * MIN}]), 0, 'the same ETA again');
	assert.equal(r.soonest().stopId, 'A');
	r.removeStop('A');
	assert.deepEqual(r.list().map((x) => x.stopId), ['B']);
	assert.equal(changes, 2);
	r.removeStop('nowhere');
	assert.equal(changes, 2, 'nothing removed, nothing said');
});

test("a glance frame's rows move the ETA of the reminder of their trip, at its stop only", () => {
	const r = new Reminders();
	r.add({stopId: 'A', key: 'tripA|100', route: '1', headsign: 'x', eta: T0 + 20 * MIN});
	r.add({stopId: 'B', key: 'tripB|200', trip: 'tripB', route: '2', headsign: 'y', eta: T0 + 30 * MIN});
	assert.deepEqual(r.stops(), ['A', 'B'], 'soonest first');
	// Another trip, and its trip at another stop: nothing moves.
	assert.equal(r.updateTrips('A', [{trip: 'other', eta: T0 + MIN}, {trip: 'tripB', eta: T0 + MIN}]), 0);
	assert.equal(r.updateTrips('B', [{trip: 'other', eta: T0 + MIN}, {trip: 'tripB', eta: T0 + 6 * MIN}]), 0,
		'tripB 24 min sooner than said: another run of it, not this one');
	assert.equal(r.updateTrips('B', [{trip: 'tripB', eta: T0 + 26 * MIN}]), 1);
	assert.equal(r.updateTrips('B', [{trip: 'tripB', eta: T0 + 26 * MIN}]), 0, 'the same ETA again');
	assert.deepEqual(r.stops(), ['A', 'B']);
	// Two runs of tripA listed (a trip by frequency): the one nearest its last ETA.
	assert.equal(r.updateTrips('A', [{trip: 'tripA', eta: T0 + 8 * MIN}, {trip: 'tripA', eta: T0 + 18 * MIN},
		{trip: 'tripA', eta: T0 + 28 * MIN}]), 1);
	assert.equal(r.list().find((x) => x.stopId === 'A').eta, T0 + 18 * MIN);
	assert.ok(MATCH_MS >= 5 * MIN);
	// Both fire once, each when its own bus is within 5 min.
	assert.deepEqual(r.due(T0 + 13 * MIN).map((x) => x.stopId), ['A']);
	r.updateTrips('B', [{trip: 'tripB', eta: T0 + 17 * MIN}]);
	assert.deepEqual(r.due(T0 + 13 * MIN).map((x) => x.stopId), ['B']);
	assert.deepEqual(r.due(T0 + 14 * MIN), []);
	assert.deepEqual(r.stops(), []);
});
