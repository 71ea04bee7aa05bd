/**
 * The Leaflet map: full window, OpenStreetMap tiles (or the app's own vector basemap when the
 * config has one, basemap.js), credits for the tiles and the GTFS data,
 * fitted to the feed's stops, zoom buttons at the bottom right (the search box and the panel
 * take the left). Tells when tiles cannot be loaded (offline), since the buses are drawn all the
 * same. Its own words (the zoom buttons, popups' close buttons, its label) follow the page's
 * language.
 */

import L from './leafletGlobal.js';
import {i18n as sharedI18n} from './i18n.js';
import {addBasemap} from './basemap.js';

/** After this many failed tiles and none loaded, tiles are taken to be unreachable. */
const TILE_FAILURES = 4;

/**
 * @param {HTMLElement|string} element the map's container (or its id)
 * @param {object} config from config.js
 * @param {object} [options]
 * @param {Function} [options.onTiles] called with false when tiles cannot be loaded, and with
 *   true when they load again
 * @param {import('./i18n.js').I18n} [options.i18n] the page's language
 * @returns {L.Map}
 */
export function createMap(element, config, {onTiles = () => {}, i18n = sharedI18n} = {}) {
	const map = L.map(element, {
		zoomControl: false,
		attributionControl: true,
		minZoom: 3,
	});
	const zoom = L.control.zoom({position: 'bottomright'}).addTo(map);
	const label = () => {
		map.getContainer().setAttribute('aria-label', i18n.t('mapLabel'));
		for (const [name, key] of [['in', 'mapZoomIn'], ['out', 'mapZoomOut']]) {
			const button = zoom.getContainer().querySelector(`.leaflet-control-zoom-${name}`);
			button.title = i18n.t(key);
			button.setAttribute('aria-label', i18n.t(key));
		}
	};
	label();
	i18n.onChange(label);
	map.on('popupopen', (e) => {
		const close = e.popup.getElement()?.querySelector('.leaflet-popup-close-button');
		close?.setAttribute('aria-label', i18n.t('popupClose'));
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
	if (config.basemap) {
		const drawn = addBasemap(map, config.basemap, i18n, (layer) => layer.on('tileload', () => tell(true)));
		if (drawn) { return map; }
	}
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
