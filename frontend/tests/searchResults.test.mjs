import test from 'node:test';
import assert from 'node:assert/strict';
import {describeCount, enterChoice, MAX_QUERY, moveActive, normalizeQuery, toOptions} from '../src/searchResults.js';

const answer = {
	routes: [
		{id: 'BEST_10AS', label: '10AS', long_name: 'Anik Depot ⇆ Colaba', color: '#c62828'},
		{id: 'BEST_100RING', label: '100RING', long_name: 'Ring', color: '#ad1457'},
		{id: 'BEST_10AS', label: '10AS', long_name: 'again', color: '#c62828'},
		{label: 'no id'},
	],
	stops: [
		{id: 'BEST_01001', name: 'Afghan Church', lat: 18.90718, lon: 72.81698, routes: ['BEST_3', 7, 'BEST_11']},
		{id: 'BEST_01002', name: 'Afghan Church', lat: 18.9069, lon: 72.8166},
		{id: 'BEST_X', name: 'Nowhere'},
	],
};

test('toOptions: routes first in the server order, then stops; malformed and repeated skipped', () => {
	const options = toOptions(answer);
	assert.deepEqual(options.map((o) => `${o.kind}:${o.id}`),
		['route:BEST_10AS', 'route:BEST_100RING', 'stop:BEST_01001', 'stop:BEST_01002']);
	assert.deepEqual(options[0], {kind: 'route', id: 'BEST_10AS', label: '10AS', longName: 'Anik Depot ⇆ Colaba', color: '#c62828'});
	assert.deepEqual(options[2], {
		kind: 'stop', id: 'BEST_01001', name: 'Afghan Church', lat: 18.90718, lon: 72.81698,
		routes: ['BEST_3', 'BEST_11'], // what is not a route id is left out
	});
	assert.deepEqual(options[3].routes, [], 'no routes in the answer: none listed');
	// Routes and stops may share an id: they are different options.
	assert.equal(toOptions({routes: [{id: 'X', label: 'X'}], stops: [{id: 'X', name: 'X', lat: 1, lon: 2}]}).length, 2);
	for (const nothing of [null, undefined, {}, {routes: 'x', stops: 3}, []]) {
		assert.deepEqual(toOptions(nothing), []);
	}
});

test('moveActive: arrows wrap round; from none, down is the first and up the last', () => {
	assert.equal(moveActive(-1, 1, 3), 0);
	assert.equal(moveActive(-1, -1, 3), 2);
	assert.equal(moveActive(0, 1, 3), 1);
	assert.equal(moveActive(2, 1, 3), 0);
	assert.equal(moveActive(0, -1, 3), 2);
	assert.equal(moveActive(7, 1, 3), 0, 'an index left over from a longer list starts again');
	assert.equal(moveActive(-1, 1, 0), -1);
	assert.equal(moveActive(0, -1, 1), 0);
});

test('enterChoice: the active option, else the best (first) match', () => {
	assert.equal(enterChoice(2, 4), 2);
	assert.equal(enterChoice(-1, 4), 0);
	assert.equal(enterChoice(5, 4), 0);
	assert.equal(enterChoice(-1, 0), -1);
});

test('normalizeQuery trims, collapses spaces and caps the length', () => {
	assert.equal(normalizeQuery('  10  AS '), '10 AS');
	assert.equal(normalizeQuery('\t\n'), '');
	assert.equal(normalizeQuery('x'.repeat(150)).length, MAX_QUERY);
});

test('describeCount words the result list', () => {
	const options = toOptions(answer);
	assert.equal(describeCount(options), '2 routes and 2 stops');
	assert.equal(describeCount(options.slice(0, 1)), '1 route');
	assert.equal(describeCount(options.slice(3)), '1 stop');
	assert.equal(describeCount([]), 'No routes or stops found');
});
