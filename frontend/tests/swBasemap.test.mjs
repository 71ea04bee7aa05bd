import test from 'node:test';
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import vm from 'node:vm';

// sw.basemap.js is a classic script for the service worker (importScripts): its functions are
// globals of the context it runs in.
const source = readFileSync(new URL('../src/sw.basemap.js', import.meta.url), 'utf8');
const sw = {URL, Headers, Response, Promise, Map, Number};
vm.createContext(sw);
vm.runInContext(source, sw);

const ranged = (range) => ({headers: new Headers(range === undefined ? {} : {Range: range})});

test('basemapRange: one closed byte range, else null', () => {
	assert.deepEqual({...sw.basemapRange(ranged('bytes=0-16383'))}, {start: 0, end: 16383});
	assert.deepEqual({...sw.basemapRange(ranged('bytes=16384-20000'))}, {start: 16384, end: 20000});
	for (const other of [undefined, 'bytes=5-', 'bytes=-500', 'bytes=0-1,4-5', 'bytes=9-3', 'items=0-1']) {
		assert.equal(sw.basemapRange(ranged(other)), null, other);
	}
});

test('basemapKey: the URL with the range, without a fragment', () => {
	assert.equal(sw.basemapKey('https://bus.example/basemap.pmtiles#x', {start: 0, end: 16383}),
		'https://bus.example/basemap.pmtiles?bytes=0-16383');
});

test("basemapValidator: the strong ETag, else Last-Modified: the file's version", () => {
	const answer = (headers) => new Response('', {headers});
	assert.equal(sw.basemapValidator(answer({ETag: '"1a-2b"', 'Last-Modified': 'Tue, 16 Jun 2026 09:00:00 GMT'})), '"1a-2b"');
	assert.equal(sw.basemapValidator(answer({ETag: 'W/"weak"', 'Last-Modified': 'Tue, 16 Jun 2026 09:00:00 GMT'})),
		'Tue, 16 Jun 2026 09:00:00 GMT');
	assert.equal(sw.basemapValidator(answer({})), '');
	assert.equal(sw.isBasemapCache(`bustrack-basemap ${'"1a-2b"'}`), true);
	assert.equal(sw.isBasemapCache('bustrack-0123456789abcdef'), false);
});

test('basemapEvictions: the oldest ranges, as few as needed to fit', () => {
	const sizes = new Map([['a', 40], ['b', 30], ['c', 20], ['d', 10]]);
	assert.deepEqual([...sw.basemapEvictions(sizes, 100)], []);
	assert.deepEqual([...sw.basemapEvictions(sizes, 99)], ['a']);
	assert.deepEqual([...sw.basemapEvictions(sizes, 30)], ['a', 'b']);
	assert.deepEqual([...sw.basemapEvictions(sizes, 0)], ['a', 'b', 'c', 'd']);
});
