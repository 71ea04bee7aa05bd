/**
 * The transit network on the page: route lines, stops and the search box, wired to each other
 * and to the bus layer. Loads `GET /api/routes` once; everything else asks its own endpoint.
 *
 * Only wiring: each part lives in its own module (routeLines, stopsLayer, search,
 * routeSelection, routeIndex).
 */

import {fetchRoutes} from './api.js';
import {RouteIndex} from './routeIndex.js';
import {routeLines} from './routeLines.js';
import {RouteSelection} from './routeSelection.js';
import {SearchBox} from './search.js';
import {searchWithFallback} from './searchSource.js';
import {stopsLayer} from './stopsLayer.js';

/** Room kept clear of the search box (top left) when the map is fitted to a route. */
const FIT_OPTIONS = {paddingTopLeft: [24, 72], paddingBottomRight: [24, 24]};

/**
 * @param {L.Map} map
 * @param {object} buses the bus layer (with `setRouteFilter`)
 * @param {HTMLElement} searchElement where the search box is built
 * @param {object} [options]
 * @param {object} [options.subscription] subscription.js, told which route is chosen
 * @param {Function} [options.onStop] `(stop) => void`: show stop `{id, name, lat, lon}`'s next
 *   buses (chosen in the search box, or with a stop popup's "Arrivals")
 * @param {import('./i18n.js').I18n} [options.i18n] the page's language
 * @param {Function} [options.covers] `() => {left, top}`: what the page's boxes cover of the map
 * @param {Function} [options.now] `() => ms`: the server's clock now (the search box's next buses)
 * @returns {{routes: RouteIndex, lines: object, stops: object, selection: RouteSelection,
 *   search: SearchBox, loaded: Promise<boolean>}} `loaded` settles once the routes are drawn
 *   (false if they could not be loaded)
 */
export function addNetwork(map, buses, searchElement, {subscription = null, onStop = null, i18n, covers, now} = {}) {
	const routes = new RouteIndex();
	const lines = routeLines().addTo(map);
	let search = null;

	const showRoute = (id) => {
		if (!selection.select(id)) { return false; }
		const route = routes.get(id);
		search?.setChoice({kind: 'route', id, label: route.label, longName: route.longName, color: route.color});
		return true;
	};
	const stops = stopsLayer({routes, onRoute: showRoute, onArrivals: onStop, i18n, covers}).addTo(map);
	const selection = new RouteSelection({map, routes, lines, buses, stops, subscription, fitOptions: FIT_OPTIONS, covers});

	search = new SearchBox(searchElement, {
		onRoute: (option) => selection.select(option.id),
		onStop: (option) => {
			selection.clear();
			stops.focusStop(option);
			onStop?.(option);
		},
		onClear: () => selection.clear(),
		i18n, now,
		routeLabel: (id) => routes.get(id)?.label ?? id,
		// Offline, the page's own search over its copies of the routes and stops.
		fetchSearch: searchWithFallback({routes: () => [...routes.values()]}),
	});

	const loaded = fetchRoutes().then((answer) => {
		routes.reset(answer.routes);
		lines.setRoutes(routes);
		return true;
	}, (error) => {
		console.warn('bustrack: could not load the routes:', error.message);
		return false;
	});

	return {routes, lines, stops, selection, search, loaded};
}
