/**
 * A stop's next buses: the stop panel (a view of the sheet, sheet.js). Opened from a stop's
 * popup ("Arrivals"), from choosing a stop in the search box, or from the list view; while open,
 * the page is subscribed to the stop (docs/protocol.md, `arrivals`) and each board the server
 * sends updates the list in place (arrivals.js decides what each row says; rows are keyed, so a
 * row keeps its element and the keyboard focus). Minutes are counted on the server's clock and
 * redrawn every second between boards.
 *
 * Each row: the route's chip (its colour), where the bus goes, when it comes ("in 4 min", "now"
 * — only for a live bus that reports —, "no signal — timetable 10:45"), and whether that is
 * "Live" or "Scheduled" in words and with an icon (not by colour alone), ± minutes when the
 * prediction is uncertain. A row with a bus on the road is a button: choosing it shows that bus
 * (`onChoose`). A polite live region says when the first bus's minutes change, sparingly
 * (arrivals.js's Announcer).
 *
 * Service alerts for the stop (`setAlerts`, from alerts.js) show as a banner above the rows.
 *
 * Owns the DOM inside its element; subscribing and showing buses are the caller's business.
 */

import {element, setText, viewFrame} from './dom.js';
import {AlertBanner} from './alertBanner.js';
import {Announcer, arrivalRows, diffKeys, whenText} from './arrivals.js';
import {i18n as sharedI18n} from './i18n.js';
import {routeChip} from './routeChip.js';
import {stars as sharedStars} from './stars.js';

/** A board older than this (local ms) is no longer "fresh": no "now" is shown from it. */
export const FRESH_MS = 15000;

let panels = 0;

export class StopPanel {
	/**
	 * @param {object} options
	 * @param {Function} options.now `() => ms`: the server's clock now
	 * @param {Function} [options.timeOf] `(ms) => "HH:MM"`: a server time as the service's time of day
	 * @param {Function} [options.isStale] `(vehicleId) => boolean`: the page sees that bus as stale
	 * @param {Function} [options.onChoose] `(row) => void`: a row with a bus was chosen
	 * @param {Function} [options.onClose] `() => void`: the close button was pressed
	 * @param {Function} [options.localNow] a Date.now stand-in (for freshness and the announcer)
	 * @param {import('./i18n.js').I18n} [options.i18n]
	 * @param {import('./stars.js').Stars} [options.stars] My stops (the star button)
	 * @param {Function} [options.onRemind] `(row, stop) => Promise|void`: a row's bell ("notify me
	 *   5 min before", reminders.js) was pressed; without it the rows have no bell
	 * @param {Function} [options.isReminded] `(stopId, key) => boolean`: a reminder is set on that row
	 */
	constructor({now, timeOf = () => '', isStale = () => false, onChoose = () => {}, onClose = () => {},
		localNow = Date.now, i18n = sharedI18n, stars = sharedStars, onRemind = null, isReminded = () => false}) {
		this._onRemind = onRemind;
		this._isReminded = isReminded;
		this._stars = stars;
		this._now = now;
		this._timeOf = timeOf;
		this._isStale = isStale;
		this._onChoose = onChoose;
		this._onClose = onClose;
		this._localNow = localNow;
		this._i18n = i18n;
		this._stop = null;
		this._board = null; // the latest decoded `arrivals` frame for this stop
		this._boardAt = 0; // local time it came
		this._boards = 0; // boards received since opening
		this._connected = true;
		this._notice = null; // [key] of the notice shown, or null
		this._chosen = null; // the vehicle id of the bus shown on the map (its popup is open)
		this._rows = new Map(); // key → {li, row, actionable}
		this._order = [];
		this._announcer = new Announcer();
		this._timer = null;
		panels += 1;
		this._id = `stop-panel-${panels}`;
		this._build();
		i18n.onChange(() => this._render(true));
	}

	_build() {
		const {section, head, title, subtitle, close, scroll} =
			viewFrame('stop-panel', this._id, () => this._onClose(), {subtitle: true});
		this.element = section;
		this._title = title;
		this._subtitle = subtitle;
		this._close = close;
		// My stops (stars.js): a toggle button, its state in aria-pressed and in the ★/☆.
		this._star = element('button', 'view__close stop-panel__star', {type: 'button', 'aria-pressed': 'false'});
		this._star.addEventListener('click', () => {
			if (this._stop) { this._stars.toggle(this._stop); }
			this._syncStar();
		});
		head.insertBefore(this._star, close);

		this._noticeEl = element('p', 'stop-panel__notice', {role: 'status'});
		this._noticeEl.hidden = true;
		this._list = element('ol', 'arrivals');
		this._empty = element('p', 'stop-panel__empty');
		this.alertBanner = new AlertBanner(null, this._i18n);
		scroll.append(this.alertBanner.element, this._noticeEl, this._list, this._empty);
		this._live = element('div', 'visually-hidden', {'aria-live': 'polite'});
		this.element.append(this._live);

		this._list.addEventListener('click', (e) => {
			const bell = e.target.closest('button[data-remind]');
			const reminded = bell && this._rows.get(bell.dataset.remind);
			if (reminded) {
				Promise.resolve(this._onRemind(reminded.row, this._stop)).finally(() => this._render(true));
				return;
			}
			const button = e.target.closest('button[data-key]');
			const entry = button && this._rows.get(button.dataset.key);
			if (entry?.row.vehicle) { this._onChoose(entry.row); }
		});
		this.element.addEventListener('keydown', (e) => {
			if (e.key === 'Escape') {
				e.preventDefault();
				this._onClose();
			}
		});
	}

	// Public methods.

	/** The stop shown (`{id, name, lat, lon}`), or null. */
	get stop() {
		return this._stop;
	}

	/** How many boards came since the panel opened. */
	get boardCount() {
		return this._boards;
	}

	/** The heading (focus it to bring a keyboard user into the panel). */
	get heading() {
		return this._title;
	}

	/** The rows as shown: `[{key, vehicle, routeId, route, headsign, live, eta, when, minutes, text}]`. */
	rows() {
		return this._order.map((key) => {
			const {li, row} = this._rows.get(key);
			return {key, vehicle: row.vehicle, routeId: row.routeId, route: row.route, headsign: row.headsign,
				live: row.live, eta: row.eta, when: row.when.kind, minutes: row.when.minutes,
				text: li.textContent.replace(/\s+/g, ' ').trim()};
		});
	}

	/** Show stop `stop` (`{id, name, lat?, lon?}`); its arrivals come with the next board. */
	open(stop) {
		const same = this._stop?.id === stop.id;
		this._stop = {...stop};
		if (!same) {
			this._board = null;
			this._boards = 0;
			this._notice = null;
			this._announcer.reset();
			this._clearRows();
		}
		clearInterval(this._timer);
		this._timer = setInterval(() => this._render(), 1000);
		this._render(true);
		return this;
	}

	_syncStar() {
		const on = Boolean(this._stop && this._stars.has(this._stop.id));
		this._star.textContent = on ? '★' : '☆';
		this._star.setAttribute('aria-pressed', String(on));
		const label = this._t('starStop');
		this._star.setAttribute('aria-label', label);
		this._star.title = this._t(on ? 'starStopOn' : 'starStopOff');
	}

	/** Forget the stop (the panel is closed). */
	close() {
		clearInterval(this._timer);
		this._timer = null;
		this._stop = null;
		this._board = null;
		this._clearRows();
		this.alertBanner.show([]);
		return this;
	}

	/** A decoded `arrivals` frame; ignored unless it is for the stop shown. */
	setBoard(board) {
		if (!this._stop || board.stop.id !== this._stop.id) { return this; }
		this._board = board;
		this._boardAt = this._localNow();
		this._boards += 1;
		if (board.stop.name) { this._stop.name = board.stop.name; }
		if (this._notice?.[0] === 'arrivalsUnknownStop') { this._notice = null; }
		this._render(true);
		return this;
	}

	/** Whether the page is connected to the server (else the panel says it is not updating). */
	setConnected(connected) {
		if (connected === this._connected) { return this; }
		this._connected = connected;
		this._render(true);
		return this;
	}

	/** The bus whose popup is open (null: none): its row is marked as the current one. */
	setChosen(vehicleId) {
		this._chosen = vehicleId ?? null;
		for (const entry of this._rows.values()) { this._markChosen(entry); }
		return this;
	}

	_markChosen(entry) {
		const chosen = entry.row.vehicle !== null && entry.row.vehicle === this._chosen;
		entry.li.classList.toggle('arrival--chosen', chosen);
		if (chosen) {
			entry.main.setAttribute('aria-current', 'true');
		} else {
			entry.main.removeAttribute('aria-current');
		}
	}

	/** The service alerts for the stop shown (alerts.js's `forStop`); [] for none. */
	setAlerts(alerts) {
		this.alertBanner.show(alerts);
		return this;
	}

	/** Show a notice (a message key of i18n.js: `arrivalFinding`, `arrivalBusGone`, …); null clears it. */
	setNotice(key) {
		this._notice = key ? [key] : null;
		this._render(true);
		return this;
	}

	// Rendering.

	_t(key, params) {
		return this._i18n.t(key, params);
	}

	_fresh() {
		return this._connected && this._board !== null && this._localNow() - this._boardAt < FRESH_MS;
	}

	_render(all = false) {
		if (!this._stop) { return; }
		const t = (key, params) => this._t(key, params);
		if (all) {
			setText(this._title, this._stop.name);
			setText(this._subtitle, t('arrivalsHeading'));
			this._close.setAttribute('aria-label', t('arrivalsClose'));
			this._close.title = t('arrivalsClose');
			this._syncStar();
			this._list.setAttribute('aria-label', t('arrivalsListLabel', {stop: this._stop.name}));
		}
		const notice = this._connected ? this._notice?.[0] : 'arrivalsOffline';
		setText(this._noticeEl, notice ? t(notice) : '');
		this._noticeEl.hidden = !notice;

		const board = this._board;
		const rows = board ? arrivalRows(board.arrivals, {
			now: this._now(), isStale: this._isStale, fresh: this._fresh(),
		}) : [];
		setText(this._empty, board === null ? t('arrivalsWaiting') : (rows.length ? '' : t('arrivalsNone')));
		this._empty.hidden = board !== null && rows.length > 0;
		this._list.hidden = rows.length === 0;
		this._update(rows, all);
		const first = rows[0];
		if (board && this._announcer.shouldSpeak(first, this._localNow())) {
			this._say(t('arrivalAnnounce', {
				stop: this._stop.name, route: first.route, headsign: first.headsign, when: this._whenText(first),
			}));
		}
	}

	_whenText(row) {
		return whenText(this._i18n, row.when, this._timeOf);
	}

	/** Bring the list's elements in line with `rows`, in place. */
	_update(rows, all) {
		const keys = rows.map((r) => r.key);
		const {removed, moved} = diffKeys(this._order, keys);
		const focused = document.activeElement;
		let refocus = null;
		for (const key of removed) {
			const {li} = this._rows.get(key);
			if (li.contains(focused)) { refocus = 'heading'; }
			li.remove();
			this._rows.delete(key);
		}
		for (const row of rows) {
			let entry = this._rows.get(row.key);
			const actionable = row.vehicle !== null;
			if (entry && entry.actionable !== actionable) {
				if (entry.li.contains(focused)) { refocus = row.key; }
				entry.li.remove();
				this._rows.delete(row.key);
				entry = undefined;
			}
			if (!entry) {
				entry = this._createRow(row);
				this._rows.set(row.key, entry);
			}
			this._fillRow(entry, row, all);
			this._markChosen(entry);
		}
		// Order: append in the new order (only when it changed or rows came), keeping focus.
		const inOrder = keys.every((key, i) => this._list.children[i] === this._rows.get(key).li);
		if (!inOrder || moved) {
			for (const key of keys) {
				const {li} = this._rows.get(key);
				if (li.contains(focused) && refocus === null) { refocus = key; }
				this._list.append(li);
			}
		}
		this._order = keys;
		if (refocus === 'heading') {
			this._title.focus({preventScroll: true});
		} else if (refocus !== null && this._rows.has(refocus)) {
			this._rows.get(refocus).li.querySelector('button, .arrival__row')?.focus({preventScroll: true});
		}
	}

	_createRow(row) {
		const li = element('li', 'arrival');
		const actionable = row.vehicle !== null;
		const main = element(actionable ? 'button' : 'div', 'arrival__row');
		if (actionable) {
			main.type = 'button';
			main.dataset.key = row.key;
		}
		const chip = routeChip({label: row.route, color: row.color});
		chip.setAttribute('aria-hidden', String(actionable));
		const text = element('span', 'arrival__text');
		const headsign = element('span', 'arrival__headsign');
		const meta = element('span', 'arrival__meta');
		const kind = element('span', 'arrival__kind');
		const icon = element('span', 'arrival__icon', {'aria-hidden': 'true'});
		const kindText = element('span', 'arrival__kind-text');
		kind.append(icon, kindText);
		const unc = element('span', 'arrival__unc');
		meta.append(kind, ' ', unc);
		// (The spaces keep the words apart for screen readers; the grid ignores them.)
		text.append(headsign, ' ', meta);
		const when = element('span', 'arrival__when');
		main.append(chip, ' ', text, ' ', when);
		li.append(main);
		let bell = null;
		if (this._onRemind) {
			bell = element('button', 'arrival__remind', {type: 'button', 'aria-pressed': 'false'});
			bell.dataset.remind = row.key;
			bell.innerHTML = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false" ' +
				'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">' +
				'<path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9"/><path d="M10.3 21a1.94 1.94 0 0 0 3.4 0"/></svg>';
			li.classList.add('arrival--remindable');
			li.append(bell);
		}
		return {li, main, chip, headsign, kindText, unc, when, actionable, row, bell, filled: ''};
	}

	_fillRow(entry, row, all) {
		const t = (key, params) => this._t(key, params);
		entry.row = row;
		const whenWords = this._whenText(row);
		const kindWords = t(row.live ? 'arrivalLive' : 'arrivalScheduled');
		let unc = row.uncertainty ? t('arrivalUncertainty', {count: row.uncertainty}) : '';
		if (!row.live && row.when.kind !== 'noSignal' && Math.abs(row.eta - row.when.scheduled) < 60000) {
			// A timetabled bus expected on time: its time too (a late one only says when it comes).
			const time = this._timeOf(row.when.scheduled);
			unc = time ? t('arrivalAt', {time}) : '';
		}
		if (row.occupancy) {  // how full the coming bus is, when known
			unc = [unc, t(`occupancy_${row.occupancy}`)].filter(Boolean).join(' · ');
		}
		const reminded = Boolean(entry.bell && this._isReminded(this._stop.id, row.key));
		const stamp = [row.route, row.color, row.headsign, whenWords, kindWords, unc, row.when.kind, row.live,
			reminded].join('|');
		if (!all && stamp === entry.filled) { return; }
		entry.filled = stamp;
		setText(entry.chip, row.route);
		entry.chip.style.setProperty('--route-color', row.color);
		setText(entry.headsign, t('busHeadsign', {headsign: row.headsign}));
		setText(entry.kindText, kindWords);
		setText(entry.unc, unc);
		entry.unc.hidden = !unc;
		setText(entry.when, whenWords);
		entry.li.dataset.kind = row.when.kind;
		entry.li.classList.toggle('arrival--live', row.live);
		entry.li.classList.toggle('arrival--scheduled', !row.live && row.when.kind !== 'noSignal');
		entry.li.classList.toggle('arrival--no-signal', row.when.kind === 'noSignal');
		if (entry.actionable) {
			const name = t('arrivalRow', {route: row.route, headsign: row.headsign, when: whenWords, kind: kindWords});
			entry.main.setAttribute('aria-label', unc ? `${name}, ${unc}` : name);
			entry.main.title = t('arrivalShowBus');
		}
		if (entry.bell) {
			entry.bell.setAttribute('aria-pressed', String(reminded));
			entry.bell.setAttribute('aria-label', t('remindLabel', {route: row.route, headsign: row.headsign}));
			entry.bell.title = t(reminded ? 'remindButtonOn' : 'remindButton');
		}
	}

	_clearRows() {
		this._list.textContent = '';
		this._rows.clear();
		this._order = [];
	}

	_say(text) {
		// Said again even when the same: clear first.
		this._live.textContent = '';
		setTimeout(() => { this._live.textContent = text; }, 50);
	}
}
