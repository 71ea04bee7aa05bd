/**
 * "Tell me when it's close": reminders set on a bus of a stop's arrivals, fired once when the
 * bus is `LEAD_MS` (5 min) or less from the stop.
 *
 * - `Reminders`: which reminders are set, keyed by stop and arrival (arrivals.js's `arrivalKey`);
 *   `update` takes the newer ETAs of a board, `updateTrips` those of a `glance` frame's rows
 *   (by trip), `due(now)` says which to fire now (each once, then
 *   forgotten). A reminder keeps the last ETA it was told, so it still fires after the stop's
 *   panel is closed; `restore` brings back those kept over a reload (reminderStore.js), and
 *   `soonest` says whose stop to ask arrivals of to keep its ETA fresh.
 * - `permissionState` / `askPermission`: the Notification API, passed in (tests give a stand-in);
 *   permission is asked only when a reminder is set.
 *
 * Pure but for the Notification object handed in: times are passed in (server ms).
 */

/** A reminder fires when its bus is this close (ms). */
export const LEAD_MS = 5 * 60 * 1000;
/** A reminder whose bus should have come longer ago than this is dropped without firing. */
export const PAST_MS = 2 * 60 * 1000;
/** A `glance` row of a reminder's trip farther than this from its last ETA is another run's. */
export const MATCH_MS = 10 * 60 * 1000;

/** Whether a bus expected at `eta` is close enough at `now` to fire its reminder. */
export function isDue(eta, now, leadMs = LEAD_MS) {
	return eta - now <= leadMs;
}

export class Reminders {
	/** @param {object} [options] @param {number} [options.leadMs] */
	constructor({leadMs = LEAD_MS} = {}) {
		this.leadMs = leadMs;
		this._set = new Map(); // `${stopId}|${key}` → reminder
		this._listeners = [];
	}

	static id(stopId, key) {
		return `${stopId}|${key}`;
	}

	/** Whether a reminder is set on arrival `key` at stop `stopId`. */
	has(stopId, key) {
		return this._set.has(Reminders.id(stopId, key));
	}

	/** The reminders set: `[{stopId, stopName, key, route, headsign, eta, …}]`. */
	list() {
		return [...this._set.values()].map((r) => ({...r}));
	}

	/** The reminder whose bus comes first, or null. */
	soonest() {
		let first = null;
		for (const reminder of this._set.values()) {
			if (!first || reminder.eta < first.eta) { first = reminder; }
		}
		return first && {...first};
	}

	/** Replace the reminders set with `reminders` (kept over a reload); tells the listeners. */
	restore(reminders) {
		this._set.clear();
		for (const reminder of reminders) { this._set.set(Reminders.id(reminder.stopId, reminder.key), {...reminder}); }
		this._changed();
		return this;
	}

	/** Set a reminder: `{stopId, stopName, key, route, headsign, eta}`. */
	add(reminder) {
		this._set.set(Reminders.id(reminder.stopId, reminder.key), {...reminder});
		this._changed();
		return this;
	}

	remove(stopId, key) {
		if (this._set.delete(Reminders.id(stopId, key))) { this._changed(); }
		return this;
	}

	/** Remove every reminder at stop `stopId` (e.g. a stop the feed no longer has). */
	removeStop(stopId) {
		let removed = false;
		for (const [id, reminder] of this._set) {
			if (reminder.stopId === stopId) { removed = this._set.delete(id); }
		}
		if (removed) { this._changed(); }
		return this;
	}

	/** Set it if not set, else remove it; returns whether it is set now. */
	toggle(reminder) {
		if (this.has(reminder.stopId, reminder.key)) {
			this.remove(reminder.stopId, reminder.key);
			return false;
		}
		this.add(reminder);
		return true;
	}

	/**
	 * The arrivals of a newer board of stop `stopId` (`[{key, eta}]`): their ETAs move. Returns how
	 * many reminders' ETAs changed.
	 */
	update(stopId, arrivals) {
		let moved = 0;
		for (const arrival of arrivals) {
			const reminder = this._set.get(Reminders.id(stopId, arrival.key));
			if (reminder && Number.isFinite(arrival.eta) && reminder.eta !== arrival.eta) {
				reminder.eta = arrival.eta;
				moved += 1;
			}
		}
		return moved;
	}

	/**
	 * The buses of a newer `glance` frame at stop `stopId` (`[{trip, eta}]`, soonest first, ETAs
	 * rounded): a reminder takes the ETA of the row of its trip (`trip`, else its key's trip).
	 * Runs of a trip by frequency share its id: of several rows of its trip, the one nearest its
	 * last ETA, and none more than `withinMs` from it (its own run is no longer listed: another
	 * run's ETA would make it fire early or never). Returns how many reminders' ETAs changed.
	 */
	updateTrips(stopId, buses, withinMs = MATCH_MS) {
		let moved = 0;
		for (const reminder of this._set.values()) {
			if (reminder.stopId !== stopId) { continue; }
			const trip = reminder.trip ?? reminder.key.split('|')[0];
			let best = null;
			for (const bus of buses) {
				if (bus.trip !== trip || !Number.isFinite(bus.eta)) { continue; }
				if (!best || Math.abs(bus.eta - reminder.eta) < Math.abs(best.eta - reminder.eta)) { best = bus; }
			}
			if (best && Math.abs(best.eta - reminder.eta) <= withinMs && best.eta !== reminder.eta) {
				reminder.eta = best.eta;
				moved += 1;
			}
		}
		return moved;
	}

	/** The stops of the reminders set, each once, that of the soonest bus first. */
	stops() {
		const sorted = [...this._set.values()].sort((a, b) => a.eta - b.eta);
		return [...new Set(sorted.map((r) => r.stopId))];
	}

	/**
	 * The reminders to fire at `now`, soonest first; they are forgotten (each fires once), as are
	 * those whose bus should have come more than PAST_MS ago (not fired).
	 */
	due(now) {
		const fire = [];
		for (const [id, reminder] of this._set) {
			if (now - reminder.eta > PAST_MS) {
				this._set.delete(id);
			} else if (isDue(reminder.eta, now, this.leadMs)) {
				this._set.delete(id);
				fire.push({...reminder, minutes: Math.max(0, Math.round((reminder.eta - now) / 60000))});
			}
		}
		if (fire.length) { this._changed(); }
		return fire.sort((a, b) => a.eta - b.eta);
	}

	/** Call `listener()` whenever reminders are set or go. */
	onChange(listener) {
		this._listeners.push(listener);
		return this;
	}

	_changed() {
		for (const listener of this._listeners) { listener(); }
	}
}

/** 'granted' | 'denied' | 'default' | 'unsupported', for the Notification API `N`. */
export function permissionState(N) {
	if (typeof N !== 'function') { return 'unsupported'; }
	return ['granted', 'denied', 'default'].includes(N.permission) ? N.permission : 'default';
}

/**
 * Ask for permission to notify (only call it from a user's gesture); resolves to the state after
 * asking. Old browsers take a callback instead of returning a promise.
 */
export async function askPermission(N) {
	const state = permissionState(N);
	if (state !== 'default') { return state; }
	try {
		const answer = await new Promise((resolve) => {
			const promise = N.requestPermission(resolve);
			if (promise?.then) { promise.then(resolve, () => resolve('denied')); }
		});
		return ['granted', 'denied'].includes(answer) ? answer : permissionState(N);
	} catch {
		return 'denied';
	}
}
