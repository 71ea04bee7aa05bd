import test from 'node:test';
import assert from 'node:assert/strict';
import {Alerts, textOf} from '../src/alerts.js';

const ALERT = (id, extra = {}) => ({
	id, header: {en: id}, description: {}, url: {}, routes: [], stops: [], everywhere: false, periods: [],
	...extra,
});

test('textOf picks the language, else the untranslated text, else English, else any', () => {
	assert.equal(textOf({en: 'Closed', mr: 'बंद'}, 'mr'), 'बंद');
	assert.equal(textOf({'': 'Closed', en: 'Shut'}, 'hi'), 'Closed');
	assert.equal(textOf({en: 'Closed'}, 'hi'), 'Closed');
	assert.equal(textOf({mr: 'बंद'}, 'hi'), 'बंद');
	assert.equal(textOf({}, 'en'), '');
	assert.equal(textOf(undefined, 'en'), '');
});

test('alerts apply to the stops and routes they name, and agency-wide ones everywhere', async () => {
	const list = [
		ALERT('stop', {stops: ['S1']}), ALERT('route', {routes: ['R1']}), ALERT('all', {everywhere: true}),
	];
	const alerts = new Alerts({fetch: async () => ({alerts: list})});
	let changes = 0;
	alerts.onChange(() => { changes += 1; });
	await alerts.refresh();
	assert.deepEqual(alerts.forStop('S1').map((a) => a.id), ['stop', 'all']);
	assert.deepEqual(alerts.forRoute('R1').map((a) => a.id), ['route', 'all']);
	assert.deepEqual(alerts.forStop('S2').map((a) => a.id), ['all']);
	assert.deepEqual(alerts.forStop(null), []);
	await alerts.refresh(); // the same alerts again: no change to tell
	assert.equal(changes, 1);
});

test('a failed fetch keeps the last alerts', async () => {
	let fail = false;
	const alerts = new Alerts({fetch: async () => {
		if (fail) { throw new Error('offline'); }
		return {alerts: [ALERT('a', {everywhere: true})]};
	}});
	await alerts.refresh();
	fail = true;
	const warn = console.warn;
	console.warn = () => {};
	try {
		await alerts.refresh();
	} finally {
		console.warn = warn;
	}
	assert.deepEqual(alerts.all.map((a) => a.id), ['a']);
});
