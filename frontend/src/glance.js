/**
 * Next buses at a glance (docs/protocol.md, `glance`): which stops to ask for, what the latest
 * `glance` frame says about each, and how one listed bus reads ("64 → Dadar · 3 min").
 *
 * - `glanceIds`: the stops the page asks for: those of its "notify me" reminders (their rows'
 *   `trip` keeps the reminders' ETAs fresh, reminders.js), then those Near me lists while it is
 *   open, then My stops (stars.js), most recent first, at most MAX_GLANCE (protocol.js) in all.
 * - `Glances`: the latest frame's next buses by stop, and listeners told when they change or
 *   when the minutes should be counted again (`tick`, on each of the server's frames).
 * - `glanceBuses`: one stop's buses as the lists show them at a server time.
 *
 * Pure: plain data in and out, times passed in (server ms); glanceLine.js draws.
 */

import {arrivalWhen} from './arrivals.js';
import {MAX_GLANCE} from './protocol.js';

/** Buses listed under a stop. */
export const GLANCE_BUSES = 3;

/**
 * The stop ids to ask for, most wanted first: `reminded` (the stops of the reminders set, the
 * soonest first), then `near` (the ids Near me lists, [] when closed), then `starred` (My
 * stops, most recent first), each once, at most `max`.
 */
export function glanceIds(near, starred, max = MAX_GLANCE, reminded = []) {
	return [...new Set([...reminded, ...near, ...starred])].slice(0, max);
}

/**
 * One stop's buses at server time `now`, soonest first: `[{route, color, headsign, live, when}]`
 * with `when` as arrivals.js's arrivalWhen (`now` only for a live bus under a minute away).
 *
 * @param {object[]} buses the decoded rows of a `glance` frame for the stop (protocol.js)
 * @param {number} now server time (ms)
 * @param {number} [limit]
 */
export function glanceBuses(buses, now, limit = GLANCE_BUSES) {
	return buses.slice(0, limit).map((bus) => ({
		route: bus.route, color: bus.color, headsign: bus.headsign, live: bus.live,
		when: arrivalWhen({eta: bus.eta, live: bus.live, scheduled: bus.eta, noSignal: false}, {now}),
	}));
}

export class Glances {
	constructor() {
		this._stops = new Map(); // stop id → decoded rows of the latest frame
		this._ts = null;
		this._frames = 0;
		this._listeners = [];
	}

	/** How many `glance` frames came. */
	get frameCount() {
		return this._frames;
	}

	/** The server time of the latest frame, or null. */
	get ts() {
		return this._ts;
	}

	/** Stop `id`'s next buses as the latest frame says them, or null when it has no news of it. */
	get(id) {
		return this._stops.get(id) ?? null;
	}

	/** The ids of the stops the latest frame has news of. */
	ids() {
		return [...this._stops.keys()];
	}

	/** Take a decoded `glance` frame: it replaces what the previous one said. */
	set(frame) {
		this._stops = new Map(frame.stops);
		this._ts = frame.ts;
		this._frames += 1;
		this._tell();
		return this;
	}

	/** Forget everything (e.g. nothing is asked for any more). */
	clear() {
		this._stops = new Map();
		this._ts = null;
		this._tell();
		return this;
	}

	/** Time went by (a frame of the server came): listeners count the minutes again. */
	tick() {
		if (this._stops.size) { this._tell(); }
		return this;
	}

	/** Call `fn()` after each change (and each tick). */
	onChange(fn) {
		this._listeners.push(fn);
		return this;
	}

	_tell() {
		for (const fn of this._listeners) { fn(); }
	}
}

/** The page's shared instance. */
export const glances = new Glances();
