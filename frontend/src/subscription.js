/**
 * What this page asks the server to send (docs/protocol.md, "subscribe"): the buses in and
 * around the view, or only those of the chosen routes; the arrivals of the stop whose panel is
 * open (`setStop`); the details of the bus whose popup is open (`setVehicle`); the next buses of
 * the stops listed at a glance (`setGlance`: Near me's, My stops).
 *
 * Sends a `subscribe` after each pan/zoom (debounced) when the view left the box it last asked
 * for, and whenever the stop, the bus, the glance stops or the routes change; the same
 * subscription goes in the WebSocket URL so that a (re)connection starts with the right
 * snapshot, arrivals, details and glance.
 * `find(routeId)` asks for one route's buses for a moment (to find a bus outside the box).
 * Knows the map's view and the connection; draws nothing.
 */

import {boundsToBox, boxParam, containsBox, padBox} from './bbox.js';
import {debounce} from './debounce.js';
import {encodeSubscribe, MAX_GLANCE} from './protocol.js';

export class Subscription {
	/**
	 * @param {L.Map} map
	 * @param {object} [options]
	 * @param {number} [options.margin=0.5] fraction of the view added on every side
	 * @param {number} [options.delayMs=250] wait after the last pan/zoom before subscribing
	 */
	constructor(map, {margin = 0.5, delayMs = 250} = {}) {
		this._map = map;
		this._margin = margin;
		this._connection = null;
		this._routes = [];
		this._stop = null;
		this._vehicle = null;
		this._glance = []; // stop ids whose next buses are asked for at a glance
		this._find = null; // a route asked for while finding one of its buses
		this._box = null; // the box last asked for
		this._zoom = null;
		this._sent = 0;
		this._changed = debounce(() => this._viewChanged(), delayMs);
		map.on('moveend', this._changed);
	}

	/** Send subscriptions over `connection` (a Connection with `send(text)`). */
	attach(connection) {
		this._connection = connection;
		return this;
	}

	/** The route ids asked for (empty: all routes in view). */
	get routes() {
		return [...this._routes];
	}

	/** How many `subscribe` messages were sent. */
	get sentCount() {
		return this._sent;
	}

	/** The box `[west, south, east, north]` last asked for, or null. */
	get box() {
		return this._box;
	}

	/** The stop whose arrivals are asked for, or null. */
	get stop() {
		return this._stop;
	}

	/** The vehicle whose details are asked for, or null. */
	get vehicle() {
		return this._vehicle;
	}

	/** The stop ids whose next buses are asked for at a glance (sorted). */
	get glance() {
		return [...this._glance];
	}

	/** The route asked for while finding one of its buses, or null. */
	get finding() {
		return this._find;
	}

	/** Ask only for the vehicles of `routeIds` (wherever they are); empty: the view again. */
	setRoutes(routeIds) {
		this._routes = [...routeIds];
		this._send();
	}

	/** Ask for stop `id`'s arrivals after every frame (null: no more). */
	setStop(id) {
		if ((id ?? null) === this._stop) { return; }
		this._stop = id ?? null;
		this._send();
	}

	/** Ask for vehicle `id`'s details after every frame (null: no more). */
	setVehicle(id) {
		if ((id ?? null) === this._vehicle) { return; }
		this._vehicle = id ?? null;
		this._send();
	}

	/**
	 * Ask for the next buses of stops `ids` at a glance (`glance` frames); the first
	 * MAX_GLANCE (protocol.js) of them, so list the most wanted first. [] asks for none.
	 */
	setGlance(ids) {
		const glance = [...new Set(ids)].slice(0, MAX_GLANCE).sort();
		if (glance.join('\n') === this._glance.join('\n')) { return; }
		this._glance = glance;
		this._send();
	}

	/**
	 * Ask for every bus of route `routeId` for a while (null: back to the view or the chosen
	 * routes), to find one of them outside the box; the next snapshot holds them.
	 */
	find(routeId) {
		if ((routeId ?? null) === this._find) { return; }
		this._find = routeId ?? null;
		this._send();
	}

	/** The query string (with `?`) that carries the subscription in the WebSocket URL. */
	query() {
		this._box = this._viewBox();
		this._zoom = this._map.getZoom();
		const params = new URLSearchParams({bbox: boxParam(this._box)});
		const routes = this._routesAsked();
		if (routes.length) { params.set('routes', routes.join(',')); }
		if (this._stop) { params.set('stop', this._stop); }
		if (this._vehicle) { params.set('vehicle', this._vehicle); }
		// (A stop id with a comma cannot travel in the URL's list; the `subscribe` still has it.)
		const glance = this._glance.filter((id) => !id.includes(','));
		if (glance.length) { params.set('glance', glance.join(',')); }
		return `?${params}`;
	}

	_routesAsked() {
		return this._find ? [this._find] : this._routes;
	}

	_viewBox() {
		return padBox(boundsToBox(this._map.getBounds()), this._margin);
	}

	_viewChanged() {
		const view = boundsToBox(this._map.getBounds());
		// Zooming out past the box, or panning out of it, needs a new subscription; zooming in
		// needs one too, so that the server can send fewer, finer tiles.
		if (containsBox(this._box, view) && this._zoom === this._map.getZoom()) { return; }
		this._send();
	}

	_send() {
		this._box = this._viewBox();
		this._zoom = this._map.getZoom();
		const message = encodeSubscribe({
			bbox: this._box, routes: this._routesAsked(), stop: this._stop, vehicle: this._vehicle,
			glance: this._glance,
		});
		if (this._connection?.send(message)) {
			this._sent += 1;
		}
	}
}
