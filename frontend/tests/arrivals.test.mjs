import test from 'node:test';
import assert from 'node:assert/strict';
import {Announcer, arrivalKey, arrivalRows, arrivalWhen, diffKeys, minutesUntil, uncertaintyMinutes, whenText}
	from '../src/arrivals.js';
import {I18n} from '../src/i18n.js';

const NOW = 1_764_300_000_000;
const MIN = 60_000;

/** A decoded arrival (protocol.js), `eta` minutes from NOW. */
const A = (minutes, extra = {}) => ({
	vehicle: 'BEST_10AS_d0@30600', trip: 'BEST_10AS_d0', routeId: 'BEST_10AS', route: '10AS',
	color: '#c62828', headsign: 'Colaba Depot', eta: NOW + minutes * MIN, uncertainty: 30, live: true,
	scheduled: NOW + minutes * MIN - 2 * MIN, noSignal: false, ...extra,
});

test('minutes are whole minutes left, rounded down, never negative', () => {
	assert.equal(minutesUntil(NOW + 59_999, NOW), 0);
	assert.equal(minutesUntil(NOW + 60_000, NOW), 1);
	assert.equal(minutesUntil(NOW + 4.9 * MIN, NOW), 4);
	assert.equal(minutesUntil(NOW - 5 * MIN, NOW), 0);
});

test('"now" only for a live bus that reports, on fresh data', () => {
	assert.equal(arrivalWhen(A(0.5), {now: NOW}).kind, 'now');
	assert.deepEqual(arrivalWhen(A(4.5), {now: NOW}), {kind: 'minutes', minutes: 4, scheduled: NOW + 2.5 * MIN});
	// A timetabled run (no bus yet) is "due", not "now".
	assert.equal(arrivalWhen(A(0.5, {vehicle: null, live: false}), {now: NOW}).kind, 'due');
	// The board is old (the connection is gone): never "now".
	assert.equal(arrivalWhen(A(0.5), {now: NOW, fresh: false}).kind, 'due');
	// The server says the bus went silent: only its timetable time.
	const silent = arrivalWhen(A(0.5, {live: false, noSignal: true}), {now: NOW});
	assert.deepEqual(silent, {kind: 'noSignal', minutes: 0, scheduled: NOW - 1.5 * MIN});
	// The page sees the bus as stale before the server's next board says so: not "now" either.
	assert.equal(arrivalWhen(A(0.5), {now: NOW, vehicleStale: true}).kind, 'noSignal');
	// A bus past its predicted time is "now", not "-1 min".
	assert.equal(arrivalWhen(A(-0.5), {now: NOW}).kind, 'now');
});

test('uncertainty is shown from a minute and a half, in whole minutes, at least 2', () => {
	assert.equal(uncertaintyMinutes(null), 0);
	assert.equal(uncertaintyMinutes(89), 0);
	assert.equal(uncertaintyMinutes(90), 2);
	assert.equal(uncertaintyMinutes(200), 3);
});

test('rows: keyed by trip and timetabled time (unique), live only when the bus reports', () => {
	const loop = A(12, {scheduled: NOW + 10 * MIN});
	const board = [A(1), A(3, {uncertainty: 150}), A(7, {vehicle: null, live: false, trip: 'T2'}), loop,
		{...loop}];
	const rows = arrivalRows(board, {now: NOW, isStale: (id) => id === 'stale-bus'});
	assert.equal(rows.length, 5);
	assert.equal(new Set(rows.map((r) => r.key)).size, 5, 'keys are unique');
	assert.equal(rows[0].key, arrivalKey(board[0]));
	assert.deepEqual(rows.map((r) => [r.when.kind, r.when.minutes, r.live, r.uncertainty]),
		[['minutes', 1, true, 0], ['minutes', 3, true, 3], ['minutes', 7, false, 0], ['minutes', 12, true, 0],
			['minutes', 12, true, 0]]);
	const stale = arrivalRows([A(0.2, {vehicle: 'stale-bus'})], {now: NOW, isStale: (id) => id === 'stale-bus'});
	assert.equal(stale[0].when.kind, 'noSignal');
	assert.equal(stale[0].live, false, 'no "Live" marker for a silent bus');
	assert.equal(stale[0].uncertainty, 0);
});

test('diffKeys: what came, went, stayed, and whether the order changed', () => {
	assert.deepEqual(diffKeys(['a', 'b', 'c'], ['b', 'c', 'd']), {added: ['d'], removed: ['a'], kept: ['b', 'c'], moved: false});
	assert.deepEqual(diffKeys(['a', 'b'], ['b', 'a']), {added: [], removed: [], kept: ['b', 'a'], moved: true});
	assert.deepEqual(diffKeys([], ['x']), {added: ['x'], removed: [], kept: [], moved: false});
});

test('the announcer speaks when the first bus changes, sparingly when only its minutes do', () => {
	const an = new Announcer({everyMs: 30_000});
	const row = (key, kind, minutes) => ({key, when: {kind, minutes}});
	assert.equal(an.shouldSpeak(row('a', 'minutes', 5), 0), false, 'not on the first board');
	assert.equal(an.shouldSpeak(row('a', 'minutes', 5), 1000), false, 'nothing changed');
	assert.equal(an.shouldSpeak(row('a', 'minutes', 4), 10_000), false, 'too soon after the last');
	assert.equal(an.shouldSpeak(row('a', 'minutes', 4), 31_000), true, 'a minute less, in time');
	assert.equal(an.shouldSpeak(row('a', 'minutes', 4), 32_000), false, 'said already');
	assert.equal(an.shouldSpeak(row('a', 'now', 0), 33_000), true, '"now" is said at once');
	assert.equal(an.shouldSpeak(row('b', 'minutes', 6), 34_000), true, 'another bus comes first');
	assert.equal(an.shouldSpeak(undefined, 90_000), false, 'an empty board says nothing');
	an.reset();
	assert.equal(an.shouldSpeak(row('c', 'minutes', 2), 100_000), false, 'a new stop starts afresh');
});

test('when in words, in each language', () => {
	const en = new I18n();
	const mr = new I18n('mr');
	const timeOf = () => '10:45';
	assert.equal(whenText(en, {kind: 'now', minutes: 0}, timeOf), 'now');
	assert.equal(whenText(en, {kind: 'due', minutes: 0}, timeOf), 'due');
	assert.equal(whenText(en, {kind: 'minutes', minutes: 1}, timeOf), 'in 1 min');
	assert.equal(whenText(en, {kind: 'noSignal', minutes: 0, scheduled: NOW}, timeOf), 'no signal — timetable 10:45');
	assert.equal(whenText(en, {kind: 'noSignal', minutes: 0, scheduled: NOW}, () => ''), 'no signal — timetable —');
	assert.equal(whenText(mr, {kind: 'minutes', minutes: 12}, timeOf), '१२ मिनिटांत');
	assert.equal(whenText(mr, {kind: 'now', minutes: 0}, timeOf), 'आता');
});
