// Moved from a colleague's throwaway /tmp/jstest/pure.test.mjs.
import test from 'node:test';
import assert from 'node:assert/strict';
import {backoffDelay, Connection, State} from '../src/connection.js';

test('backoff doubles to 30 s with jitter', () => {
	const mid = (n) => backoffDelay(n, {random: () => 0.5});
	assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 10].map(mid), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
	assert.equal(backoffDelay(0, {random: () => 0}), 750);
	assert.equal(backoffDelay(0, {random: () => 0.999999}), 1250);
	assert.equal(backoffDelay(9, {random: () => 0.999999}), 30000);
	assert.equal(backoffDelay(9, {random: () => 0}), 22500);
});

class FakeWS {
	static all = [];
	constructor(url) { this.url = url; this.sent = []; this.closed = null; FakeWS.all.push(this); }
	send(t) { this.sent.push(t); }
	close(code) { this.closed = code; }
}

test('connection: reconnects with backoff, resets on a frame, stops', async (t) => {
	t.mock.timers.enable({apis: ['setTimeout', 'Date']});
	FakeWS.all = [];
	const c = new Connection('ws://x/ws', {WebSocket: FakeWS, random: () => 0.5, silenceMs: 15000});
	const states = []; const frames = [];
	c.on('state', (e) => states.push(e.state)); c.on('frame', (e) => frames.push(e.frame.type));
	c.start();
	assert.equal(FakeWS.all.length, 1);
	FakeWS.all[0].onclose(); // refused
	assert.equal(c.state, State.WAITING);
	t.mock.timers.tick(999); assert.equal(FakeWS.all.length, 1);
	t.mock.timers.tick(1); assert.equal(FakeWS.all.length, 2);
	FakeWS.all[1].onclose();
	t.mock.timers.tick(1999); assert.equal(FakeWS.all.length, 2);
	t.mock.timers.tick(1); assert.equal(FakeWS.all.length, 3);
	const ws = FakeWS.all[2];
	ws.onopen();
	ws.onmessage({data: JSON.stringify({type: 'snapshot', v: 2, ts: 1, parts: []})});
	ws.onmessage({data: 'garbage'});
	ws.onmessage({data: '{"type":"newthing","ts":1}'});
	assert.deepEqual(frames, ['snapshot']);
	ws.onclose();
	t.mock.timers.tick(1000); assert.equal(FakeWS.all.length, 4, 'reset after success');
	// silence watchdog
	const w4 = FakeWS.all[3]; w4.onopen();
	t.mock.timers.tick(15000); assert.deepEqual(w4.sent, ['{"type":"ping"}']);
	t.mock.timers.tick(15000); assert.equal(w4.closed, 4000); assert.equal(c.state, State.WAITING);
	c.stop(); assert.equal(c.state, State.STOPPED);
	t.mock.timers.tick(60000); assert.equal(FakeWS.all.length, 4, 'no reconnect after stop');
});
