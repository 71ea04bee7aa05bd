/**
 * My stops: the stops a user starred, kept in localStorage, most recently starred first.
 *
 * `Stars` holds the list and tells listeners when it changes; the stop panel stars and
 * unstars (stopPanel.js), the search box lists them first when it is empty and puts them
 * first among matching stops (search.js, with `starredFirst`). Storage failures (private
 * mode, quota) leave the list working for the page's lifetime.
 *
 * Pure apart from the storage given (tests pass a Map-like stand-in).
 */

/** The localStorage key. */
export const STARS_KEY = 'bustrack.stars';
/** At most this many stops are kept. */
export const MAX_STARS = 20;

/** The stops in a stored text: `[{id, name, lat, lon, routes}]`; junk gives []. */
export function parseStars(text) {
	let data;
	try {
		data = JSON.parse(text ?? '[]');
	} catch {
		return [];
	}
	if (!Array.isArray(data)) { return []; }
	const seen = new Set();
	const out = [];
	for (const s of data) {
		if (typeof s?.id !== 'string' || seen.has(s.id)) { continue; }
		seen.add(s.id);
		out.push({
			id: s.id, name: String(s.name ?? s.id),
			lat: Number.isFinite(s.lat) ? s.lat : null, lon: Number.isFinite(s.lon) ? s.lon : null,
			routes: Array.isArray(s.routes) ? s.routes.filter((r) => typeof r === 'string') : [],
		});
	}
	return out.slice(0, MAX_STARS);
}

/**
 * Search options with the starred stops moved before the other stops (after an exact route
 * number or whatever else leads the list), each group keeping its order; marked `starred`.
 */
export function starredFirst(options, starredIds) {
	const ids = new Set(starredIds);
	const firstStop = options.findIndex((o) => o.kind === 'stop');
	if (firstStop < 0 || !ids.size) { return options; }
	const starred = options.filter((o) => o.kind === 'stop' && ids.has(o.id)).map((o) => ({...o, starred: true}));
	if (!starred.length) { return options; }
	const rest = options.filter((o) => !(o.kind === 'stop' && ids.has(o.id)));
	return [...rest.slice(0, firstStop), ...starred, ...rest.slice(firstStop)];
}

export class Stars {
	/** @param {Storage|null} storage where the list lives (null: only in memory) */
	constructor(storage) {
		this._storage = storage;
		this._listeners = [];
		let text = null;
		try { text = storage?.getItem(STARS_KEY) ?? null; } catch { text = null; }
		this._stops = parseStars(text);
	}

	/** The starred stops, most recent first: `[{id, name, lat, lon, routes}]` (copies). */
	list() {
		return this._stops.map((s) => ({...s, routes: [...s.routes]}));
	}

	/** Whether stop `id` is starred. */
	has(id) {
		return this._stops.some((s) => s.id === id);
	}

	/** Star `stop` (`{id, name, lat, lon, routes?}`) if it is not, else unstar it; returns whether starred. */
	toggle(stop) {
		if (this.has(stop.id)) {
			this._stops = this._stops.filter((s) => s.id !== stop.id);
		} else {
			this._stops = parseStars(JSON.stringify([stop, ...this._stops]));
		}
		try { this._storage?.setItem(STARS_KEY, JSON.stringify(this._stops)); } catch { /* kept in memory */ }
		for (const fn of this._listeners) { fn(this.list()); }
		return this.has(stop.id);
	}

	/** Call `fn(list)` after each change. */
	onChange(fn) {
		this._listeners.push(fn);
		return this;
	}
}

function pageStorage() {
	try { return globalThis.localStorage ?? null; } catch { return null; }
}

/** The page's list (in the page's localStorage; in memory where there is none). */
export const stars = new Stars(pageStorage());
