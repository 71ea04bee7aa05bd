/**
 * What this page asks the server to send (docs/protocol.md, "subscribe"): the buses in and
 * around the view, or only those of the chosen routes.
 *
 * Sends a `subscribe` after each pan/zoom (debounced) when the view left the box it last asked
 * for, and puts the same subscription in the WebSocket URL so that a (re)connection starts with
 * the right snapshot. Knows the map's view and the connection; draws nothing.
 */

import {boundsToBox, boxParam, containsBox, padBox} from './bbox.js';
import {debounce} from './debounce.js';
import {encodeSubscribe} from './protocol.js';

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

	/** Ask only for the vehicles of `routeIds` (wherever they are); empty: the view again. */
	setRoutes(routeIds) {
		this._routes = [...routeIds];
		this._send();
	}

	/** The query string (with `?`) that carries the subscription in the WebSocket URL. */
	query() {
		this._box = this._viewBox();
		this._zoom = this._map.getZoom();
		const params = new URLSearchParams({bbox: boxParam(this._box)});
		if (this._routes.length) { params.set('routes', this._routes.join(',')); }
		return `?${params}`;
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
		if (this._connection?.send(encodeSubscribe({bbox: this._box, routes: this._routes}))) {
			this._sent += 1;
		}
	}
}
