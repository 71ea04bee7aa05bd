/**
 * The feed's routes as the page knows them from `GET /api/routes` (docs/api.md): looked up by
 * id, with their colours, labels and extents; and which buses run on a route.
 *
 * Pure data: no Leaflet, no DOM, no network (api.js fetches, this module only reads the JSON).
 */

import {isBox} from './bbox.js';

const DEFAULT_COLOR = '#1565c0';
const COLOR_RE = /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

function color(value, fallback) {
	return typeof value === 'string' && COLOR_RE.test(value) ? value : fallback;
}

function text(value) {
	return typeof value === 'string' ? value : (value == null ? '' : String(value));
}

function isPoint(p) {
	return Array.isArray(p) && p.length === 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]);
}

/** One route of the JSON, checked: `null` without an id; lines keep only well-formed points. */
export function decodeRoute(raw) {
	if (raw === null || typeof raw !== 'object' || (typeof raw.id !== 'string' || raw.id === '')) {
		return null;
	}
	const lines = (Array.isArray(raw.lines) ? raw.lines : [])
		.map((line) => (Array.isArray(line) ? line.filter(isPoint) : []))
		.filter((line) => line.length >= 2);
	const label = text(raw.label) || text(raw.short_name) || text(raw.long_name) || raw.id;
	return {
		id: raw.id,
		label,
		shortName: text(raw.short_name),
		longName: text(raw.long_name),
		color: color(raw.color, DEFAULT_COLOR),
		textColor: color(raw.text_color, '#ffffff'),
		bbox: isBox(raw.bbox) ? raw.bbox : null,
		lines,
	};
}

/**
 * Whether `vehicle` (a decoded /ws record, see protocol.js) runs on `route` (`{id, label}`):
 * by route id, or by label for a record without one (labels need not be unique in a feed).
 */
export function onRoute(vehicle, route) {
	if (vehicle.routeId) { return vehicle.routeId === route.id; }
	return vehicle.route === route.label;
}

export class RouteIndex {
	/** @param {object[]} [routes] the `routes` list of `GET /api/routes` */
	constructor(routes = []) {
		this._byId = new Map();
		this.reset(routes);
	}

	/** Replace the routes with those of a (new) `GET /api/routes` answer. */
	reset(routes) {
		this._byId.clear();
		for (const raw of Array.isArray(routes) ? routes : []) {
			const route = decodeRoute(raw);
			if (route) { this._byId.set(route.id, route); }
		}
		return this;
	}

	/** Number of routes. */
	get size() {
		return this._byId.size;
	}

	/** Route `id`, or undefined. */
	get(id) {
		return this._byId.get(id);
	}

	/** All routes, in the server's order. */
	values() {
		return this._byId.values();
	}

	/**
	 * The routes of `ids` that are known, in the given order (the API sorts them by label);
	 * unknown ids come as `{id, label: id, color: default}` so that nothing is silently lost.
	 */
	routesOf(ids) {
		return ids.map((id) => this._byId.get(id) ??
			{id, label: id, longName: '', color: DEFAULT_COLOR, textColor: '#ffffff'});
	}

	/** Route `id`'s extent as `[west, south, east, north]`, from its bbox or else its lines. */
	boxOf(id) {
		const route = this._byId.get(id);
		if (!route) { return null; }
		if (route.bbox) { return route.bbox; }
		let box = null;
		for (const line of route.lines) {
			for (const [lat, lon] of line) {
				box = box
					? [Math.min(box[0], lon), Math.min(box[1], lat), Math.max(box[2], lon), Math.max(box[3], lat)]
					: [lon, lat, lon, lat];
			}
		}
		return box;
	}
}
