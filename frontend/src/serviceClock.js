/**
 * The simulation's time of day ("service time"), and human wording of times.
 *
 * The snapshot states the service time at its `ts`; updates carry only `ts`, so the service time
 * is carried forward by the server time elapsed since (the simulation runs at the wall clock's
 * pace). Pure: no DOM, no clock of its own.
 */

const DAY_S = 24 * 3600;

/** "HH:MM:SS" (GTFS allows hours past 24) → seconds, or null. */
export function parseServiceTime(value) {
	const match = /^(\d{1,3}):(\d{2})(?::(\d{2}))?$/.exec(String(value).trim());
	if (!match) { return null; }
	return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3] ?? 0);
}

/** Seconds → "HH:MM:SS" on a 24-hour clock. */
export function formatServiceTime(seconds) {
	const s = ((Math.floor(seconds) % DAY_S) + DAY_S) % DAY_S;
	const pad = (n) => String(n).padStart(2, '0');
	return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** How long ago, in words: "just now", "3 s ago", "2 min ago", "1 h ago". */
export function formatAge(ms) {
	if (!Number.isFinite(ms)) { return 'unknown'; }
	const s = Math.max(0, Math.round(ms / 1000));
	if (s < 60) { return `${s} s ago`; }
	const min = Math.floor(s / 60);
	if (min < 60) { return `${min} min ago`; }
	return `${Math.floor(min / 60)} h ago`;
}

export class ServiceClock {
	constructor() {
		this._base = null;
		this._baseTs = null;
		this._ts = null;
		this.mode = 'live';
		this.note = '';
	}

	/** Restart from a snapshot's `clock` at its `ts`. */
	reset(clock, ts) {
		this._base = parseServiceTime(clock.service_time);
		this._baseTs = ts;
		this._ts = ts;
		this.mode = clock.mode;
		this.note = clock.note;
		return this;
	}

	/** Move on to the server time `ts` of a later frame. */
	advance(ts) {
		if (this._baseTs !== null && ts > this._ts) { this._ts = ts; }
		return this;
	}

	/** The service time in seconds since midnight of the service day, or null. */
	get seconds() {
		if (this._base === null) { return null; }
		return this._base + (this._ts - this._baseTs) / 1000;
	}

	/** The service time (s since midnight of the service day) at server time `ts`, or null. */
	secondsAt(ts) {
		if (this._base === null) { return null; }
		return this._base + (ts - this._baseTs) / 1000;
	}

	/** "HH:MM:SS", or '' before a snapshot. */
	get text() {
		const s = this.seconds;
		return s === null ? '' : formatServiceTime(s);
	}
}
