// Moved from a colleague's throwaway /tmp/jstest/pure.test.mjs.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as geo from '../src/geo.js';

test('geo: bearings the short way round, distances, metres per pixel', () => {
	assert.equal(geo.lerpBearing(350, 10, 0.5), 0);
	assert.equal(geo.lerpBearing(10, 350, 0.25), 5);
	assert.equal(geo.lerpBearing(90, 270, 0.5), 180);
	assert.ok(Math.abs(geo.lerpBearing(359, 1, 0.5)) < 1e-9 || geo.lerpBearing(359, 1, 0.5) === 0);
	assert.equal(geo.bearingDelta(0, 180), 180);
	assert.ok(Math.abs(geo.distanceMeters(19, 72.8, 19.001, 72.8) - 111.2) < 0.5);
	assert.ok(Math.abs(geo.metersPerPixel(0, 0) - 156543.03) < 0.1);
});
