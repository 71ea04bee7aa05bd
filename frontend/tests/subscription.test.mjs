import test from 'node:test';
import assert from 'node:assert/strict';
import {Subscription} from '../src/subscription.js';

/** Just enough of a Leaflet map: a fixed view and `moveend` listeners. */
function fakeMap() {
	return {
		getBounds: () => ({getWest: () => 72.8, getSouth: () => 18.9, getEast: () => 72.9, getNorth: () => 19.0}),
		getZoom: () => 14,
		on() {},
	};
}

test('the stop, the bus and the routes travel in every subscribe and in the URL', () => {
	const sent = [];
	const sub = new Subscription(fakeMap(), {margin: 0}).attach({send: (text) => sent.push(JSON.parse(text)) > 0});
	sub.setStop('BEST_01001');
	sub.setVehicle('BEST_10AS_d0@30600');
	assert.deepEqual(sent.at(-1), {
		type: 'subscribe', bbox: [72.8, 18.9, 72.9, 19], stop: 'BEST_01001', vehicle: 'BEST_10AS_d0@30600',
	});
	const query = new URLSearchParams(sub.query().slice(1));
	assert.equal(query.get('stop'), 'BEST_01001');
	assert.equal(query.get('vehicle'), 'BEST_10AS_d0@30600');
	assert.equal(query.get('routes'), null);

	// The same again sends nothing; null unsubscribes.
	const count = sent.length;
	sub.setStop('BEST_01001');
	assert.equal(sent.length, count);
	sub.setVehicle(null);
	assert.equal(sent.at(-1).vehicle, undefined);
	assert.equal(sent.at(-1).stop, 'BEST_01001');

	// Looking for a bus of another route asks for that route for a while, then for the view again.
	sub.setRoutes(['BEST_1']);
	sub.find('BEST_10AS');
	assert.deepEqual(sent.at(-1).routes, ['BEST_10AS']);
	assert.equal(sub.finding, 'BEST_10AS');
	assert.equal(new URLSearchParams(sub.query().slice(1)).get('routes'), 'BEST_10AS');
	sub.find(null);
	assert.deepEqual(sent.at(-1).routes, ['BEST_1']);
	sub.setStop(null);
	assert.equal(sent.at(-1).stop, undefined);
	assert.equal(new URLSearchParams(sub.query().slice(1)).get('stop'), null);
	assert.equal(sub.sentCount, sent.length);
});

test('the glance stops travel in every subscribe and in the URL, at most 10, sorted', () => {
	const sent = [];
	const sub = new Subscription(fakeMap(), {margin: 0}).attach({send: (text) => sent.push(JSON.parse(text)) > 0});
	sub.setGlance(['S2', 'S1', 'S2']);
	assert.deepEqual(sent.at(-1).glance, ['S1', 'S2']);
	assert.deepEqual(sub.glance, ['S1', 'S2']);
	assert.equal(new URLSearchParams(sub.query().slice(1)).get('glance'), 'S1,S2');
	// The same stops in another order send nothing; the first 10 only.
	const count = sent.length;
	sub.setGlance(['S1', 'S2']);
	assert.equal(sent.length, count);
	sub.setGlance(Array.from({length: 12}, (_, i) => `S${String(i).padStart(2, '0')}`));
	assert.equal(sent.at(-1).glance.length, 10);
	assert.equal(sent.at(-1).glance.at(-1), 'S09');
	sub.setStop('S1'); // the others keep them
	assert.equal(sent.at(-1).glance.length, 10);
	sub.setGlance([]);
	assert.equal(sent.at(-1).glance, undefined);
	assert.equal(new URLSearchParams(sub.query().slice(1)).get('glance'), null);
});
