import test from 'node:test';
import assert from 'node:assert/strict';
import {debounce} from '../src/debounce.js';

test('debounce: one call with the latest arguments once quiet; cancel and flush', (t) => {
	t.mock.timers.enable({apis: ['setTimeout']});
	const calls = [];
	const d = debounce((...args) => calls.push(args), 100);
	d(1); d(2);
	t.mock.timers.tick(99);
	d(3);
	t.mock.timers.tick(99);
	assert.deepEqual(calls, []);
	t.mock.timers.tick(1);
	assert.deepEqual(calls, [[3]]);

	d(4);
	d.cancel();
	t.mock.timers.tick(500);
	assert.deepEqual(calls, [[3]]);

	d(5, 'x');
	d.flush();
	assert.deepEqual(calls, [[3], [5, 'x']]);
	d.flush();
	t.mock.timers.tick(500);
	assert.equal(calls.length, 2, 'flushed once, nothing left');
});
