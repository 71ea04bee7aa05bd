/**
 * Interpolation helpers on WGS84 degrees and compass bearings.
 *
 * Pure functions on numbers: no Leaflet, no DOM, no clock.
 */

const EARTH_RADIUS_M = 6371008.8;
const RAD = Math.PI / 180;

/** Linear interpolation from `a` to `b`, `t` in [0, 1]. */
export function lerp(a, b, t) {
	return a + (b - a) * t;
}

/** Clamp `t` into [0, 1]. */
export function clamp01(t) {
	return t < 0 ? 0 : t > 1 ? 1 : t;
}

/** A bearing folded into [0, 360). Non-numbers become 0. */
export function normalizeBearing(deg) {
	if (!Number.isFinite(deg)) { return 0; }
	const b = deg % 360;
	return b < 0 ? b + 360 : b;
}

/** The signed turn in (-180, 180] that takes bearing `from` to bearing `to` the short way. */
export function bearingDelta(from, to) {
	let d = normalizeBearing(to) - normalizeBearing(from);
	if (d > 180) { d -= 360; } else if (d <= -180) { d += 360; }
	return d;
}

/** Interpolate bearings the short way round; the result is in [0, 360). */
export function lerpBearing(from, to, t) {
	return normalizeBearing(from + bearingDelta(from, to) * t);
}

/** Great-circle distance in metres between two points (haversine). */
export function distanceMeters(lat1, lon1, lat2, lon2) {
	const dLat = (lat2 - lat1) * RAD;
	const dLon = (lon2 - lon1) * RAD;
	const a = Math.sin(dLat / 2) ** 2 +
		Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
	return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Ground size in metres of one CSS pixel of a Web Mercator map at `zoom`, at latitude `lat`. */
export function metersPerPixel(lat, zoom) {
	return 2 * Math.PI * 6378137 * Math.cos(lat * RAD) / (256 * 2 ** zoom);
}
