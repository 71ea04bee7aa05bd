/**
 * The buses' motion for the canvas layer, in typed arrays: one slot per vehicle id, reused
 * through a free list, so that thousands of buses move without an object per bus per frame.
 *
 * A slot holds where its bus glides from and to (points in whatever plane the caller projects
 * to: the canvas layer uses Web Mercator pixels at zoom 0), its bearings, when the glide started
 * and how long it takes, and where it is now (`x`, `y`, `bearing`: what `advance(now)` last
 * computed). A new bus can fade in where it stands; a removed one fades out where it stands and
 * keeps its slot until it has faded (then the slot goes back to the free list).
 *
 * Pure: no Leaflet, no DOM, no clock. Times are passed in (ms on one monotonic clock).
 */

import {clamp01, lerp, lerpBearing, normalizeBearing} from './geo.js';

/** A move longer than this (after a reconnection, say) is a jump, not a glide. */
export const MAX_GLIDE_M = 2000;
/** A move shorter than this many screen pixels is not worth animating. */
export const MIN_GLIDE_PX = 1;

/** Slot states (`state[slot]`). */
export const FREE = 0;
export const LIVE = 1;
export const LEAVING = 2;

/** Whether a move of `meters` on the ground, `pixels` on screen, glides (else it snaps). */
export function shouldGlide(meters, pixels) {
	return meters <= MAX_GLIDE_M && pixels >= MIN_GLIDE_PX;
}

const FLOAT64 = ['fromX', 'fromY', 'toX', 'toY', 'x', 'y', 'start', 'fadeStart'];
const FLOAT32 = ['fromBearing', 'toBearing', 'bearing', 'duration', 'fadeMs', 'alpha', 'speed', 'turn'];
const INT8 = ['fade']; // +1 fading in, -1 fading out, 0 not fading
const UINT8 = ['state', 'visible'];

/** A set of slot numbers with O(1) add, delete and has, iterated as a dense list. */
class SlotSet {
	constructor(capacity) {
		this.items = new Int32Array(capacity);
		this._index = new Int32Array(capacity).fill(-1);
		this.size = 0;
	}

	grow(capacity) {
		const items = new Int32Array(capacity);
		items.set(this.items);
		const index = new Int32Array(capacity).fill(-1);
		index.set(this._index);
		this.items = items;
		this._index = index;
	}

	has(slot) {
		return this._index[slot] >= 0;
	}

	add(slot) {
		if (this._index[slot] >= 0) { return; }
		this._index[slot] = this.size;
		this.items[this.size] = slot;
		this.size += 1;
	}

	delete(slot) {
		const at = this._index[slot];
		if (at < 0) { return; }
		const last = this.items[this.size - 1];
		this.items[at] = last;
		this._index[last] = at;
		this._index[slot] = -1;
		this.size -= 1;
	}

	clear() {
		for (let i = 0; i < this.size; i++) { this._index[this.items[i]] = -1; }
		this.size = 0;
	}
}

export class BusSlots {
	/** @param {number} [capacity=256] slots to allocate at first (grows by doubling) */
	constructor(capacity = 256) {
		this._bySlotId = [];
		/** The vehicle record of each slot (what the caller passed), or null. */
		this.vehicle = [];
		this._slots = new Map(); // id → slot, live buses only
		this._free = [];
		/** Slots below this have been used: loops over slots go from 0 to `length - 1`. */
		this.length = 0;
		this.capacity = 0;
		this._moving = new SlotSet(0);
		this._fading = new SlotSet(0);
		/** What the last `advance` saw: the fastest glide (plane units per ms), turn (degrees per ms) and fade (alpha per ms). */
		this.glideRate = 0;
		this.turnRate = 0;
		this.fadeRate = 0;
		this._grow(Math.max(1, capacity));
	}

	_grow(capacity) {
		for (const [names, Type] of [[FLOAT64, Float64Array], [FLOAT32, Float32Array], [INT8, Int8Array], [UINT8, Uint8Array]]) {
			for (const name of names) {
				const array = new Type(capacity);
				if (this[name]) { array.set(this[name]); }
				this[name] = array;
			}
		}
		this._moving.grow(capacity);
		this._fading.grow(capacity);
		this.capacity = capacity;
	}

	// Public methods.

	/** Number of live buses (not counting those fading out). */
	get size() {
		return this._slots.size;
	}

	/** Number of live buses whose glide is not finished. */
	get movingCount() {
		return this._moving.size;
	}

	/** Whether anything still changes with time (a glide or a fade). */
	get busy() {
		return this._moving.size > 0 || this._fading.size > 0;
	}

	/** The slot of live bus `id`, or -1. */
	slotOf(id) {
		return this._slots.get(id) ?? -1;
	}

	/** The id of the bus in `slot` (also while it fades out), or undefined. */
	idOf(slot) {
		return this._bySlotId[slot];
	}

	/** Ids of the live buses. */
	ids() {
		return [...this._slots.keys()];
	}

	/** Live slots, as a fresh array. */
	liveSlots() {
		return [...this._slots.values()];
	}

	/**
	 * A new bus `id` at (`x`, `y`) heading `bearing`; it fades in over `fadeMs` from `now`
	 * (0: shown at once). Returns its slot. An id already live is only placed there.
	 */
	add(id, vehicle, x, y, bearing, {now = 0, fadeMs = 0} = {}) {
		const known = this._slots.get(id);
		if (known !== undefined) {
			this.vehicle[known] = vehicle;
			this.place(known, x, y, bearing);
			return known;
		}
		let slot = this._free.pop();
		if (slot === undefined) {
			if (this.length === this.capacity) { this._grow(this.capacity * 2); }
			slot = this.length;
			this.length += 1;
		}
		this._slots.set(id, slot);
		this._bySlotId[slot] = id;
		this.vehicle[slot] = vehicle;
		this.state[slot] = LIVE;
		this.visible[slot] = 1;
		this.place(slot, x, y, bearing);
		this.duration[slot] = 0;
		this.start[slot] = 0;
		if (fadeMs > 0) {
			this._startFade(slot, 1, now, fadeMs);
		} else {
			this.fade[slot] = 0;
			this.alpha[slot] = 1;
		}
		return slot;
	}

	/** Put `slot` at (`x`, `y`, `bearing`) at once, ending its glide. */
	place(slot, x, y, bearing) {
		const b = normalizeBearing(bearing);
		this.fromX[slot] = this.toX[slot] = this.x[slot] = x;
		this.fromY[slot] = this.toY[slot] = this.y[slot] = y;
		this.fromBearing[slot] = this.toBearing[slot] = this.bearing[slot] = b;
		this._moving.delete(slot);
		return this;
	}

	/**
	 * Glide `slot` from where it is now to (`x`, `y`, `bearing`) over `durationMs` from `now`;
	 * bearings turn the short way round.
	 */
	glide(slot, x, y, bearing, now, durationMs) {
		this.fromX[slot] = this.x[slot];
		this.fromY[slot] = this.y[slot];
		this.fromBearing[slot] = this.bearing[slot];
		this.toX[slot] = x;
		this.toY[slot] = y;
		this.toBearing[slot] = normalizeBearing(bearing);
		this.start[slot] = now;
		this.duration[slot] = Math.max(1, durationMs);
		this.speed[slot] = Math.hypot(x - this.fromX[slot], y - this.fromY[slot]) / this.duration[slot];
		const turn = Math.abs(((this.toBearing[slot] - this.fromBearing[slot]) % 360 + 540) % 360 - 180);
		this.turn[slot] = turn / this.duration[slot];
		this._moving.add(slot);
		return this;
	}

	/** Whether `slot` is headed for (`x`, `y`, `bearing`) already (gliding there or standing). */
	isHeadedFor(slot, x, y, bearing) {
		return this.toX[slot] === x && this.toY[slot] === y &&
			this.toBearing[slot] === Math.fround(normalizeBearing(bearing));
	}

	/** Whether `slot`'s glide is not finished. */
	isMoving(slot) {
		return this._moving.has(slot);
	}

	/**
	 * Bus `id` is gone: it stops where it is and fades out over `fadeMs` from `now` (0: its slot
	 * is freed at once). Returns its slot, or -1 if it was not live.
	 */
	remove(id, {now = 0, fadeMs = 0} = {}) {
		const slot = this._slots.get(id);
		if (slot === undefined) { return -1; }
		this._slots.delete(id);
		this._moving.delete(slot);
		if (fadeMs > 0) {
			this.state[slot] = LEAVING;
			this._startFade(slot, -1, now, fadeMs);
		} else {
			this._release(slot);
		}
		return slot;
	}

	/** Forget every bus at once (no fading). */
	clear() {
		for (let slot = 0; slot < this.length; slot++) {
			if (this.state[slot] !== FREE) { this._release(slot); }
		}
		return this;
	}

	/**
	 * Move every gliding bus and fade every fading one to where it is at time `now`.
	 * Finished glides end on their target; buses that finished fading out free their slot.
	 * Returns the number of slots that changed; `glideRate`, `turnRate` and `fadeRate` tell how
	 * fast the fastest of them changed (so that a caller can tell how far any of them can have
	 * gone since some earlier time).
	 */
	advance(now) {
		let changed = 0;
		let glideRate = 0;
		let turnRate = 0;
		let fadeRate = 0;
		const moving = this._moving;
		// Backwards: finishing a glide swaps the last item into this place.
		for (let k = moving.size - 1; k >= 0; k--) {
			const i = moving.items[k];
			// The frame's time can precede the start of a glide set up just before it.
			const t = clamp01((now - this.start[i]) / this.duration[i]);
			if (t >= 1) {
				this.x[i] = this.toX[i];
				this.y[i] = this.toY[i];
				this.bearing[i] = this.toBearing[i];
				moving.delete(i);
			} else {
				this.x[i] = lerp(this.fromX[i], this.toX[i], t);
				this.y[i] = lerp(this.fromY[i], this.toY[i], t);
				this.bearing[i] = lerpBearing(this.fromBearing[i], this.toBearing[i], t);
			}
			if (this.speed[i] > glideRate) { glideRate = this.speed[i]; }
			if (this.turn[i] > turnRate) { turnRate = this.turn[i]; }
			changed += 1;
		}
		const fading = this._fading;
		for (let k = fading.size - 1; k >= 0; k--) {
			const i = fading.items[k];
			const t = clamp01((now - this.fadeStart[i]) / this.fadeMs[i]);
			this.alpha[i] = this.fade[i] > 0 ? t : 1 - t;
			if (1 / this.fadeMs[i] > fadeRate) { fadeRate = 1 / this.fadeMs[i]; }
			if (t >= 1) {
				fading.delete(i);
				this.fade[i] = 0;
				if (this.state[i] === LEAVING) { this._release(i); }
			}
			changed += 1;
		}
		this.glideRate = glideRate;
		this.turnRate = turnRate;
		this.fadeRate = fadeRate;
		return changed;
	}

	_startFade(slot, direction, now, fadeMs) {
		this.fade[slot] = direction;
		this.fadeStart[slot] = now;
		this.fadeMs[slot] = fadeMs;
		this.alpha[slot] = direction > 0 ? 0 : 1;
		this._fading.add(slot);
	}

	_release(slot) {
		const id = this._bySlotId[slot];
		if (id !== undefined && this._slots.get(id) === slot) { this._slots.delete(id); }
		this._bySlotId[slot] = undefined;
		this.vehicle[slot] = null;
		this.state[slot] = FREE;
		this.fade[slot] = 0;
		this.alpha[slot] = 0;
		this._moving.delete(slot);
		this._fading.delete(slot);
		this._free.push(slot);
	}
}
