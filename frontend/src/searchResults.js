/**
 * What the search box lists and which option is active: the `GET /api/search` answer turned
 * into one flat list of options, and the arrow-key moves over it.
 *
 * Pure: no DOM, no network, no clock (search.js draws, api.js fetches).
 */

import {i18n as sharedI18n} from './i18n.js';

/** Longest query the API accepts (docs/api.md). */
export const MAX_QUERY = 100;

/** The query to send for what the user typed: trimmed, inner spaces collapsed; '' sends none. */
export function normalizeQuery(text) {
	return String(text).trim().replace(/\s+/g, ' ').slice(0, MAX_QUERY);
}

/**
 * The options for a search answer, best first: routes and stops merged by their `rank` (the
 * server's tiers, bustrack/search.py: the exact route number, then stops whose name matches,
 * then routes; lower is better), each list keeping its own order within a rank. An answer
 * without ranks lists routes first, then stops. Each option is
 * `{kind: 'route', id, label, longName, color}` or `{kind: 'stop', id, name, lat, lon, routes}`
 * (`routes`: the ids of the routes that stop there, [] if the answer has none);
 * malformed entries are skipped, and an id is listed once.
 */
export function toOptions(answer) {
	const ranked = [];
	const seen = new Set();
	const add = (option, rank) => {
		const key = `${option.kind}:${option.id}`;
		if (!seen.has(key)) {
			seen.add(key);
			ranked.push({option, rank: Number.isFinite(rank) ? rank : null});
		}
	};
	for (const r of Array.isArray(answer?.routes) ? answer.routes : []) {
		if (typeof r?.id !== 'string') { continue; }
		add({
			kind: 'route', id: r.id,
			label: String(r.label ?? r.id), longName: String(r.long_name ?? ''),
			color: typeof r.color === 'string' ? r.color : '',
		}, r.rank);
	}
	for (const s of Array.isArray(answer?.stops) ? answer.stops : []) {
		if (typeof s?.id !== 'string' || !Number.isFinite(s.lat) || !Number.isFinite(s.lon)) { continue; }
		const routes = Array.isArray(s.routes) ? s.routes.filter((r) => typeof r === 'string') : [];
		add({kind: 'stop', id: s.id, name: String(s.name ?? s.id), lat: s.lat, lon: s.lon, routes}, s.rank);
	}
	if (ranked.every((r) => r.rank !== null)) {
		ranked.sort((a, b) => a.rank - b.rank); // stable: each list keeps its order
	}
	return ranked.map((r) => r.option);
}

/**
 * The options cut into runs of one kind, in order: `[{kind, starred, start, options}]`. The list shows
 * each run under its heading ("Routes", "Stops"), so that its order on screen is the order of
 * the options (route 64, then the stops, then the other routes).
 */
export function groupRuns(options) {
	const runs = [];
	options.forEach((option, index) => {
		const last = runs[runs.length - 1];
		const starred = Boolean(option.starred); // My stops (stars.js) have a run of their own
		if (last && last.kind === option.kind && last.starred === starred) {
			last.options.push(option);
		} else {
			runs.push({kind: option.kind, starred, start: index, options: [option]});
		}
	});
	return runs;
}

/**
 * The active option after an arrow key: `delta` +1 (down) or -1 (up) from `active` (-1: none)
 * in a list of `count`. Wraps round; from none, down goes to the first and up to the last.
 */
export function moveActive(active, delta, count) {
	if (count <= 0) { return -1; }
	if (active < 0 || active >= count) { return delta > 0 ? 0 : count - 1; }
	return (active + delta + count) % count;
}

/** The option Enter chooses: the active one, else the first (the best match); -1 if none. */
export function enterChoice(active, count) {
	if (count <= 0) { return -1; }
	return active >= 0 && active < count ? active : 0;
}

/**
 * The words a screen reader hears about a result list, e.g. "2 routes and 1 stop", in the
 * language of `i18n` (i18n.js; the page's own by default).
 */
export function describeCount(options, i18n = sharedI18n) {
	const routes = options.filter((o) => o.kind === 'route').length;
	const stops = options.length - routes;
	if (!options.length) { return i18n.t('searchNothing'); }
	const parts = [];
	if (routes) { parts.push(i18n.t('countRoutes', {count: routes})); }
	if (stops) { parts.push(i18n.t('countStops', {count: stops})); }
	return parts.length === 2 ? i18n.t('countJoin', {first: parts[0], second: parts[1]}) : parts[0];
}
