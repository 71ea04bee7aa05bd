/**
 * Showing one route alone, and everything again: its line (routeLines), its buses (the bus
 * layer's route filter, and the WebSocket subscription when there is one), the stops it serves
 * (stopsLayer), and the map fitted to the route.
 *
 * Holds which route is chosen and tells the layers (and its `onChange` listeners, e.g. the
 * route's alerts); draws nothing itself.
 */

import {boxToCorners} from './bbox.js';

export class RouteSelection {
	/**
	 * @param {object} parts
	 * @param {L.Map} parts.map
	 * @param {import('./routeIndex.js').RouteIndex} parts.routes
	 * @param {object} parts.lines routeLines: `showOnly(id)`, `showAll()`
	 * @param {object} parts.buses the bus layer: `setRouteFilter(route|null)`
	 * @param {object} parts.stops stopsLayer: `setRouteFilter(id|null)`
	 * @param {object} [parts.subscription] subscription.js: `setRoutes(ids)`, so that the server
	 *   sends the route's buses wherever they are
	 * @param {object} [parts.fitOptions] for `map.fitBounds` (padding clear of the page's controls)
	 * @param {Function} [parts.covers] `() => {left, top, bottom}`: what the page's own boxes (the
	 *   panel, the top bar) cover of the map now, kept clear when fitting the route
	 */
	constructor({map, routes, lines, buses, stops, subscription = null, fitOptions = {}, covers = null}) {
		this._map = map;
		this._routes = routes;
		this._lines = lines;
		this._buses = buses;
		this._stops = stops;
		this._subscription = subscription;
		this._fitOptions = {maxZoom: 16, ...fitOptions};
		this._covers = covers;
		this._id = null;
		this._listeners = [];
	}

	/** Call `listener(routeId|null)` whenever the route shown alone changes. */
	onChange(listener) {
		this._listeners.push(listener);
	}

	_changed() {
		for (const listener of this._listeners) { listener(this._id); }
	}

	/** The id of the route shown alone, or null. */
	get routeId() {
		return this._id;
	}

	/**
	 * Show route `id` alone and fit the map to it. Returns false (and changes nothing) when the
	 * route is not known (yet).
	 */
	select(id) {
		const route = this._routes.get(id);
		if (!route) { return false; }
		this._id = id;
		this._lines.showOnly(id);
		this._buses.setRouteFilter(route);
		this._stops.setRouteFilter(id);
		this._subscription?.setRoutes([id]);
		const box = this._routes.boxOf(id);
		if (box) { this._map.fitBounds(boxToCorners(box), this._fitClear()); }
		this._changed();
		return true;
	}

	/** The fit options, with padding that also keeps the route clear of the page's boxes now. */
	_fitClear() {
		const {left = 0, top = 0, bottom = 0} = this._covers?.() ?? {};
		const [padLeft, padTop] = this._fitOptions.paddingTopLeft ?? [0, 0];
		const [padRight, padBottom] = this._fitOptions.paddingBottomRight ?? [0, 0];
		return {
			...this._fitOptions,
			paddingTopLeft: [padLeft + left, Math.max(padTop, top + padLeft)],
			paddingBottomRight: [padRight, padBottom + bottom],
		};
	}

	/** Show every route, bus and stop again (the view stays where it is). */
	clear() {
		if (this._id === null) { return this; }
		this._id = null;
		this._lines.showAll();
		this._buses.setRouteFilter(null);
		this._stops.setRouteFilter(null);
		this._subscription?.setRoutes([]);
		this._changed();
		return this;
	}
}
