/**
 * What a stop's arrivals panel says about each coming bus (docs/protocol.md, `arrivals`), and
 * how the list changes from one frame to the next.
 *
 * - `arrivalWhen`: "now", "in N min", "due" or "no signal — timetable HH:MM" for one arrival at
 *   a given server time. "now" only ever for a live prediction from a bus that is reporting
 *   (not stale, the panel's data fresh): a bus gone silent never shows as arriving now.
 * - `arrivalRows`: the rows of a board, each with a stable key.
 * - `diffKeys`: which rows came, went and stayed (the panel updates its list in place).
 * - `Announcer`: when the live region should speak — when the first bus changes or its minutes
 *   do, at most every so often, never every tick.
 *
 * Pure: plain data in and out; times are passed in (server ms since the epoch).
 */

/** Under this long to go, a live bus is "now" (a timetabled one "due"). */
export const NOW_MS = 60 * 1000;
/** A prediction's uncertainty (one standard deviation, s) from which it is shown as ±N min. */
export const LARGE_UNCERTAINTY_S = 90;
/** The live region speaks at most this often about the same first bus. */
export const ANNOUNCE_EVERY_MS = 30 * 1000;

/** The key of an arrival: its trip and timetabled time (a trip may pass a stop twice). */
export function arrivalKey(arrival) {
	return `${arrival.trip}|${arrival.scheduled ?? arrival.eta}`;
}

/** Whole minutes left until `eta` at `now`, rounded down (0 under a minute; never negative). */
export function minutesUntil(eta, now) {
	return Math.max(0, Math.floor((eta - now) / 60000));
}

/**
 * When the bus of `arrival` comes, as the panel says it:
 * `{kind, minutes, scheduled}` where `kind` is
 * - `'now'`: a live prediction under a minute away, from a bus that reports and fresh data;
 * - `'minutes'`: `minutes` away (predicted when `arrival.live`, else timetabled);
 * - `'due'`: under a minute away but not live (timetabled, or data no longer fresh);
 * - `'noSignal'`: its bus went silent: only the timetable's time (`scheduled`) is known.
 *
 * @param {object} arrival a decoded arrival (protocol.js)
 * @param {object} at
 * @param {number} at.now server time (ms)
 * @param {boolean} [at.vehicleStale=false] the page itself sees the arrival's bus as stale
 * @param {boolean} [at.fresh=true] the board was received recently over a live connection
 */
export function arrivalWhen(arrival, {now, vehicleStale = false, fresh = true}) {
	const scheduled = arrival.scheduled ?? arrival.eta;
	if (arrival.noSignal || (arrival.live && vehicleStale)) {
		return {kind: 'noSignal', minutes: minutesUntil(scheduled, now), scheduled};
	}
	const left = arrival.eta - now;
	if (left < NOW_MS) {
		return {kind: arrival.live && fresh ? 'now' : 'due', minutes: 0, scheduled};
	}
	return {kind: 'minutes', minutes: minutesUntil(arrival.eta, now), scheduled};
}

/** The ± minutes to show for an uncertainty in seconds, or 0 when it is small. */
export function uncertaintyMinutes(seconds) {
	if (!Number.isFinite(seconds) || seconds < LARGE_UNCERTAINTY_S) { return 0; }
	return Math.max(2, Math.round(seconds / 60));
}

/**
 * The rows of a board at server time `now`.
 *
 * @param {object[]} arrivals decoded arrivals, soonest first
 * @param {object} at
 * @param {number} at.now server time (ms)
 * @param {Function} [at.isStale] `(vehicleId) => boolean`: the page sees that bus as stale
 * @param {boolean} [at.fresh=true]
 * @returns {object[]} `{key, vehicle, routeId, route, color, headsign, eta, live, when, uncertainty}`
 *   (`uncertainty` in whole minutes, 0 when not worth showing)
 */
export function arrivalRows(arrivals, {now, isStale = () => false, fresh = true}) {
	const seen = new Set();
	const rows = [];
	for (const arrival of arrivals) {
		let key = arrivalKey(arrival);
		while (seen.has(key)) { key += '+'; }
		seen.add(key);
		const vehicleStale = arrival.vehicle !== null && isStale(arrival.vehicle);
		const when = arrivalWhen(arrival, {now, vehicleStale, fresh});
		const live = arrival.live && when.kind !== 'noSignal';
		rows.push({
			key,
			vehicle: arrival.vehicle,
			routeId: arrival.routeId,
			route: arrival.route,
			color: arrival.color,
			headsign: arrival.headsign,
			eta: arrival.eta,
			live,
			when,
			uncertainty: live ? uncertaintyMinutes(arrival.uncertainty) : 0,
			occupancy: live ? arrival.occupancy ?? null : null,
		});
	}
	return rows;
}

/**
 * How a list of keys changes into another: `{added, removed, kept}` (each in the new list's
 * order, `removed` in the old one's), and whether the kept ones changed order (`moved`).
 */
export function diffKeys(oldKeys, newKeys) {
	const before = new Set(oldKeys);
	const after = new Set(newKeys);
	const added = newKeys.filter((k) => !before.has(k));
	const removed = oldKeys.filter((k) => !after.has(k));
	const kept = newKeys.filter((k) => before.has(k));
	const oldOrder = oldKeys.filter((k) => after.has(k));
	const moved = kept.some((k, i) => oldOrder[i] !== k);
	return {added, removed, kept, moved};
}

/** What the live region says about a row: changes to this (text) are worth saying. */
function gist(row) {
	if (!row) { return ''; }
	const {kind, minutes} = row.when;
	return `${row.key}|${kind}|${kind === 'minutes' ? minutes : ''}`;
}

/**
 * Decides when the panel's live region speaks: when the first bus is another one, or its
 * "when" changed (a minute less, "now"), at most once per `everyMs` for the same bus — but at
 * once when it turns "now" or another bus comes first. Never on the first board after opening
 * (the panel's heading says enough then), nor when nothing changed.
 */
export class Announcer {
	/** @param {object} [options] @param {number} [options.everyMs=ANNOUNCE_EVERY_MS] */
	constructor({everyMs = ANNOUNCE_EVERY_MS} = {}) {
		this._everyMs = everyMs;
		this.reset();
	}

	/** Forget what was said (another stop). */
	reset() {
		this._said = null; // gist of the first row when last spoken (or seen first)
		this._key = null;
		this._at = -Infinity;
		return this;
	}

	/**
	 * Whether to speak about `first` (the first row, or undefined) at local time `nowMs`.
	 * The caller says it when true.
	 */
	shouldSpeak(first, nowMs) {
		const g = gist(first);
		if (this._said === null) {
			this._said = g;
			this._key = first?.key ?? null;
			this._at = nowMs;
			return false;
		}
		if (g === this._said || !first) { return false; }
		const urgent = first.key !== this._key || first.when.kind === 'now';
		if (!urgent && nowMs - this._at < this._everyMs) { return false; }
		this._said = g;
		this._key = first.key;
		this._at = nowMs;
		return true;
	}
}

/**
 * `when` (from `arrivalWhen`) in words: "now", "due", "in 4 min", "no signal — timetable 10:45".
 *
 * @param {import('./i18n.js').I18n} i18n the language
 * @param {object} when
 * @param {Function} timeOf `(ms) => "HH:MM"`: a server time as the service's time of day
 */
export function whenText(i18n, when, timeOf) {
	switch (when.kind) {
	case 'now': return i18n.t('arrivalNow');
	case 'due': return i18n.t('arrivalDue');
	case 'noSignal': return i18n.t('arrivalNoSignal', {time: timeOf(when.scheduled) || '—'});
	default: return i18n.t('arrivalIn', {count: when.minutes});
	}
}
