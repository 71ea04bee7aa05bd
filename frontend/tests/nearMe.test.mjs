import test from 'node:test';
import assert from 'node:assert/strict';
import {busiestStops, haversineM, locateErrorKey, nearestStops, roundedDistance, walk, WALK_FACTOR, WALK_KMH}
	from '../src/nearMe.js';

const DADAR = {lat: 19.0176, lon: 72.8562};

test('haversine: one degree of latitude is about 111.2 km; the same point is 0', () => {
	assert.ok(Math.abs(haversineM(19, 72.8, 20, 72.8) - 111195) < 20);
	assert.equal(haversineM(19, 72.8, 19, 72.8), 0);
});

test('walk: the straight line × 1.3 at 4.8 km/h, minutes rounded up, at least 1', () => {
	assert.equal(WALK_FACTOR, 1.3);
	assert.equal(WALK_KMH, 4.8);
	const stop = {lat: DADAR.lat + 1000 / 111195, lon: DADAR.lon}; // 1 km north
	const w = walk(DADAR, stop);
	assert.ok(Math.abs(w.straightM - 1000) < 1);
	assert.ok(Math.abs(w.walkM - 1300) < 1.5);
	assert.equal(w.minutes, 17); // 1300 m at 80 m/min = 16.25
	assert.equal(walk(DADAR, DADAR).minutes, 1);
});

test('nearestStops: nearest first, at most limit, stops without a position skipped', () => {
	const stops = [
		{id: 'far', name: 'Far', lat: 19.1, lon: 72.9},
		{id: 'b', name: 'B', lat: 19.0180, lon: 72.8562},
		{id: 'a', name: 'A', lat: 19.0180, lon: 72.8562},
		{id: 'near', name: 'Near', lat: 19.0177, lon: 72.8562},
		{id: 'nowhere', name: 'Nowhere'},
	];
	const got = nearestStops(stops, DADAR, 3);
	assert.deepEqual(got.map((s) => s.id), ['near', 'a', 'b']);
	assert.ok(got[0].walkM < got[1].walkM);
	assert.equal(got[0].minutes, 1);
	assert.equal(stops[1].walkM, undefined, 'the input is not changed');
	assert.deepEqual(nearestStops([], DADAR), []);
});

test('busiestStops: most routes first, one stop per name, ties by name', () => {
	const stops = [
		{id: '1', name: 'Quiet', lat: 19, lon: 72, routes: ['A']},
		{id: '2', name: 'Dadar', lat: 19, lon: 72, routes: ['A', 'B', 'C']},
		{id: '3', name: 'Dadar', lat: 19.001, lon: 72, routes: ['A', 'B']},
		{id: '4', name: 'Colaba', lat: 18.9, lon: 72.8, routes: ['A', 'B']},
		{id: '5', name: 'Andheri', lat: 19.1, lon: 72.8, routes: ['C', 'D']},
		{id: '6', name: 'No routes', lat: 19.1, lon: 72.8},
	];
	assert.deepEqual(busiestStops(stops, 4).map((s) => s.id), ['2', '5', '4', '1']);
	assert.equal(busiestStops(stops).length, 5);
});

test('locateErrorKey: denied, unavailable, timeout, no API', () => {
	assert.equal(locateErrorKey({code: 1}), 'nearDenied');
	assert.equal(locateErrorKey({code: 2}), 'nearUnavailable');
	assert.equal(locateErrorKey({code: 3}), 'nearTimeout');
	assert.equal(locateErrorKey(null), 'nearUnsupported');
	assert.equal(locateErrorKey({code: 9}), 'nearUnavailable');
});

test('roundedDistance: tens of metres under 1 km, then km to 0.1', () => {
	assert.deepEqual(roundedDistance(3), {unit: 'm', value: 10});
	assert.deepEqual(roundedDistance(347), {unit: 'm', value: 350});
	assert.deepEqual(roundedDistance(1260), {unit: 'km', value: 1.3});
});
