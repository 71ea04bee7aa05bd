import test from 'node:test';
import assert from 'node:assert/strict';
import {describeCount, enterChoice, groupRuns, MAX_QUERY, moveActive, normalizeQuery, toOptions} from '../src/searchResults.js';

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

test('toOptions merges routes and stops by rank: the exact number, then stops, then routes', () => {
	const ranked = {
		routes: [
			{id: 'BEST_64', label: '64', long_name: 'Dadar Station (E) ⇆ Parsiwada', rank: 0},
			{id: 'BEST_646RING', label: '646RING', rank: 7},
		],
		stops: [
			{id: 'S1', name: 'Dadar Police Station', lat: 19, lon: 72.8, rank: 3},
			{id: 'S2', name: 'Dadar Station (E)', lat: 19, lon: 72.8, rank: 3},
			{id: 'S3', name: 'Khodadad Circle (Dadar TT)', lat: 19, lon: 72.8, rank: 4},
		],
	};
	assert.deepEqual(toOptions(ranked).map((o) => o.id), ['BEST_64', 'S1', 'S2', 'S3', 'BEST_646RING']);
	// Without the exact number, the stops lead.
	ranked.routes.shift();
	assert.deepEqual(toOptions(ranked).map((o) => o.id), ['S1', 'S2', 'S3', 'BEST_646RING']);
	// An answer with a rank missing keeps routes first.
	delete ranked.stops[0].rank;
	assert.deepEqual(toOptions(ranked).map((o) => o.id), ['BEST_646RING', 'S1', 'S2', 'S3']);
});

test('groupRuns cuts the options into runs of one kind, in order', () => {
	const options = [{kind: 'route', id: 'a'}, {kind: 'stop', id: 'b'}, {kind: 'stop', id: 'c'}, {kind: 'route', id: 'd'}];
	assert.deepEqual(groupRuns(options).map((r) => [r.kind, r.start, r.options.map((o) => o.id)]),
		[['route', 0, ['a']], ['stop', 1, ['b', 'c']], ['route', 3, ['d']]]);
	assert.deepEqual(groupRuns([]), []);
});
