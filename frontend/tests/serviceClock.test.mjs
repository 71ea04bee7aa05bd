// Moved from a colleague's throwaway /tmp/jstest/pure.test.mjs.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as sc from '../src/serviceClock.js';

test('service clock: carried forward past midnight; times and ages in words', () => {
	const c = new sc.ServiceClock().reset({service_time: '23:59:58', mode: 'live', note: ''}, 1000);
	c.advance(4000);
	assert.equal(c.text, '00:00:01');
	assert.equal(sc.parseServiceTime('25:10:00'), 25 * 3600 + 600);
	assert.equal(sc.formatAge(3200), '3 s ago');
	assert.equal(sc.formatAge(125000), '2 min ago');
});
