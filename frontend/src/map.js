/**
 * The Leaflet map: full window, OpenStreetMap tiles, credits for the tiles and the GTFS data,
 * fitted to the feed's stops. Tells when tiles cannot be loaded (offline), since the buses are
 * drawn all the same.
 */

import L from './leafletGlobal.js';

/** After this many failed tiles and none loaded, tiles are taken to be unreachable. */
const TILE_FAILURES = 4;

/**
 * @param {HTMLElement|string} element the map's container (or its id)
 * @param {object} config from config.js
 * @param {object} [options]
 * @param {Function} [options.onTiles] called with false when tiles cannot be loaded, and with
 *   true when they load again
 * @returns {L.Map}
 */
export function createMap(element, config, {onTiles = () => {}} = {}) {
	const map = L.map(element, {
		zoomControl: true,
		attributionControl: true,
		minZoom: 3,
	});
	map.fitBounds(config.bounds, {padding: [12, 12], maxZoom: 16, animate: false});

	if (config.data_attribution) {
		map.attributionControl.addAttribution(config.data_attribution);
	}

	let failures = 0;
	let available = null;
	const tell = (ok) => {
		if (ok !== available) {
			available = ok;
			onTiles(ok);
		}
	};
	L.tileLayer(config.tile_url, {
		attribution: config.tile_attribution,
		maxZoom: 19,
	})
		.on('tileload', () => {
			failures = 0;
			tell(true);
		})
		.on('tileerror', () => {
			failures += 1;
			if (failures >= TILE_FAILURES && available !== true) { tell(false); }
		})
		.addTo(map);

	return map;
}
