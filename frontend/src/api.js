/**
 * The JSON endpoints the page reads (docs/api.md): the one place that knows their paths and
 * parameters. Every call takes an optional `AbortSignal`, so a caller can drop a stale request.
 *
 * Network I/O only: no Leaflet, no DOM.
 */

import {boxParam} from './bbox.js';

/** A request that did not answer with JSON and a 2xx status. */
export class ApiError extends Error {
	constructor(message, status = 0) {
		super(message);
		this.name = 'ApiError';
		/** The HTTP status, or 0 when there was no answer. */
		this.status = status;
	}
}

/** Whether `error` is the rejection of an aborted request (not worth reporting). */
export function isAbort(error) {
	return error?.name === 'AbortError';
}

/**
 * GET `path` and parse its JSON. The browser's HTTP cache keeps the answers (the API sends
 * `ETag` and `Cache-Control`), so asking again is cheap.
 *
 * @param {string} path e.g. '/api/routes'
 * @param {object} [options]
 * @param {AbortSignal} [options.signal]
 * @param {Function} [options.fetch] a fetch stand-in (tests)
 */
export async function getJSON(path, {signal, fetch = globalThis.fetch} = {}) {
	const response = await fetch(path, {signal, headers: {Accept: 'application/json'}});
	if (!response.ok) {
		let detail = response.statusText;
		try {
			detail = (await response.json()).error ?? detail;
		} catch { /* Not JSON: keep the status text. */ }
		throw new ApiError(`GET ${path}: ${response.status} ${detail}`, response.status);
	}
	return response.json();
}

/** `{routes: [...]}`: every route with its lines (`GET /api/routes`). */
export function fetchRoutes(options) {
	return getJSON('/api/routes', options);
}

/** `{stops: [...], truncated}`: the stops in `box` = [west, south, east, north]. */
export function fetchStops(box, options) {
	return getJSON(`/api/stops?bbox=${boxParam(box)}`, options);
}

/**
 * The URL of every stop of the network in one answer: the service worker keeps it (the same URL
 * as bustrack/web/pwa.py's STOPS_ALL), so it answers offline too.
 */
export const ALL_STOPS = '/api/stops?limit=10000';

/** `{stops: [...], truncated}`: every stop of the network (offline search, offlineSearch.js). */
export function fetchAllStops(options) {
	return getJSON(ALL_STOPS, options);
}

/** `{routes: [...], stops: [...]}`: routes and stops matching `query` (1–100 characters). */
export function fetchSearch(query, options) {
	return getJSON(`/api/search?q=${encodeURIComponent(query)}`, options);
}

/** `{alerts: [...]}`: the service alerts in force (`GET /api/alerts`). */
export function fetchAlerts(options) {
	return getJSON('/api/alerts', options);
}

/**
 * `{at, vehicles: [{id, route_id, trip_id, lat, lon, bearing, ts}]}`: where every bus in `box`
 * was at `atSeconds` (Unix seconds; `GET /api/history`, docs/api.md).
 */
export function fetchHistoryAt(box, atSeconds, options) {
	return getJSON(`/api/history?bbox=${boxParam(box)}&at=${Math.round(atSeconds)}`, options);
}
