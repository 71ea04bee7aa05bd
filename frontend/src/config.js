/**
 * The page's configuration, read from `<script type="application/json" id="config">`
 * (rendered by the server into bustrack/templates/index.html).
 *
 * Reads the DOM once; does no network I/O.
 */

const DEFAULTS = Object.freeze({
	tile_url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
	tile_attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
	// The app's own vector basemap ({url, min_zoom, max_zoom, attribution}), drawn instead of tile_url.
	basemap: null,
	data_attribution: '',
	// Greater Mumbai, for a page rendered without the feed's extent.
	bounds: [[18.89, 72.77], [19.28, 73.0]],
	protocol_version: 1,
	ws_path: '/ws',
	// The server's tick interval, used until it has been measured from the frames.
	tick_ms: 1000,
	// A bus silent for longer than this is drawn greyed with its age (--stale-after).
	stale_after_s: 60,
});

function validBounds(bounds) {
	return Array.isArray(bounds) && bounds.length === 2 &&
		bounds.every((corner) => Array.isArray(corner) && corner.length === 2 &&
			corner.every(Number.isFinite));
}

function validBasemap(basemap) {
	return typeof basemap?.url === 'string' && Number.isInteger(basemap.max_zoom) &&
		typeof basemap.attribution === 'string';
}

/**
 * Parse the JSON config embedded in the page, falling back to defaults field by field.
 *
 * @param {Document} [doc=document]
 * @returns {Readonly<{tile_url: string, tile_attribution: string, basemap: ?object, data_attribution: string,
 *   bounds: number[][], protocol_version: number, ws_path: string, tick_ms: number,
 *   stale_after_s: number}>}
 */
export function readConfig(doc = document) {
	const element = doc.getElementById('config');
	let raw = {};
	if (element) {
		try {
			raw = JSON.parse(element.textContent) ?? {};
		} catch (err) {
			console.error('bustrack: the page config is not valid JSON', err);
		}
	} else {
		console.error('bustrack: the page has no #config element');
	}
	const config = {...DEFAULTS};
	for (const key of ['tile_url', 'tile_attribution', 'data_attribution', 'ws_path']) {
		if (typeof raw[key] === 'string') { config[key] = raw[key]; }
	}
	if (Number.isInteger(raw.protocol_version)) { config.protocol_version = raw.protocol_version; }
	if (Number.isFinite(raw.tick_ms) && raw.tick_ms > 0) { config.tick_ms = raw.tick_ms; }
	if (Number.isFinite(raw.stale_after_s) && raw.stale_after_s > 0) { config.stale_after_s = raw.stale_after_s; }
	if (validBounds(raw.bounds)) { config.bounds = raw.bounds; }
	if (validBasemap(raw.basemap)) { config.basemap = Object.freeze({...raw.basemap}); }
	return Object.freeze(config);
}

/** The WebSocket URL for `wsPath` on the page's own host: `wss:` behind https, else `ws:`. */
export function socketUrl(wsPath, loc = location) {
	const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
	const path = wsPath.startsWith('/') ? wsPath : `/${wsPath}`;
	return `${scheme}//${loc.host}${path}`;
}
