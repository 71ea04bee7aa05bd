/**
 * Playback: the buses where they were at a past moment, from `GET /api/history` (docs/api.md),
 * drawn by the page's own bus layer instead of the live fleet; played forward at a chosen speed.
 *
 * `Playback` holds the state (active, the moment shown, playing, speed), the timer and the
 * requests; it knows nothing of Leaflet or the DOM: the caller gives it the view's box, a way to
 * draw changes (the layer's `apply`, Fleet's change format) and the clocks. At most one request
 * is in flight: a moment or view asked for meanwhile is fetched when it answers (only the latest),
 * and an answer that no longer matches the state is dropped. While active, the caller must not
 * draw the live frames (main.js keeps applying them to Fleet, so that leaving is immediate).
 *
 * `playbackOn(map, buses, options)` wires one to a Leaflet map and a bus layer (busLayer.js):
 * the view's box, a fetch on every `moveend`, and the live fleet drawn again on leaving.
 */

import {boundsToBox, padBox} from './bbox.js';
import {fetchHistoryAt, isAbort} from './api.js';

/** How far back the slider reaches. */
export const SPAN_MS = 3 * 3600 * 1000;
/** The speeds offered (moments shown per second of wall time). */
export const SPEEDS = Object.freeze([1, 10, 60]);
/** How often the moment advances while playing (and the range follows the clock). */
export const STEP_MS = 1000;
/** The colour and label of a bus the feed does not know (docs/protocol.md, route '?'). */
const UNMATCHED = {label: '?', color: '#757575'};

function normalBearing(raw) {
	return Number.isFinite(raw) ? ((raw % 360) + 360) % 360 : 0;
}

/**
 * The layer's records (as protocol.js decodes them) of a `/api/history` answer's vehicles.
 *
 * @param {object[]} vehicles the answer's `vehicles`
 * @param {object} [options]
 * @param {Function} [options.routeOf] `(routeId) => {label, color}|undefined` (routeIndex.js)
 * @param {Function} [options.known] `(id) => record|undefined`: what the live fleet says of a
 *   bus (its headsign: a simulated bus's id names its trip)
 */
export function historyRecords(vehicles, {routeOf = () => undefined, known = () => undefined} = {}) {
	const records = [];
	for (const v of Array.isArray(vehicles) ? vehicles : []) {
		if (typeof v?.id !== 'string' || !Number.isFinite(v.lat) || !Number.isFinite(v.lon)) { continue; }
		const routeId = typeof v.route_id === 'string' ? v.route_id : '';
		const route = (routeId && routeOf(routeId)) || UNMATCHED;
		records.push({
			id: v.id, routeId, route: route.label, headsign: known(v.id)?.headsign ?? '', color: route.color,
			lat: v.lat, lon: v.lon, bearing: normalBearing(v.bearing), reportedMs: 0,
			ts: Number.isFinite(v.ts) ? v.ts : null,
		});
	}
	return records;
}

/** The changes (Fleet's format) that take a layer drawing `drawnIds` to `records`. */
export function changesTo(records, drawnIds) {
	const keep = new Set(records.map((r) => r.id));
	return {added: [], changed: records, removed: [...drawnIds].filter((id) => !keep.has(id))};
}

export class Playback {
	/**
	 * @param {object} options
	 * @param {Function} options.view `() => [west, south, east, north]`: the box to ask for
	 * @param {Function} options.draw `(changes, {durationMs}) => void`: draw what changed
	 * @param {Function} options.drawn `() => ids`: the buses drawn now
	 * @param {Function} options.now `() => ms`: the server's clock
	 * @param {Function} [options.fetchAt] `(box, seconds, {signal}) => Promise<answer>`
	 * @param {Function} [options.records] `(vehicles) => records` (see historyRecords)
	 * @param {Function} [options.onLeave] called on leaving, to draw the live buses again
	 * @param {Function} [options.wallNow] `() => ms`, a monotonic clock for the elapsed time
	 * @param {number} [options.spanMs=SPAN_MS]
	 * @param {number} [options.stepMs=STEP_MS]
	 */
	constructor({view, draw, drawn, now, fetchAt = fetchHistoryAt, records = historyRecords,
		onLeave = () => {}, wallNow = () => performance.now(), spanMs = SPAN_MS, stepMs = STEP_MS,
		setInterval: every = globalThis.setInterval, clearInterval: stop = globalThis.clearInterval}) {
		Object.assign(this, {_view: view, _draw: draw, _drawn: drawn, _now: now, _fetchAt: fetchAt,
			_records: records, _onLeave: onLeave, _wallNow: wallNow, _spanMs: spanMs, _stepMs: stepMs,
			_every: every, _stop: stop});
		this._active = false;
		this._playing = false;
		this._speed = SPEEDS[0];
		this._at = null; // server ms of the moment shown
		this._timer = null;
		this._lastStep = null;
		this._inFlight = null; // AbortController of the request in flight
		this._wanted = false; // a moment or view was asked for while one was in flight
		this._shown = new Map(); // id → record drawn from history
		this._shownAt = null; // the `at` (ms) of the answer drawn
		this._fetches = 0;
		this._listeners = new Set();
	}

	// State.

	/** Whether the page shows history rather than the live buses. */
	get active() {
		return this._active;
	}

	get playing() {
		return this._playing;
	}

	/** Moments shown per second of wall time (one of SPEEDS). */
	get speed() {
		return this._speed;
	}

	/** The moment asked for (server ms), or null outside playback. */
	get at() {
		return this._active ? this._at : null;
	}

	/** The moment of the answer drawn (server ms), or null. */
	get shownAt() {
		return this._active ? this._shownAt : null;
	}

	/** The slider's reach now: `{min, max}` in server ms (the last `spanMs` up to now). */
	range() {
		const max = this._now();
		return {min: max - this._spanMs, max};
	}

	/** Ids of the buses drawn from history (in the box asked for), sorted. */
	shownIds() {
		return [...this._shown.keys()].sort();
	}

	/** The history record drawn for bus `id`, or undefined. */
	get(id) {
		return this._shown.get(id);
	}

	/** How old bus `id`'s record drawn is at the moment drawn (ms), or null. */
	ageOf(id) {
		const r = this._shown.get(id);
		return r?.ts == null || this._shownAt === null ? null : Math.max(0, this._shownAt - r.ts);
	}

	/** Requests sent so far. */
	get fetchCount() {
		return this._fetches;
	}

	/** Ids of the buses whose last report is older than `staleAfterMs` at the moment drawn. */
	staleIds(staleAfterMs) {
		const ids = new Set();
		for (const r of this._shown.values()) {
			if (r.ts !== null && this._shownAt - r.ts > staleAfterMs) { ids.add(r.id); }
		}
		return ids;
	}

	/** Call `fn(playback)` after every change (state, moment, or what is drawn); returns an off. */
	onChange(fn) {
		this._listeners.add(fn);
		return () => this._listeners.delete(fn);
	}

	// Public methods.

	/** Show the buses at `atMs` (default: now) instead of the live ones. */
	enter(atMs = this._now()) {
		if (this._active) { return this.seek(atMs); }
		this._active = true;
		this._playing = false;
		this._shown.clear();
		this._shownAt = null;
		const every = this._every; // (the global setInterval may not be called as a method)
		this._timer = every(() => this._step(), this._stepMs);
		return this.seek(atMs);
	}

	/** Back to the live buses. */
	leave() {
		if (!this._active) { return this; }
		this._active = false;
		this._playing = false;
		const stop = this._stop;
		stop(this._timer);
		this._timer = null;
		this._inFlight?.abort();
		this._inFlight = null;
		this._wanted = false;
		this._shown.clear();
		this._shownAt = null;
		this._onLeave();
		this._changed();
		return this;
	}

	/** Show moment `atMs` (kept within the range). */
	seek(atMs) {
		if (!this._active) { return this; }
		const {min, max} = this.range();
		this._at = Math.min(max, Math.max(min, atMs));
		this._request();
		this._changed();
		return this;
	}

	play() {
		if (!this._active || this._playing) { return this; }
		// At the end there is nothing to play: start again a minute of play earlier.
		if (this._at >= this.range().max - 1000) { this._at -= 60 * 1000 * this._speed; }
		this._playing = true;
		this._lastStep = this._wallNow();
		this._request();
		this._changed();
		return this;
	}

	pause() {
		if (!this._playing) { return this; }
		this._playing = false;
		this._changed();
		return this;
	}

	/** Play at `speed` (one of SPEEDS). */
	setSpeed(speed) {
		if (!SPEEDS.includes(speed) || speed === this._speed) { return this; }
		this._speed = speed;
		this._changed();
		return this;
	}

	/** The view moved: ask for the moment shown in the new view. */
	viewChanged() {
		if (this._active) { this._request(); }
		return this;
	}

	// The timer and the requests.

	_step() {
		if (!this._active) { return; }
		if (this._playing) {
			const wall = this._wallNow();
			const elapsed = Math.max(0, wall - this._lastStep);
			this._lastStep = wall;
			const {max} = this.range();
			this._at = Math.min(max, this._at + elapsed * this._speed);
			if (this._at >= max) { this._playing = false; } // caught up with now
			this._request();
		}
		this._changed(); // the range moved on with the clock
	}

	_request() {
		if (this._inFlight) {
			this._wanted = true;
			return;
		}
		const at = this._at;
		const box = this._view();
		const controller = new AbortController();
		this._inFlight = controller;
		this._wanted = false;
		this._fetches += 1;
		const done = () => {
			if (this._inFlight !== controller) { return; }
			this._inFlight = null;
			if (this._wanted && this._active) { this._request(); }
		};
		this._fetchAt(box, at / 1000, {signal: controller.signal}).then((answer) => {
			if (this._inFlight !== controller || !this._active) { return; }
			this._show(answer, at);
			done();
		}, (error) => {
			if (!isAbort(error)) { console.warn('bustrack: history unavailable:', error.message); }
			done();
		});
	}

	_show(answer, at) {
		const records = this._records(answer?.vehicles);
		this._shown = new Map(records.map((r) => [r.id, r]));
		this._shownAt = Number.isFinite(answer?.at) ? answer.at : at;
		// Playing, a bus glides to its next place over one step; a seek moves it quickly.
		const durationMs = this._playing ? this._stepMs : 300;
		this._draw(changesTo(records, this._drawn()), {durationMs});
		this._changed();
	}

	_changed() {
		for (const fn of [...this._listeners]) { fn(this); }
	}
}

/**
 * A Playback on `map` that draws on `buses` (busLayer.js) and, on leaving, draws `fleet`'s
 * buses again as they stand.
 *
 * @param {L.Map} map
 * @param {object} buses the bus layer
 * @param {object} options
 * @param {import('./fleet.js').Fleet} options.fleet the live fleet (kept current meanwhile)
 * @param {Function} options.now `() => ms`: the server's clock
 * @param {Function} [options.routeOf] `(routeId) => {label, color}|undefined`
 * @param {Function} [options.durationMs] `() => ms`: how long the live buses glide back
 */
export function playbackOn(map, buses, {fleet, now, routeOf, durationMs = () => 300, ...rest}) {
	const playback = new Playback({
		// A little around the view, so that a short pan shows buses at once.
		view: () => padBox(boundsToBox(map.getBounds()), 0.1),
		draw: (changes, options) => buses.apply(changes, options),
		drawn: () => buses.ids(),
		now,
		records: (vehicles) => historyRecords(vehicles, {routeOf, known: (id) => fleet.get(id)}),
		onLeave: () => {
			buses.getPopup().close(); // it showed a past bus
			buses.apply(changesTo([...fleet.values()], buses.ids()), {durationMs: durationMs()});
		},
		...rest,
	});
	map.on('moveend', () => playback.viewChanged());
	// A popup opened on the live bus would say live things of a past one.
	playback.onChange(() => {
		if (playback.active && playback.shownAt === null) { buses.getPopup().close(); }
	});
	return playback;
}
