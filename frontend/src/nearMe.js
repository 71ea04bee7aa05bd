/**
 * "Near me": the stops nearest a place, how far they are on foot, and the stops to offer when
 * the place is not known (the most used of the feed).
 *
 * - Walking distance is the straight line (haversine) × `WALK_FACTOR` (1.3: streets are not
 *   straight), walked at `WALK_KMH` (4.8 km/h); the panel says so.
 * - The most used stops are those served by the most routes (`routes` of `/api/stops`).
 * - `locateErrorKey` turns a Geolocation API error into the message the panel shows.
 *
 * Pure: plain data in and out; no DOM, no clock.
 */

const EARTH_RADIUS_M = 6371008.8;
const RAD = Math.PI / 180;

/** Streets are not straight lines: walking distance ≈ straight line × this. */
export const WALK_FACTOR = 1.3;
/** Walking speed, km/h. */
export const WALK_KMH = 4.8;
/** How many stops the panel lists. */
export const NEAR_COUNT = 5;

/** The great-circle distance in metres between two points in degrees. */
export function haversineM(lat1, lon1, lat2, lon2) {
	const dLat = (lat2 - lat1) * RAD;
	const dLon = (lon2 - lon1) * RAD;
	const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
	return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * The walk from `here` to `stop` (both `{lat, lon}`): `{straightM, walkM, minutes}`; minutes
 * rounded up, at least 1.
 */
export function walk(here, stop) {
	const straightM = haversineM(here.lat, here.lon, stop.lat, stop.lon);
	const walkM = straightM * WALK_FACTOR;
	const minutes = Math.max(1, Math.ceil(walkM / (WALK_KMH * 1000 / 60)));
	return {straightM, walkM, minutes};
}

/** Whether `stop` has a usable position. */
function placed(stop) {
	return Number.isFinite(stop?.lat) && Number.isFinite(stop?.lon);
}

/**
 * The `limit` stops nearest `here`, nearest first (ties by name, then id), each a copy with
 * `walkM` and `minutes` (walk()).
 *
 * @param {Array<{id, name, lat, lon}>} stops
 * @param {{lat: number, lon: number}} here
 * @param {number} [limit]
 */
export function nearestStops(stops, here, limit = NEAR_COUNT) {
	return stops.filter(placed)
		.map((stop) => {
			const {walkM, minutes} = walk(here, stop);
			return {...stop, walkM, minutes};
		})
		.sort((a, b) => a.walkM - b.walkM || byName(a, b))
		.slice(0, limit);
}

function byName(a, b) {
	const an = a.name ?? '';
	const bn = b.name ?? '';
	return an < bn ? -1 : an > bn ? 1 : (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The `limit` most used stops: those served by the most routes (ties by name, then id). Stops of
 * the same name (the two sides of a road) count once, the busier of them.
 */
export function busiestStops(stops, limit = NEAR_COUNT) {
	const sorted = stops.filter(placed)
		.sort((a, b) => (b.routes?.length ?? 0) - (a.routes?.length ?? 0) || byName(a, b));
	const names = new Set();
	const out = [];
	for (const stop of sorted) {
		if (names.has(stop.name)) { continue; }
		names.add(stop.name);
		out.push(stop);
		if (out.length === limit) { break; }
	}
	return out;
}

/**
 * The message key (i18n) for a failed location request: `error` is a GeolocationPositionError
 * (`code` 1 denied, 2 unavailable, 3 timeout), or null when the browser has no Geolocation API.
 */
export function locateErrorKey(error) {
	if (!error) { return 'nearUnsupported'; }
	return {1: 'nearDenied', 2: 'nearUnavailable', 3: 'nearTimeout'}[error.code] ?? 'nearUnavailable';
}

/** A walking distance for people: metres to the nearest 10 under 1 km, else km to 0.1. */
export function roundedDistance(metres) {
	if (metres < 1000) { return {unit: 'm', value: Math.max(10, Math.round(metres / 10) * 10)}; }
	return {unit: 'km', value: Math.round(metres / 100) / 10};
}
