import test from 'node:test';
import assert from 'node:assert/strict';
import {GLANCE_BUSES, Glances, glanceBuses, glanceIds} from '../src/glance.js';
import {MAX_GLANCE} from '../src/protocol.js';

test('Near me stops first, then My stops, each once, at most MAX_GLANCE', () => {
	assert.deepEqual(glanceIds(['N1', 'N2'], ['S1', 'N2', 'S2']), ['N1', 'N2', 'S1', 'S2']);
	assert.deepEqual(glanceIds([], []), []);
	const many = Array.from({length: 20}, (_, i) => `S${i}`);
	assert.equal(glanceIds(['N1'], many).length, MAX_GLANCE);
	assert.equal(glanceIds(['N1'], many)[0], 'N1');
	assert.equal(glanceIds([], many, 3).length, 3);
});

test("the reminders' stops come first, before Near me's and My stops, within MAX_GLANCE", () => {
	assert.deepEqual(glanceIds(['N1'], ['S1', 'R2'], undefined, ['R1', 'R2']), ['R1', 'R2', 'N1', 'S1']);
	const many = Array.from({length: 20}, (_, i) => `S${i}`);
	const ids = glanceIds(many, many, undefined, ['R1']);
	assert.equal(ids.length, MAX_GLANCE);
	assert.equal(ids[0], 'R1');
});

test("a stop's buses read as the stop panel's: now only when live, minutes rounded down", () => {
	const now = 1_000_000;
	const bus = (eta, live, route = '64') => ({route, color: '#123456', headsign: 'Dadar', eta, live});
	const rows = glanceBuses([bus(now + 30000, true), bus(now + 30000, false), bus(now + 185000, true),
		bus(now + 600000, false)], now);
	assert.equal(rows.length, GLANCE_BUSES);
	assert.deepEqual(rows.map((r) => r.when.kind), ['now', 'due', 'minutes']);
	assert.equal(rows[2].when.minutes, 3);
	assert.deepEqual(rows[0], {route: '64', color: '#123456', headsign: 'Dadar', live: true, when: rows[0].when});
	assert.deepEqual(glanceBuses([], now), []);
});

test('Glances keeps the latest frame only, and tells its listeners', () => {
	const glances = new Glances();
	let told = 0;
	glances.onChange(() => { told += 1; });
	assert.equal(glances.get('S1'), null);
	glances.tick();
	assert.equal(told, 0); // nothing to count down
	glances.set({type: 'glance', ts: 5, stops: new Map([['S1', []], ['S2', [{route: '7'}]]])});
	assert.deepEqual(glances.get('S1'), []);
	assert.deepEqual(glances.ids(), ['S1', 'S2']);
	assert.equal(glances.ts, 5);
	glances.set({type: 'glance', ts: 6, stops: new Map([['S2', []]])});
	assert.equal(glances.get('S1'), null); // replaced, not merged
	assert.equal(glances.frameCount, 2);
	glances.tick();
	assert.equal(told, 3);
	glances.clear();
	assert.deepEqual(glances.ids(), []);
});
