/**
 * "Notify me 5 min before" over a reload: the reminders set (notify.js) kept in localStorage, as
 * `{v: 1, reminders: [{stopId, stopName, key, trip, vehicle, routeId, route, headsign, eta,
 * expires}]}`: the stop, the arrival (`key`: its trip and timetabled time, arrivals.js), its bus
 * and route, the last ETA known (server ms) and when the reminder is dropped unfired (its bus
 * should have come PAST_MS before).
 *
 * Pure apart from the storage given (tests pass a Map-like stand-in; null: nothing is kept).
 * A storage that refuses (private mode, full) keeps the reminders for this page only.
 */

import {PAST_MS} from './notify.js';

export const REMINDERS_KEY = 'bustrack.reminders';
const VERSION = 1;

const isText = (value) => typeof value === 'string';
const textOr = (value, fallback = '') => (isText(value) ? value : fallback);

/** One kept reminder, checked: null when it lacks what firing it needs. */
function decode(raw) {
	if (!raw || typeof raw !== 'object' || !isText(raw.stopId) || !isText(raw.key) || !Number.isFinite(raw.eta)) {
		return null;
	}
	return {
		stopId: raw.stopId, stopName: textOr(raw.stopName, raw.stopId), key: raw.key,
		trip: textOr(raw.trip, raw.key.split('|')[0]), vehicle: isText(raw.vehicle) ? raw.vehicle : null,
		routeId: textOr(raw.routeId), route: textOr(raw.route), headsign: textOr(raw.headsign), eta: raw.eta,
		expires: Number.isFinite(raw.expires) ? raw.expires : raw.eta + PAST_MS,
	};
}

/**
 * The reminders kept in `storage` that are still to fire at `now` (server ms): expired and
 * malformed ones are left out.
 */
export function loadReminders(storage, now) {
	let text = null;
	try {
		text = storage?.getItem(REMINDERS_KEY) ?? null;
	} catch {
		return [];
	}
	let kept;
	try {
		kept = JSON.parse(text ?? 'null');
	} catch {
		return [];
	}
	if (kept?.v !== VERSION || !Array.isArray(kept.reminders)) { return []; }
	return kept.reminders.map(decode).filter((r) => r !== null && r.expires >= now);
}

/** Keep `reminders` (Reminders.list()) in `storage`, each with its expiry; none: the key goes. */
export function saveReminders(storage, reminders) {
	try {
		if (!reminders.length) {
			storage?.removeItem(REMINDERS_KEY);
			return;
		}
		const kept = reminders.map((r) => decode({...r, expires: r.eta + PAST_MS})).filter(Boolean);
		storage?.setItem(REMINDERS_KEY, JSON.stringify({v: VERSION, reminders: kept}));
	} catch { /* Refused: kept in memory for this page. */ }
}
