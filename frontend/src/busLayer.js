/**
 * The buses on the map, drawn by one of two renderers with the same API:
 *
 * - `canvas` (the default): busCanvasLayer.js, one canvas for thousands of moving buses;
 * - `dom`: busDomLayer.js, one Leaflet DOM marker per bus in view, the page's renderer before
 *   the canvas; chosen with `?markers=dom` in the page's URL (bench/page_fps.py's baseline).
 *
 * Both take `apply(changes, {durationMs, fadeIn})` from Fleet and answer `count()`,
 * `shownCount()`, `shownIds()`, `ids()`, `displayed(id)`, `screenPositions()`, `labels()`,
 * `movingCount()`, `openPopup(id)`, `getPopup()`, `setRouteFilter(route|null)`,
 * `getRouteFilter()` and `visibleIds()`. The canvas one also draws the buses as counts per area
 * at city zoom (busClusters.js) and answers `clusters()`, `clusterCount()` and `spriteCount()`.
 */

import {busCanvasLayer} from './busCanvasLayer.js';
import {busDomLayer} from './busDomLayer.js';

/** The renderers, by the name `?markers=` takes. */
export const RENDERERS = Object.freeze(['canvas', 'dom']);

/** The renderer a page URL's query string (`location.search`) asks for: `canvas` unless `markers=dom`. */
export function rendererFromQuery(search) {
	const asked = new URLSearchParams(search).get('markers');
	return RENDERERS.includes(asked) ? asked : 'canvas';
}

/**
 * @param {object} [options] the layer's options (`ageOf`, …), and:
 * @param {string} [options.renderer='canvas'] one of RENDERERS
 */
export function busLayer({renderer = 'canvas', ...options} = {}) {
	const layer = renderer === 'dom' ? busDomLayer(options) : busCanvasLayer(options);
	/** Which renderer draws the buses. */
	layer.renderer = renderer === 'dom' ? 'dom' : 'canvas';
	return layer;
}
