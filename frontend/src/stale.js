/**
 * Buses gone silent (docs/protocol.md, `reported`): a bus whose last report is older than the
 * page's `stale_after_s` is drawn greyed with its age; the server removes it later (an `l` entry),
 * which the page simply follows.
 *
 * Pure: vehicle records (fleet.js) and times in, answers out. Times are server ms.
 */

/** How long bus `vehicle` has been silent at server time `now` (ms; 0 while it reports). */
export function silentForMs(vehicle, now) {
	return vehicle.reportedMs > 0 ? Math.max(0, now - vehicle.reportedMs) : 0;
}

/**
 * Whether `vehicle` has been silent for longer than `staleAfterMs` at server time `now`.
 * `heardMs` is the time of the last frame the page got (default `now`): a bus that was
 * reporting then is as old as that frame, so when frames stop coming (the server lost
 * its sources, its feeder died) every bus greys with its age, none stays frozen as live.
 */
export function isStale(vehicle, now, staleAfterMs, heardMs = now) {
	const since = vehicle.reportedMs > 0 ? Math.min(vehicle.reportedMs, heardMs) : heardMs;
	return now - since > staleAfterMs;
}

/** The ids of the stale vehicles among `vehicles` (an iterable of records); see isStale. */
export function staleIds(vehicles, now, staleAfterMs, heardMs = now) {
	const ids = new Set();
	for (const vehicle of vehicles) {
		if (isStale(vehicle, now, staleAfterMs, heardMs)) { ids.add(vehicle.id); }
	}
	return ids;
}

/** Whether two sets hold the same ids. */
export function sameIds(a, b) {
	if (a.size !== b.size) { return false; }
	for (const id of a) { if (!b.has(id)) { return false; } }
	return true;
}
