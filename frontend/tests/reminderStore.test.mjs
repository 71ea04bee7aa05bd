import test from 'node:test';
import assert from 'node:assert/strict';
import {PAST_MS} from '../src/notify.js';
import {loadReminders, REMINDERS_KEY, saveReminders} from '../src/reminderStore.js';

const MIN = 60000;
const T0 = 1_700_000_000_000; // any server time

class MemoryStorage {
	constructor() { this.items = new Map(); }
	getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
	setItem(key, value) { this.items.set(key, String(value)); }
	removeItem(key) { this.items.delete(key); }
}

const reminder = (over = {}) => ({
	stopId: 'BEST_01001', stopName: 'Afghan Church', key: 'BEST_3AS_d0@30600|1700000600000', vehicle: 'BEST_3AS_d0@30600',
	routeId: 'BEST_3AS', route: '3AS', headsign: 'Colaba Depot', eta: T0 + 9 * MIN, ...over,
});

test('saved and loaded: stop, trip, bus, route, ETA and an expiry', () => {
	const storage = new MemoryStorage();
	saveReminders(storage, [reminder()]);
	const kept = JSON.parse(storage.getItem(REMINDERS_KEY));
	assert.equal(kept.v, 1);
	assert.deepEqual(kept.reminders[0], {...reminder(), trip: 'BEST_3AS_d0@30600', expires: T0 + 9 * MIN + PAST_MS});
	assert.deepEqual(loadReminders(storage, T0), kept.reminders);
});

test('expired reminders are not brought back; none left: the key goes', () => {
	const storage = new MemoryStorage();
	saveReminders(storage, [reminder(), reminder({key: 'gone|1', eta: T0 - PAST_MS - 1})]);
	assert.deepEqual(loadReminders(storage, T0).map((r) => r.key), [reminder().key]);
	assert.deepEqual(loadReminders(storage, T0 + 9 * MIN + PAST_MS + 1), []);
	saveReminders(storage, []);
	assert.equal(storage.getItem(REMINDERS_KEY), null);
});

test('broken, foreign or refused storage: nothing comes back, nothing throws', () => {
	const storage = new MemoryStorage();
	for (const text of ['not json', '[]', '{"v": 2, "reminders": []}', '{"v": 1, "reminders": [{"stopId": 3}]}']) {
		storage.setItem(REMINDERS_KEY, text);
		assert.deepEqual(loadReminders(storage, T0), [], text);
	}
	const refusing = {getItem() { throw new Error('denied'); }, setItem() { throw new Error('full'); }, removeItem() {}};
	assert.deepEqual(loadReminders(refusing, T0), []);
	saveReminders(refusing, [reminder()]);
	assert.deepEqual(loadReminders(null, T0), []);
	saveReminders(null, [reminder()]);
});
