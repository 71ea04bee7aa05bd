import test from 'node:test';
import assert from 'node:assert/strict';
import {MAX_STARS, parseStars, STARS_KEY, starredFirst, Stars} from '../src/stars.js';

function memory() {
	const items = new Map();
	return {getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)), items};
}

test('parseStars keeps well-formed stops once and drops junk', () => {
	assert.deepEqual(parseStars('not json'), []);
	assert.deepEqual(parseStars('{"a": 1}'), []);
	assert.deepEqual(parseStars(null), []);
	assert.deepEqual(parseStars(JSON.stringify([{id: 'A', name: 'Dadar', lat: 19, lon: 72, routes: ['R', 3]}, {id: 'A'}, {name: 'x'}])),
		[{id: 'A', name: 'Dadar', lat: 19, lon: 72, routes: ['R']}]);
	const many = Array.from({length: 30}, (_, k) => ({id: `S${k}`}));
	assert.equal(parseStars(JSON.stringify(many)).length, MAX_STARS);
});

test('Stars toggles, survives a new page (the same storage) and tells listeners', () => {
	const storage = memory();
	const stars = new Stars(storage);
	const seen = [];
	stars.onChange((list) => seen.push(list.map((s) => s.id)));
	assert.equal(stars.toggle({id: 'A', name: 'Dadar Station (E)', lat: 19, lon: 72.8}), true);
	assert.equal(stars.toggle({id: 'B', name: 'Andheri Station (W)', lat: 19.1, lon: 72.8}), true);
	assert.deepEqual(new Stars(storage).list().map((s) => s.id), ['B', 'A'], 'most recent first, after a reload');
	assert.equal(stars.toggle({id: 'A'}), false);
	assert.equal(stars.has('A'), false);
	assert.deepEqual(seen, [['A'], ['B', 'A'], ['B']]);
	assert.deepEqual(JSON.parse(storage.items.get(STARS_KEY)).map((s) => s.id), ['B']);
	// Storage that throws: the list still works in memory.
	const broken = new Stars({getItem() { throw new Error('no'); }, setItem() { throw new Error('no'); }});
	assert.equal(broken.toggle({id: 'C', name: 'C'}), true);
	assert.equal(new Stars(null).list().length, 0);
});

test('starredFirst moves starred stops before the others, after what leads', () => {
	const options = [
		{kind: 'route', id: 'R64'}, {kind: 'stop', id: 'S1'}, {kind: 'stop', id: 'S2'},
		{kind: 'stop', id: 'S3'}, {kind: 'route', id: 'R7'},
	];
	assert.deepEqual(starredFirst(options, ['S3']).map((o) => `${o.id}${o.starred ? '*' : ''}`),
		['R64', 'S3*', 'S1', 'S2', 'R7']);
	assert.equal(starredFirst(options, []), options);
	assert.equal(starredFirst(options, ['X']), options);
	assert.deepEqual(starredFirst([{kind: 'route', id: 'R'}], ['S1']).map((o) => o.id), ['R']);
});
