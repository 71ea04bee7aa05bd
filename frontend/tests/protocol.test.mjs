// From a colleague's throwaway /tmp/jstest/pure.test.mjs, ported to protocol v2 (docs/protocol.md).
import test from 'node:test';
import assert from 'node:assert/strict';
import {decodeFrame, encodeSubscribe, ProtocolError} from '../src/protocol.js';

/** A full record: [n, id, route_id, route, headsign, color, lat, lon, bearing]. */
const E = (n, id, {lat = 1900000, lon = 7280000, bearing = 10, color = '#c62828'} = {}) =>
	[n, id, 'BEST_R', 'R', 'H', color, lat, lon, bearing];

test('decode a snapshot: full records, broken ones counted as rejected', () => {
	const snap = decodeFrame(JSON.stringify({
		type: 'snapshot', v: 2, ts: 5,
		clock: {service_time: '10:00:00', mode: 'busiest', note: 'n'},
		parts: [{c: 'all', e: [E(1, 'a'), [2, 'b'], E(3, 'c', {lat: 9100000})], m: [], l: []},
			{c: '14/1/2', e: [E(4, 'd', {bearing: -90})]}],
	}));
	assert.equal(snap.type, 'snapshot');
	assert.equal(snap.v, 2);
	assert.deepEqual(snap.clock, {service_time: '10:00:00', mode: 'busiest', note: 'n'});
	assert.deepEqual(snap.vehicles.map((v) => v.id), ['a', 'd']);
	assert.equal(snap.rejected, 2);
	assert.deepEqual(snap.vehicles[0], {
		n: 1, id: 'a', routeId: 'BEST_R', route: 'R', headsign: 'H', color: '#c62828',
		lat: 19, lon: 72.8, bearing: 10, reportedMs: 0,
	});
	assert.equal(snap.vehicles[1].bearing, 270);
});

test('decode an update: entered, moved and left across parts', () => {
	const up = decodeFrame(JSON.stringify({
		type: 'update', ts: 6,
		parts: [{c: '14/1/2', e: [], m: [[1, 1900010, 7280020, 370], [2, 'x']], l: [3, 'c', null]},
			{c: '14/1/3', e: [E(3, 'c')], m: [], l: []}],
	}));
	assert.equal(up.type, 'update');
	assert.deepEqual(up.remove, [3]);
	assert.deepEqual(up.vehicles.map((v) => v.id), ['c']);
	assert.equal(up.moves.length, 1);
	assert.equal(up.moves[0].n, 1);
	assert.ok(Math.abs(up.moves[0].lat - 19.0001) < 1e-9);
	assert.equal(up.moves[0].bearing, 10);
	assert.equal(up.rejected, 1);
});

test('decode: unknown types are ignored, broken frames throw, colours are checked', () => {
	assert.equal(decodeFrame('{"type":"future","ts":1}'), null);
	assert.equal(decodeFrame('{"type":"error","ts":1,"error":"x"}').error, 'x');
	assert.equal(decodeFrame('{"type":"pong"}').ts, null);
	for (const bad of ['nope', '[]', '{"ts":1}', '{"type":"update"}',
		'{"type":"update","ts":1,"parts":{}}', '{"type":"update","ts":1,"parts":[1]}',
		'{"type":"update","ts":1,"parts":[{"e":{}}]}']) {
		assert.throws(() => decodeFrame(bad), ProtocolError, bad);
	}
	assert.throws(() => decodeFrame(new ArrayBuffer(2)), ProtocolError);
	const frame = decodeFrame(JSON.stringify({type: 'update', ts: 1, parts: [{e: [E(1, 'x', {color: 'red;background:url(x)'})]}]}));
	assert.equal(frame.vehicles[0].color, '#1565c0');
});

test('encode a subscription: box rounded to 1e-5 degree, routes only when given', () => {
	assert.deepEqual(JSON.parse(encodeSubscribe({bbox: [72.1234567, 18.9, 72.9, 19.3]})),
		{type: 'subscribe', bbox: [72.12346, 18.9, 72.9, 19.3]});
	assert.deepEqual(JSON.parse(encodeSubscribe({bbox: null, routes: ['BEST_10AS']})),
		{type: 'subscribe', routes: ['BEST_10AS']});
});

test('a silent bus carries the time of its last report', () => {
	const snap = decodeFrame(JSON.stringify({
		type: 'snapshot', v: 2, ts: 5,
		parts: [{c: 'all', e: [[1, 'a', 'BEST_R', 'R', 'H', '#c62828', 1900000, 7280000, 10, 1700000000]]}],
	}));
	assert.equal(snap.vehicles[0].reportedMs, 1700000000000);
});

test('decode arrivals and vehicle details', () => {
	const board = decodeFrame(JSON.stringify({
		type: 'arrivals', ts: 7, stop: {id: 'S', name: 'Stop', lat: 19, lon: 72.8},
		arrivals: [
			{vehicle: 'a', trip: 't', route_id: 'R', route: '7', color: '#123456', headsign: 'H',
				eta: 1000, uncertainty: 30, live: true, scheduled: 900, no_signal: false},
			{vehicle: null, route: '8', eta: 2000, uncertainty: null, live: false, scheduled: 2000},
			{route: 'broken'},
		],
	}));
	assert.equal(board.stop.name, 'Stop');
	assert.deepEqual(board.arrivals.map((a) => [a.route, a.live, a.uncertainty]), [['7', true, 30], ['8', false, null]]);
	assert.throws(() => decodeFrame(JSON.stringify({type: 'arrivals', ts: 1, arrivals: []})), ProtocolError);
	const details = decodeFrame(JSON.stringify({
		type: 'vehicle', ts: 8, id: 'a', active: true, route: '7', headsign: 'H',
		next_stop: {id: 'S', name: 'Stop', eta: 1000, uncertainty: 20}, delay: 60, speed_kmh: 12.5,
		reported: 8, stale: false,
	}));
	assert.equal(details.nextStop.name, 'Stop');
	assert.equal(details.nextStop.eta, 1000);
	assert.equal(details.speedKmh, 12.5);
	assert.equal(details.delay, 60);
});

test('subscribe to a stop and a vehicle', () => {
	assert.deepEqual(JSON.parse(encodeSubscribe({stop: 'S', vehicle: 'v'})), {type: 'subscribe', stop: 'S', vehicle: 'v'});
});

test('decode a glance: next buses by stop, broken rows dropped; subscribe with glance stops', () => {
	const frame = decodeFrame(JSON.stringify({
		type: 'glance', ts: 9,
		stops: {
			S1: [{route: '64', color: '#123456', headsign: 'Dadar', eta: 60000, live: true, trip: 'T64'},
				{route: '7', color: 'red;x', headsign: 'Colaba', eta: 120000, live: 'yes'}, {route: 'broken'}],
			S2: [],
		},
	}));
	assert.equal(frame.type, 'glance');
	assert.equal(frame.ts, 9);
	assert.deepEqual([...frame.stops.keys()], ['S1', 'S2']);
	assert.deepEqual(frame.stops.get('S1'), [
		{route: '64', color: '#123456', headsign: 'Dadar', eta: 60000, live: true, trip: 'T64'},
		{route: '7', color: '#1565c0', headsign: 'Colaba', eta: 120000, live: false, trip: null}, // no trip: an older server
	]);
	assert.deepEqual(frame.stops.get('S2'), []);
	assert.throws(() => decodeFrame('{"type": "glance", "ts": 1}'), ProtocolError);
	assert.throws(() => decodeFrame('{"type": "glance", "ts": 1, "stops": {"S1": 3}}'), ProtocolError);
	assert.throws(() => decodeFrame('{"type": "glance", "stops": {}}'), ProtocolError);
	assert.deepEqual(JSON.parse(encodeSubscribe({glance: ['S1', 'S2']})), {type: 'subscribe', glance: ['S1', 'S2']});
	assert.deepEqual(JSON.parse(encodeSubscribe({glance: []})), {type: 'subscribe'});
});
