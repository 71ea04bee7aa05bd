import test from 'node:test';
import assert from 'node:assert/strict';
import {decodeRoute, onRoute, RouteIndex} from '../src/routeIndex.js';

const ROUTES = [
	{id: 'BEST_10AS', label: '10AS', short_name: '10AS', long_name: 'A ⇆ B', color: '#c62828',
		text_color: '#ffffff', type: 3, bbox: [72.8, 18.9, 72.9, 19.0],
		lines: [[[18.93, 72.83], [18.94, 72.84]], [[18.9, 72.8]]]},
	{id: 'BEST_NOBOX', short_name: '', long_name: 'Long only', color: 'red;x',
		lines: [[[19.1, 72.9], [19.0, 72.95], 'junk', [19.2]]]},
	{label: 'no id'},
];

test('decodeRoute keeps well-formed lines, checks colours, falls back for the label', () => {
	const r = decodeRoute(ROUTES[0]);
	assert.equal(r.label, '10AS');
	assert.equal(r.longName, 'A ⇆ B');
	assert.equal(r.lines.length, 1, 'a one-point line is no line');
	const n = decodeRoute(ROUTES[1]);
	assert.equal(n.label, 'Long only');
	assert.equal(n.color, '#1565c0');
	assert.deepEqual(n.lines, [[[19.1, 72.9], [19.0, 72.95]]]);
	assert.equal(n.bbox, null);
	assert.equal(decodeRoute(ROUTES[2]), null);
	assert.equal(decodeRoute(null), null);
});

test('RouteIndex: lookup, labels of stop routes, extents', () => {
	const index = new RouteIndex(ROUTES);
	assert.equal(index.size, 2);
	assert.equal(index.get('BEST_10AS').color, '#c62828');
	assert.deepEqual(index.routesOf(['BEST_NOBOX', 'BEST_GONE']).map((r) => r.label), ['Long only', 'BEST_GONE']);
	assert.deepEqual(index.boxOf('BEST_10AS'), [72.8, 18.9, 72.9, 19.0]);
	assert.deepEqual(index.boxOf('BEST_NOBOX'), [72.9, 19.0, 72.95, 19.1], 'from the lines');
	assert.equal(index.boxOf('nope'), null);
	index.reset([]);
	assert.equal(index.size, 0);
	assert.equal(new RouteIndex('garbage').size, 0);
});

test('onRoute: by route id when the vehicle has one, else by label', () => {
	const route = {id: 'BEST_10AS', label: '10AS'};
	assert.ok(onRoute({routeId: 'BEST_10AS', route: 'whatever'}, route));
	assert.ok(!onRoute({routeId: 'OTHER_10AS', route: '10AS'}, route), 'same label, other route');
	assert.ok(onRoute({routeId: '', route: '10AS'}, route));
	assert.ok(onRoute({route: '10AS'}, route));
	assert.ok(!onRoute({route: '10'}, route));
});
