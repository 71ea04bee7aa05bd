/**
 * The vehicle state the page shows: what the snapshot and the updates after it say.
 *
 * Applies decoded frames (see protocol.js) and reports what changed, so the marker layer can
 * follow. Holds plain data only: no Leaflet, no DOM, no socket. Times are passed in.
 */

const DEFAULT_TICK_MS = 1000;
const MIN_TICK_MS = 100;
const MAX_TICK_MS = 10000;
const TICK_SAMPLES = 5;

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export class Fleet {
	/**
	 * @param {object} [options]
	 * @param {number} [options.defaultTickMs=1000] tick interval assumed until two updates were seen
	 */
	constructor({defaultTickMs = DEFAULT_TICK_MS} = {}) {
		this._defaultTickMs = defaultTickMs;
		this._vehicles = new Map();
		this._ids = new Map(); // vehicle number (docs/protocol.md) → id
		this._lastTs = null;
		this._tickSamples = [];
		this._clockOffset = null;
	}

	/** Number of vehicles in the state. */
	get size() {
		return this._vehicles.size;
	}

	/** The record of vehicle `id` (updated in place by later frames), or undefined. */
	get(id) {
		return this._vehicles.get(id);
	}

	has(id) {
		return this._vehicles.has(id);
	}

	/** All vehicle records. */
	values() {
		return this._vehicles.values();
	}

	/** Server time (ms) of the latest frame applied, or null before the first snapshot. */
	get lastTs() {
		return this._lastTs;
	}

	/** The tick interval in ms: median of the last few gaps between frames' `ts`. */
	get tickMs() {
		return this._tickSamples.length ? median(this._tickSamples) : this._defaultTickMs;
	}

	/** Best guess of the server's clock at local time `localNow` (ms since the epoch). */
	serverNow(localNow) {
		return this._clockOffset === null ? localNow : localNow - this._clockOffset;
	}

	/**
	 * How old vehicle `id`'s data is at local time `localNow`, in ms (null if unknown).
	 *
	 * Every frame confirms every vehicle of the client's channels (one that did not move is simply
	 * not repeated), so the data is as old as the latest frame — unless the bus went silent: then
	 * as old as its last report (`reportedMs`, docs/protocol.md).
	 */
	dataAgeMs(id, localNow) {
		const vehicle = this._vehicles.get(id);
		if (!vehicle || this._lastTs === null) { return null; }
		const since = vehicle.reportedMs > 0 ? Math.min(vehicle.reportedMs, this._lastTs) : this._lastTs;
		return Math.max(0, this.serverNow(localNow) - since);
	}

	/**
	 * Replace the whole state with a snapshot.
	 *
	 * @param {object} frame a decoded `snapshot`
	 * @param {number} receivedAt local time (ms since the epoch) the frame arrived
	 * @returns {{added: object[], changed: object[], removed: string[]}} records, and ids dropped
	 */
	applySnapshot(frame, receivedAt) {
		this._tickSamples = [];
		this._lastTs = frame.ts;
		// A fresh connection: forget what the previous one taught about the clocks.
		this._clockOffset = receivedAt - frame.ts;
		const seen = new Set();
		const changes = {added: [], changed: [], removed: []};
		this._ids.clear();
		for (const vehicle of frame.vehicles) {
			seen.add(vehicle.id);
			this._upsert(vehicle, frame.ts, changes);
		}
		for (const id of [...this._vehicles.keys()]) {
			if (!seen.has(id)) {
				this._vehicles.delete(id);
				changes.removed.push(id);
			}
		}
		return changes;
	}

	/**
	 * Apply an update: its vehicles that left, then those that entered, then the moves.
	 *
	 * A vehicle that left one of the client's channels and entered another in the same frame
	 * (it crossed a tile edge) is reported as changed, not as removed and added.
	 *
	 * @param {object} frame a decoded `update`
	 * @param {number} receivedAt local time (ms since the epoch) the frame arrived
	 * @returns {{added: object[], changed: object[], removed: string[]}}
	 */
	applyUpdate(frame, receivedAt) {
		if (this._lastTs !== null) {
			const gap = frame.ts - this._lastTs;
			if (gap >= MIN_TICK_MS && gap <= MAX_TICK_MS) {
				this._tickSamples.push(gap);
				if (this._tickSamples.length > TICK_SAMPLES) { this._tickSamples.shift(); }
			}
		}
		this._lastTs = frame.ts;
		// Latency only ever adds to (receivedAt - ts): the smallest one is the best estimate.
		const offset = receivedAt - frame.ts;
		if (this._clockOffset === null || offset < this._clockOffset) { this._clockOffset = offset; }

		const changes = {added: [], changed: [], removed: []};
		const leaving = new Set();
		for (const n of frame.remove) {
			const id = this._ids.get(n);
			if (id !== undefined) {
				this._ids.delete(n);
				leaving.add(id);
			}
		}
		for (const vehicle of frame.vehicles) {
			leaving.delete(vehicle.id);
			this._upsert(vehicle, frame.ts, changes);
		}
		for (const id of leaving) {
			this._vehicles.delete(id);
			changes.removed.push(id);
		}
		for (const move of frame.moves ?? []) {
			const record = this._vehicles.get(this._ids.get(move.n));
			if (!record) { continue; } // not ours (yet): the protocol says ignore it
			record.lat = move.lat;
			record.lon = move.lon;
			record.bearing = move.bearing;
			record.updatedTs = frame.ts;
			changes.changed.push(record);
		}
		return changes;
	}

	/** Forget every vehicle. */
	clear() {
		const removed = [...this._vehicles.keys()];
		this._vehicles.clear();
		this._ids.clear();
		this._lastTs = null;
		this._tickSamples = [];
		return {added: [], changed: [], removed};
	}

	_upsert(vehicle, ts, changes) {
		if (vehicle.n !== undefined) { this._ids.set(vehicle.n, vehicle.id); }
		const record = this._vehicles.get(vehicle.id);
		if (record) {
			Object.assign(record, vehicle, {updatedTs: ts});
			changes.changed.push(record);
		} else {
			const created = {...vehicle, updatedTs: ts};
			this._vehicles.set(vehicle.id, created);
			changes.added.push(created);
		}
	}
}
