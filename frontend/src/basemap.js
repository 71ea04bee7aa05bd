/**
 * The app's own basemap (`--basemap city.pmtiles`): Protomaps vector tiles drawn on canvases by
 * protomaps-leaflet, read from the app's `/basemap.pmtiles` with HTTP range requests. Labels
 * follow the page's language (`name:mr`, `name:hi` where OpenStreetMap has them, else `name`):
 * a change of language replaces the layer, since protomaps-leaflet lays its labels out once.
 *
 * protomaps-leaflet's browser build (`protomaps-leaflet.js` from the npm package, a classic
 * script defining the global `protomapsL`) is loaded by the page only when there is a basemap.
 * Uses no worker and no eval: the page's Content-Security-Policy stays as it is.
 */

/** The Protomaps flavor (@protomaps/basemaps): a light map under the coloured buses. */
const FLAVOR = 'light';

/**
 * A layer drawing `basemap` ({url, max_zoom, attribution} from the page config), or null when
 * protomaps-leaflet is not loaded.
 *
 * @param {{url: string, max_zoom: number, attribution: string}} basemap
 * @param {string} lang the labels' language
 * @returns {import('leaflet').GridLayer|null}
 */
export function basemapLayer(basemap, lang) {
	const protomaps = globalThis.protomapsL;
	if (!protomaps?.leafletLayer) {
		console.error('bustrack: protomaps-leaflet (global protomapsL) is not loaded: no basemap');
		return null;
	}
	return protomaps.leafletLayer({
		url: basemap.url,
		flavor: FLAVOR,
		lang,
		// Deeper zooms draw the archive's deepest tiles enlarged.
		maxDataZoom: basemap.max_zoom,
		maxZoom: 19,
		attribution: basemap.attribution,
	});
}

/**
 * Draw `basemap` on `map` in the page's language, replacing the layer when the language
 * changes; returns the first layer (null when protomaps-leaflet is not loaded).
 *
 * @param {L.Map} map
 * @param {{url: string, max_zoom: number, attribution: string}} basemap
 * @param {import('./i18n.js').I18n} i18n
 * @param {(layer: L.GridLayer) => void} [wire] called with each layer before it is added
 * @returns {L.GridLayer|null}
 */
export function addBasemap(map, basemap, i18n, wire = () => {}) {
	let layer = basemapLayer(basemap, i18n.lang);
	if (!layer) { return null; }
	wire(layer);
	layer.addTo(map);
	const first = layer;
	i18n.onChange((lang) => {
		const next = basemapLayer(basemap, lang);
		wire(next);
		next.addTo(map);
		layer.remove();
		layer = next;
	});
	return first;
}
