/**
 * The status line: connection state, bus count, service time and the clock's note.
 *
 * Owns the DOM inside its element and nothing else. The element is a polite live region;
 * the parts that change every second (count, countdown, time) are marked `aria-live="off"`
 * so that screen readers announce state changes, not every tick.
 */

const OUTDATED = 'The server was updated — reload the page';

function span(className, text = '', quiet = false) {
	const el = document.createElement('span');
	el.className = className;
	el.textContent = text;
	if (quiet) { el.setAttribute('aria-live', 'off'); }
	return el;
}

function setText(el, text) {
	if (el.textContent !== text) { el.textContent = text; }
}

export class StatusLine {
	/**
	 * @param {HTMLElement} element the status container (with role="status")
	 * @param {object} [options]
	 * @param {Function} [options.now] a Date.now stand-in
	 */
	constructor(element, {now = Date.now} = {}) {
		this._el = element;
		this._now = now;
		this._state = 'connecting';
		this._count = 0;
		this._retryAt = null;
		this._timer = null;
		this._time = '';
		this._note = '';
		this._extraNote = '';
		this._build();
		this.connecting();
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

	/** One of 'connecting', 'live', 'waiting', 'outdated'. */
	get state() {
		return this._state;
	}

	/** The whole status text, as read on screen. */
	get text() {
		return this._el.textContent.replace(/\s+/g, ' ').trim();
	}

	connecting() {
		return this._setState('connecting');
	}

	/** Live with `count` buses. */
	live(count) {
		this._count = count;
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

	/** The number of buses shown. */
	setCount(count) {
		this._count = count;
		if (this._state === 'live') { this._render(); }
		return this;
	}

	/** Service time ("HH:MM:SS") and the clock's note (shown when the mode is "busiest"). */
	setClock({time = '', mode = 'live', note = ''} = {}) {
		this._time = time;
		this._note = mode === 'busiest'
			? (note || 'No service now: showing the busiest time of day')
			: '';
		this._render();
		return this;
	}

	/** A further remark for the user (e.g. that map tiles cannot be loaded); '' removes it. */
	setRemark(text) {
		this._extraNote = text;
		this._render();
		return this;
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
		const state = this._state;
		this._el.dataset.state = state;
		let label = state;
		let detail = '';
		if (state === 'connecting') {
			label = 'connecting…';
		} else if (state === 'live') {
			detail = `· ${this._count} ${this._count === 1 ? 'bus' : 'buses'}`;
		} else if (state === 'waiting') {
			const seconds = Math.max(0, Math.ceil((this._retryAt - this._now()) / 1000));
			label = 'reconnecting in';
			detail = `${seconds}s…`;
		} else if (state === 'outdated') {
			label = OUTDATED;
		}
		setText(this._stateEl, label);
		setText(this._detailEl, detail);
		this._renderReload(state === 'outdated');
		// The service time moves on only while live; elsewhere it would be a stale one.
		setText(this._timeEl, this._time && state === 'live' ? `· service time ${this._time}` : '');

		const notes = [this._note, this._extraNote].filter(Boolean).join(' · ');
		setText(this._noteEl, state === 'outdated' ? '' : notes);
		this._noteEl.hidden = !notes || state === 'outdated';
	}

	_renderReload(show) {
		if (show && !this._reload) {
			this._reload = document.createElement('button');
			this._reload.type = 'button';
			this._reload.className = 'status__reload';
			this._reload.textContent = 'Reload';
			this._reload.addEventListener('click', () => location.reload());
			this._stateEl.after(' ', this._reload);
		}
	}
}
