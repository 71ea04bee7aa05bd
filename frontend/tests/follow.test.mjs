import test from 'node:test';
import assert from 'node:assert/strict';
import {FOLLOW_MIN_PX, Follow, followOffset} from '../src/follow.js';
import {inSight} from '../src/busFocus.js';
import {byRoute} from '../src/busList.js';

test('the pan that recentres the map on a bus, none when it is there', () => {
	assert.deepEqual(followOffset({x: 110, y: 95}, {x: 100, y: 100}), [10, -5]);
	assert.equal(followOffset({x: 100.2, y: 99.9}, {x: 100, y: 100}), null);
	assert.ok(FOLLOW_MIN_PX <= 1);
});

test('following stops when the user moves the map, not when the follower does', () => {
	const f = new Follow();
	assert.equal(f.mapMoveStarted(), false, 'nothing followed');
	f.start('bus1');
	assert.equal(f.id, 'bus1');
	let during = null;
	f.selfMove(() => {
		during = f.moving;
		assert.equal(f.mapMoveStarted(), false, "the follower's own pan");
	});
	assert.equal(during, true);
	assert.equal(f.moving, false);
	assert.equal(f.id, 'bus1');
	// A zoom is always the user's (the follower never zooms).
	f.selfMove(() => assert.equal(f.mapMoveStarted({zoom: true}), true));
	assert.equal(f.id, null);
	f.start('bus2');
	assert.equal(f.mapMoveStarted(), true, 'a drag');
	assert.equal(f.id, null);
	f.start('bus3').stop();
	assert.equal(f.id, null);
	// An exception in the pan does not leave the follower thinking it is still moving.
	f.start('bus4');
	assert.throws(() => f.selfMove(() => { throw new Error('boom'); }));
	assert.equal(f.moving, false);
});

test('a bus is in sight when not under the panel, the top bar or an edge', () => {
	const size = {x: 1280, y: 800};
	assert.ok(inSight({x: 640, y: 400}, size));
	assert.ok(!inSight({x: 200, y: 400}, size, {left: 400, bottom: 0}), 'under the panel');
	assert.ok(!inSight({x: 640, y: 80}, size, {top: 70}), 'under the top bar');
	assert.ok(inSight({x: 640, y: 120}, size, {top: 70}));
	assert.ok(!inSight({x: 1270, y: 400}, size), 'at the edge');
	assert.ok(!inSight({x: -10, y: 400}, size), 'off screen');
});

test('the list view orders buses by route (numbers by value), then headsign', () => {
	const buses = [
		{id: 'c', route: '10AS', headsign: 'B'}, {id: 'a', route: '2', headsign: 'Z'},
		{id: 'b', route: '10AS', headsign: 'A'}, {id: 'd', route: '100RING', headsign: 'A'},
	];
	assert.deepEqual(buses.sort(byRoute).map((b) => b.id), ['a', 'b', 'c', 'd']);
});

test('a bus outside the box: its route is asked for until the map is there, then the view again', async () => {
	const {BusFocus} = await import('../src/busFocus.js');
	const log = [];
	let moveend = null;
	const map = {
		getZoom: () => 15,
		getSize: () => ({x: 1280, y: 800}),
		latLngToContainerPoint: () => ({x: -500, y: -500}), // off screen
		once: (type, fn) => { moveend = fn; },
		setView: (latlng) => log.push(['setView', latlng]),
	};
	const fleet = new Map();
	const buses = {
		displayed: (id) => fleet.get(id) ?? null,
		openPopup: (id) => log.push(['openPopup', id, fleet.has(id)]),
	};
	const subscription = {finding: null, find(route) {
		this.finding = route;
		log.push(['find', route]);
	}};
	const results = [];
	const focus = new BusFocus({map, buses, subscription, onResult: (r) => results.push(r)});
	assert.equal(focus.show('bus1', 'R1'), false);
	assert.deepEqual(log, [['find', 'R1']]);
	assert.equal(focus.pending, 'bus1');
	fleet.set('bus1', {lat: 19, lon: 72.8});
	focus.onSnapshot();
	// Still asking for the route while the map moves: the bus must stay in the page's state.
	assert.deepEqual(log.at(-1), ['setView', [19, 72.8]]);
	assert.equal(subscription.finding, 'R1');
	moveend();
	assert.deepEqual(log.slice(-2), [['find', null], ['openPopup', 'bus1', true]]);
	assert.deepEqual(results, ['finding', 'shown']);

	// A bus the route's snapshot does not hold is gone: back to the view.
	focus.show('bus2', 'R2');
	focus.onSnapshot();
	assert.equal(subscription.finding, null);
	assert.deepEqual(results.at(-1), 'gone');
	assert.equal(focus.pending, null);
});
