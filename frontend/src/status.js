/**
 * The status line: connection state, how many buses are in view (or on the route shown alone),
 * service time and the clock's note; in playback (playback.js), that it is playback and of which
 * moment, whatever the connection does meanwhile (`state` stays the connection's). Until the
 * first live frame (the page opened from the service worker's copy, sw.js), or while the browser
 * is offline, it says it is waiting for live data.
 *
 * Owns the DOM inside its element and nothing else. The element is a polite live region;
 * the parts that change every second (count, countdown, time) are marked `aria-live="off"`
 * so that screen readers announce state changes, not every tick. Its words are in the page's
 * language (i18n.js), and change with it.
 */

import {setText} from './dom.js';
import {i18n as sharedI18n} from './i18n.js';
import {formatServiceTime} from './serviceClock.js';

function span(className, text = '', quiet = false) {
	const el = document.createElement('span');
	el.className = className;
	el.textContent = text;
	if (quiet) { el.setAttribute('aria-live', 'off'); }
	return el;
}

export class StatusLine {
	/**
	 * @param {HTMLElement} element the status container (with role="status")
	 * @param {object} [options]
	 * @param {Function} [options.now] a Date.now stand-in
	 * @param {import('./i18n.js').I18n} [options.i18n] the page's language
	 */
	constructor(element, {now = Date.now, i18n = sharedI18n} = {}) {
		this._el = element;
		this._now = now;
		this._i18n = i18n;
		this._state = 'connecting';
		this._count = 0;
		this._route = null; // the label of the route shown alone, or null
		this._retryAt = null;
		this._timer = null;
		this._time = '';
		this._note = '';
		this._extraNote = '';
		this._mode = 'live';
		this._serverNote = '';
		this._remark = null; // {key} of the remark, or null
		this._playback = null; // the time of day (s) shown in playback, NaN if unknown; null: not in playback
		this._offline = false; // the browser says it has no network
		this._wasLive = false; // live data came since the page opened
		this._waitsForData = false;
		this._build();
		this.connecting();
		i18n.onChange(() => this._render());
	}

	_build() {
		const el = this._el;
		el.textContent = '';
		el.classList.add('status');
		if (!el.hasAttribute('role')) { el.setAttribute('role', 'status'); }
		if (!el.hasAttribute('aria-live')) { el.setAttribute('aria-live', 'polite'); }

		const line = document.createElement('div');
		line.className = 'status__line';
		this._dot = span('status__dot');
		this._dot.setAttribute('aria-hidden', 'true');
		this._stateEl = span('status__state');
		this._detailEl = span('status__detail', '', true);
		this._timeEl = span('status__time', '', true);
		line.append(this._dot, this._stateEl, ' ', this._detailEl, ' ', this._timeEl);

		this._noteEl = document.createElement('div');
		this._noteEl.className = 'status__note';
		this._noteEl.hidden = true;

		el.append(line, ' ', this._noteEl);
	}

	// Public methods.

	/** One of 'connecting', 'live', 'waiting', 'outdated' (the connection's, in playback too). */
	get state() {
		return this._state;
	}

	/** Whether the line says playback (see setPlayback). */
	get inPlayback() {
		return this._playback !== null;
	}

	/** The whole status text, as read on screen. */
	get text() {
		return this._el.textContent.replace(/\s+/g, ' ').trim();
	}

	connecting() {
		return this._setState('connecting');
	}

	/** Live with `count` buses in view (or on route `route`, a label, when one is shown alone). */
	live(count, {route = null} = {}) {
		this._count = count;
		this._route = route;
		this._wasLive = true;
		return this._setState('live');
	}

	/** Waiting to reconnect at local time `retryAt` (ms since the epoch); counts down. */
	waiting(retryAt) {
		this._retryAt = retryAt;
		return this._setState('waiting');
	}

	/** The server speaks another protocol version: the page must be reloaded. Final. */
	outdated() {
		return this._setState('outdated');
	}

	/** The number of buses in view, or on route `route` (a label) when one is shown alone. */
	setCount(count, {route = null} = {}) {
		this._count = count;
		this._route = route;
		if (this._state === 'live') { this._render(); }
		return this;
	}

	/** Service time ("HH:MM:SS") and the clock's note (shown when the mode is "busiest" or
	 * "replay": no service now, or none today, so another time or day is shown). */
	setClock({time = '', mode = 'live', note = ''} = {}) {
		this._time = time;
		this._mode = mode;
		this._serverNote = note;
		this._render();
		return this;
	}

	/**
	 * Say it is playback at `seconds` after midnight of the service day (NaN: unknown), with the
	 * count of setCount; null: back to the connection's state.
	 */
	setPlayback(seconds) {
		this._playback = seconds ?? null;
		this._render();
		return this;
	}

	/**
	 * A further remark for the user, as a message key of i18n.js (e.g. `tilesUnavailable`, so
	 * that it follows the language); '' or null removes it.
	 */
	setRemark(key) {
		this._remark = key || null;
		this._render();
		return this;
	}

	/** Whether the browser is offline (`navigator.onLine` false): then, not live, the line says
	 * so, without a countdown (the page reconnects when the browser is back online). */
	setOffline(offline) {
		this._offline = Boolean(offline);
		this._render();
		return this;
	}

	/** Whether the line says it waits for live data (offline, or none came yet and reconnecting). */
	get waitsForData() {
		return this._waitsForData;
	}

	// Rendering.

	_setState(state) {
		if (this._state === 'outdated' && state !== 'outdated') { return this; }
		this._state = state;
		clearInterval(this._timer);
		this._timer = null;
		if (state === 'waiting') {
			this._timer = setInterval(() => this._render(), 250);
		}
		this._render();
		return this;
	}

	_render() {
		const t = (key, params) => this._i18n.t(key, params);
		const state = this._state;
		this._el.dataset.state = state;
		let label = state;
		let detail = '';
		if (state === 'connecting') {
			label = t('statusConnecting');
		} else if (state === 'live') {
			label = t('statusLive');
			detail = this._route === null
				? t('statusBuses', {count: this._count})
				: t('statusBusesOnRoute', {count: this._count, route: this._route});
		} else if (state === 'waiting') {
			const seconds = Math.max(0, Math.ceil((this._retryAt - this._now()) / 1000));
			label = t(this._wasLive ? 'statusReconnecting' : 'statusWaitingData');
			detail = t('statusCountdown', {count: seconds});
		} else if (state === 'outdated') {
			label = t('statusOutdated');
		}
		const offline = this._offline && (state === 'connecting' || state === 'waiting');
		if (offline) {
			label = t('statusOffline');
			detail = '';
		}
		this._waitsForData = offline || (state === 'waiting' && !this._wasLive);
		this._el.dataset.offline = String(offline);
		const playback = this._playback !== null && state !== 'outdated';
		let time = this._time && state === 'live' ? t('statusServiceTime', {time: this._i18n.digits(this._time)}) : '';
		if (playback) {
			this._el.dataset.state = 'playback';
			label = t('statusPlayback');
			detail = this._route === null
				? t('statusBuses', {count: this._count})
				: t('statusBusesOnRoute', {count: this._count, route: this._route});
			time = Number.isFinite(this._playback)
				? t('statusPlaybackAt', {time: this._i18n.digits(formatServiceTime(this._playback))}) : '';
		}
		setText(this._stateEl, label);
		setText(this._detailEl, detail);
		this._renderReload(state === 'outdated');
		// The service time moves on only while live; elsewhere it would be a stale one.
		setText(this._timeEl, time);
		// The server words its note in English; other languages say the gist in their own words.
		this._note = '';
		const gist = {busiest: 'statusBusiest', replay: 'statusReplay'}[this._mode];
		if (gist) {
			this._note = this._serverNote && this._i18n.lang === 'en' ? this._serverNote : t(gist);
		}
		this._extraNote = this._remark ? t(this._remark) : '';

		const notes = [this._note, this._extraNote].filter(Boolean).join(' · ');
		setText(this._noteEl, state === 'outdated' ? '' : notes);
		this._noteEl.hidden = !notes || state === 'outdated';
	}

	_renderReload(show) {
		if (show && !this._reload) {
			this._reload = document.createElement('button');
			this._reload.type = 'button';
			this._reload.className = 'status__reload';
			this._reload.addEventListener('click', () => location.reload());
			this._stateEl.after(' ', this._reload);
		}
		if (this._reload) { setText(this._reload, this._i18n.t('statusReload')); }
	}
}
