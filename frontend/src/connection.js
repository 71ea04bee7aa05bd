/**
 * The WebSocket to the server: connects, decodes frames (protocol.js), and reconnects by itself
 * with exponential backoff and jitter after the socket closes.
 *
 * Emits events; knows nothing of the map, the vehicles or the status line.
 *
 * Events (`on(type, fn)`):
 * - `state`: `{state, delayMs, retryAt}` — state is one of `State`; `delayMs`/`retryAt`
 *   (local ms since the epoch) are set while `waiting` to reconnect.
 * - `frame`: `{frame, receivedAt}` — a decoded frame of a known type.
 * - `protocolerror`: `{error}` — a frame that broke docs/protocol.md (it is dropped).
 */

import {decodeFrame, encodePing} from './protocol.js';

export const State = Object.freeze({
	CONNECTING: 'connecting',
	OPEN: 'open',
	WAITING: 'waiting',
	STOPPED: 'stopped',
});

/**
 * The wait before reconnection attempt number `attempt` (0 for the first one): `minMs` doubled
 * per attempt, at most `maxMs`, spread by ±`jitter` so that clients do not all come back at once.
 */
export function backoffDelay(attempt, {minMs = 1000, maxMs = 30000, jitter = 0.25, random = Math.random} = {}) {
	const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
	const spread = 1 - jitter + 2 * jitter * random();
	return Math.round(Math.min(maxMs, base * spread));
}

export class Connection {
	/**
	 * @param {string|Function} url the `ws:`/`wss:` URL, or a function giving it at each (re)connection
	 * @param {object} [options]
	 * @param {number} [options.minDelayMs=1000] first reconnection delay
	 * @param {number} [options.maxDelayMs=30000] largest reconnection delay
	 * @param {number} [options.jitter=0.25] relative spread of each delay
	 * @param {number} [options.silenceMs=15000] with no frame for this long, ping; with no frame
	 *   for twice as long, give the socket up and reconnect
	 * @param {Function} [options.WebSocket] the WebSocket class (tests pass a fake one)
	 * @param {Function} [options.random] a Math.random stand-in
	 * @param {Function} [options.now] a Date.now stand-in
	 */
	constructor(url, options = {}) {
		this._url = url;
		this._options = {
			minDelayMs: 1000,
			maxDelayMs: 30000,
			jitter: 0.25,
			silenceMs: 15000,
			WebSocket: globalThis.WebSocket,
			random: Math.random,
			now: Date.now,
			...options,
		};
		this._listeners = new Map();
		this._socket = null;
		this._state = State.STOPPED;
		this._attempt = 0;
		this._retryTimer = null;
		this._silenceTimer = null;
		this._silent = 0;
		this._retryAt = null;
	}

	// Events.

	on(type, fn, context) {
		if (!this._listeners.has(type)) { this._listeners.set(type, []); }
		this._listeners.get(type).push({fn, context});
		return this;
	}

	off(type, fn, context) {
		const list = this._listeners.get(type);
		if (list) {
			this._listeners.set(type, list.filter((l) => l.fn !== fn || l.context !== context));
		}
		return this;
	}

	_fire(type, data) {
		for (const {fn, context} of this._listeners.get(type) ?? []) {
			fn.call(context, {type, target: this, ...data});
		}
	}

	// Public methods.

	/** One of `State`. */
	get state() {
		return this._state;
	}

	/** Local time (ms since the epoch) of the next attempt while `waiting`, else null. */
	get retryAt() {
		return this._retryAt;
	}

	/** Connect (and keep reconnecting) until `stop()`. */
	start() {
		if (this._state === State.STOPPED) { this._connect(); }
		return this;
	}

	/** Close the socket and never reconnect. */
	stop() {
		this._clearTimers();
		this._retryAt = null;
		const socket = this._detach();
		if (socket) { socket.close(1000, 'client stopped'); }
		this._setState(State.STOPPED);
		return this;
	}

	/** While waiting to reconnect, try at once (e.g. when the browser is back online). */
	retryNow() {
		if (this._state === State.WAITING) {
			clearTimeout(this._retryTimer);
			this._retryTimer = null;
			this._connect();
		}
		return this;
	}

	/** Send a text frame if the socket is open; returns whether it was sent. */
	send(text) {
		if (this._state !== State.OPEN) { return false; }
		this._socket.send(text);
		return true;
	}

	// Socket handling.

	_connect() {
		this._retryAt = null;
		this._setState(State.CONNECTING);
		let socket;
		try {
			socket = new this._options.WebSocket(typeof this._url === 'function' ? this._url() : this._url);
		} catch (err) {
			console.error('bustrack: cannot open the WebSocket', err);
			this._scheduleRetry();
			return;
		}
		this._socket = socket;
		socket.onopen = () => {
			this._setState(State.OPEN);
			this._watchSilence();
		};
		socket.onmessage = (event) => this._onMessage(event);
		// An error is always followed by a close event; reconnection is handled there.
		socket.onerror = () => {};
		socket.onclose = () => this._onClose();
	}

	_onMessage(event) {
		const receivedAt = this._options.now();
		this._watchSilence();
		let frame;
		try {
			frame = decodeFrame(event.data);
		} catch (error) {
			this._fire('protocolerror', {error});
			return;
		}
		if (frame === null) { return; } // A frame type from a newer server: ignored.
		this._attempt = 0; // The server speaks to us: the next outage starts from the smallest wait.
		this._fire('frame', {frame, receivedAt});
	}

	_onClose() {
		this._detach();
		clearTimeout(this._silenceTimer);
		this._silenceTimer = null;
		if (this._state !== State.STOPPED) { this._scheduleRetry(); }
	}

	_scheduleRetry() {
		const {minDelayMs, maxDelayMs, jitter, random, now} = this._options;
		const delayMs = backoffDelay(this._attempt, {minMs: minDelayMs, maxMs: maxDelayMs, jitter, random});
		this._attempt += 1;
		this._retryAt = now() + delayMs;
		this._retryTimer = setTimeout(() => {
			this._retryTimer = null;
			this._connect();
		}, delayMs);
		this._setState(State.WAITING, {delayMs, retryAt: this._retryAt});
	}

	/** Restart the silence watchdog: ping after `silenceMs`, give up after twice that. */
	_watchSilence() {
		clearTimeout(this._silenceTimer);
		this._silent = 0;
		const check = () => {
			this._silent += 1;
			if (this._silent === 1) {
				this.send(encodePing());
				this._silenceTimer = setTimeout(check, this._options.silenceMs);
			} else {
				console.warn('bustrack: no frame from the server for a while; reconnecting');
				const socket = this._detach();
				if (socket) { socket.close(4000, 'server silent'); }
				this._onClose();
			}
		};
		this._silenceTimer = setTimeout(check, this._options.silenceMs);
	}

	/** Unhook and forget the current socket, returning it. */
	_detach() {
		const socket = this._socket;
		if (socket) {
			socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
		}
		this._socket = null;
		return socket;
	}

	_clearTimers() {
		clearTimeout(this._retryTimer);
		clearTimeout(this._silenceTimer);
		this._retryTimer = this._silenceTimer = null;
	}

	_setState(state, extra = {}) {
		this._state = state;
		this._fire('state', {state, delayMs: null, retryAt: null, ...extra});
	}
}
