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
	assert.ok(!inSight({x: 640, y: 50}, size), 'under the top bar');
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
