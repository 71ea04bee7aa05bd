/**
 * Boxes in docs/api.md's order, `[west, south, east, north]` (WGS84 degrees).
 *
 * Pure functions on arrays of numbers: no Leaflet, no DOM, no network.
 */

/** Whether `box` is four finite numbers with west ≤ east and south ≤ north. */
export function isBox(box) {
	return Array.isArray(box) && box.length === 4 && box.every(Number.isFinite) &&
		box[0] <= box[2] && box[1] <= box[3];
}

/**
 * `box` grown by `fraction` of its width and height on every side (0.5 → twice as wide),
 * clamped to the world.
 */
export function padBox([west, south, east, north], fraction) {
	const dx = (east - west) * fraction;
	const dy = (north - south) * fraction;
	return [
		Math.max(-180, west - dx), Math.max(-90, south - dy),
		Math.min(180, east + dx), Math.min(90, north + dy),
	];
}

/** Whether `inner` lies wholly inside `outer` (edges included). A null `outer` holds nothing. */
export function containsBox(outer, inner) {
	return outer != null && inner[0] >= outer[0] && inner[1] >= outer[1] &&
		inner[2] <= outer[2] && inner[3] <= outer[3];
}

/** Whether the point `lat`, `lon` lies in `box` (edges included). */
export function boxContains(box, lat, lon) {
	return lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3];
}

/**
 * The `bbox=` query value for `box`, rounded outwards to 5 decimals (about a metre) so that
 * the same view gives the same URL (and the server's ETag can answer it).
 */
export function boxParam([west, south, east, north]) {
	const down = (x) => Math.floor(x * 1e5) / 1e5;
	const up = (x) => Math.ceil(x * 1e5) / 1e5;
	return [down(west), down(south), up(east), up(north)].map((x) => x.toFixed(5)).join(',');
}

/** `box` as Leaflet's corner pairs: `[[south, west], [north, east]]`. */
export function boxToCorners([west, south, east, north]) {
	return [[south, west], [north, east]];
}

/** A Leaflet `LatLngBounds` (or anything with getWest()…getNorth()) as a box. */
export function boundsToBox(bounds) {
	return [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
}
