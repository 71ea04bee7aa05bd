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

/** Whether `vehicle` has been silent for longer than `staleAfterMs` at server time `now`. */
export function isStale(vehicle, now, staleAfterMs) {
	return vehicle.reportedMs > 0 && now - vehicle.reportedMs > staleAfterMs;
}

/** The ids of the stale vehicles among `vehicles` (an iterable of records). */
export function staleIds(vehicles, now, staleAfterMs) {
	const ids = new Set();
	for (const vehicle of vehicles) {
		if (isStale(vehicle, now, staleAfterMs)) { ids.add(vehicle.id); }
	}
	return ids;
}

/** Whether two sets hold the same ids. */
export function sameIds(a, b) {
	if (a.size !== b.size) { return false; }
	for (const id of a) { if (!b.has(id)) { return false; } }
	return true;
}
