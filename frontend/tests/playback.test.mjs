import test from 'node:test';
import assert from 'node:assert/strict';
import {Playback, changesTo, historyRecords} from '../src/playback.js';

/** A Playback on fake clocks and a fake API whose requests the test answers by hand. */
function harness({now = 10_000_000} = {}) {
	const clock = {server: now, wall: 0};
	const requests = [];
	const draws = [];
	let drawn = ['live-1', 'live-2'];
	let timer = null;
	let left = 0;
	const playback = new Playback({
		view: () => [72, 18, 73, 19],
		draw: (changes, options) => {
			draws.push({changes, options});
			drawn = changes.changed.map((r) => r.id);
		},
		drawn: () => drawn,
		now: () => clock.server,
		wallNow: () => clock.wall,
		fetchAt: (box, seconds, {signal}) => new Promise((resolve, reject) => {
			requests.push({box, seconds, signal, resolve, reject});
		}),
		onLeave: () => { left += 1; },
		setInterval: (fn) => { timer = fn; return 1; },
		clearInterval: () => { timer = null; },
	});
	const answer = (i, vehicles) => {
		requests[i].resolve({at: requests[i].seconds * 1000, vehicles});
		return new Promise((resolve) => setImmediate(resolve));
	};
	return {playback, clock, requests, draws, answer, step: () => timer?.(), left: () => left, ticking: () => timer !== null};
}

const bus = (id, lat = 18.9, ts = 9_990_000) => ({id, route_id: 'R1', trip_id: 't', lat, lon: 72.8, bearing: 370, ts});

test('historyRecords: the layer\'s records, with the route\'s label and colour, unmatched ones grey', () => {
	const records = historyRecords([bus('a'), {...bus('b'), route_id: null}, {id: 'c'}], {
		routeOf: (id) => (id === 'R1' ? {label: '1', color: '#ff0000'} : undefined),
		known: (id) => (id === 'a' ? {headsign: 'Colaba'} : undefined),
	});
	assert.deepEqual(records.map((r) => [r.id, r.route, r.color, r.headsign, r.bearing]),
		[['a', '1', '#ff0000', 'Colaba', 10], ['b', '?', '#757575', '', 10]]);
	assert.deepEqual(changesTo(records, ['a', 'x']), {added: [], changed: records, removed: ['x']});
});

test('Playback: one request in flight; the latest moment asked meanwhile is fetched after it', async () => {
	const {playback, requests, draws, answer} = harness();
	playback.enter(9_000_000);
	assert.equal(requests.length, 1);
	assert.equal(requests[0].seconds, 9000);
	playback.seek(8_000_000);
	playback.seek(7_000_000);
	assert.equal(requests.length, 1, 'nothing more while one is in flight');
	await answer(0, [bus('a')]);
	// The answer for 9000 s is drawn (it replaces the live buses), then 7000 s is asked for.
	assert.deepEqual(draws[0].changes.removed, ['live-1', 'live-2']);
	assert.equal(requests.length, 2);
	assert.equal(requests[1].seconds, 7000);
	await answer(1, [bus('b')]);
	assert.deepEqual(playback.shownIds(), ['b']);
	assert.deepEqual(draws[1].changes.removed, ['a']);
	assert.equal(playback.shownAt, 7_000_000);
});

test('Playback: the moment stays within the last hours up to the server\'s now', () => {
	const {playback, clock} = harness({now: 1_800_000_000_000});
	playback.enter(clock.server + 60_000);
	assert.equal(playback.at, clock.server);
	playback.seek(0);
	assert.equal(playback.at, clock.server - 3 * 3600 * 1000);
});

test('Playback: playing advances by speed × elapsed wall time and stops at now', async () => {
	const {playback, clock, requests, answer, step} = harness();
	playback.enter(clock.server - 100_000);
	await answer(0, [bus('a')]);
	playback.setSpeed(10);
	playback.play();
	clock.wall += 1000;
	clock.server += 1000;
	step();
	assert.equal(playback.at, clock.server - 1000 - 100_000 + 10_000);
	assert.ok(playback.playing);
	await answer(requests.length - 1, [bus('a', 18.91)]);
	clock.wall += 20_000;
	clock.server += 20_000;
	step();
	assert.equal(playback.at, clock.server, 'caught up with now');
	assert.ok(!playback.playing);
	// Paused, the timer fetches nothing.
	const sent = playback.fetchCount;
	clock.wall += 1000;
	step();
	assert.equal(playback.fetchCount, sent);
});

test('Playback: leaving aborts the request, drops its answer and draws the live buses again', async () => {
	const {playback, requests, draws, answer, left, ticking} = harness();
	playback.enter();
	assert.ok(ticking());
	playback.leave();
	assert.ok(requests[0].signal.aborted);
	assert.equal(left(), 1);
	assert.ok(!ticking());
	await answer(0, [bus('a')]);
	assert.equal(draws.length, 0);
	assert.equal(playback.at, null);
	assert.deepEqual(playback.shownIds(), []);
});

test('Playback: stale buses and ages are those of the moment shown', async () => {
	const {playback, answer} = harness();
	playback.enter(10_000_000);
	await answer(0, [bus('a', 18.9, 9_999_000), bus('b', 18.9, 9_900_000)]);
	assert.deepEqual([...playback.staleIds(60_000)], ['b']);
	assert.equal(playback.ageOf('a'), 1000);
});
