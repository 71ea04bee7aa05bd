/**
 * "Notify me 5 min before" on the page: the stop panel's bell on a bus's row sets a reminder
 * (notify.js); permission for notifications is asked then, and only then. Once a second the
 * reminders due are fired: a system notification where granted (while the tab is open: there is
 * no push server), else an in-page banner (role="alert") over the map. When permission is
 * refused or the browser has none, the banner says so as the reminder is set.
 *
 * The reminders outlive a reload (reminderStore.js, localStorage): set again as the page opens
 * (the expired ones dropped), their bells on in the stop's panel; another tab's changes are
 * taken in. `watchedStop()` is the stop whose arrivals the page asks for while no panel is open,
 * so that the soonest reminder's ETA stays fresh (main.js); `stops()` are asked for at a glance
 * too, and `updateGlance` takes each reminder's ETA from its stop's `glance` rows (by trip), so
 * that every reminder's stays fresh, whatever its stop.
 *
 * Owns its banner element (appended to `parent`); the clock (`now`, server ms) is the caller's.
 */

import {element, setText} from './dom.js';
import {i18n as sharedI18n} from './i18n.js';
import {askPermission, permissionState, Reminders} from './notify.js';
import {loadReminders, REMINDERS_KEY, saveReminders} from './reminderStore.js';

export class ReminderCenter {
	/**
	 * @param {object} options
	 * @param {Function} options.now `() => ms`: the server's clock now
	 * @param {Reminders} [options.reminders]
	 * @param {Function} [options.Notification] the Notification API (undefined: none)
	 * @param {HTMLElement} [options.parent] where the banner goes
	 * @param {import('./i18n.js').I18n} [options.i18n]
	 * @param {Storage|null} [options.storage] where the reminders are kept (null: this page only)
	 * @param {Window} [options.win] told of other tabs' changes (`storage` events)
	 */
	constructor({now, reminders = new Reminders(), Notification = globalThis.Notification, parent = document.body,
		i18n = sharedI18n, storage = null, win = globalThis}) {
		this.reminders = reminders;
		this._storage = storage;
		let restoring = false;
		reminders.onChange(() => {
			if (!restoring) { saveReminders(storage, reminders.list()); }
		});
		reminders.restore(loadReminders(storage, now())); // the expired ones go from the storage too
		win.addEventListener?.('storage', (e) => {
			if (e.key !== REMINDERS_KEY || e.storageArea !== storage) { return; }
			restoring = true; // set, fired or cancelled in another tab: nothing to write back
			try {
				reminders.restore(loadReminders(storage, now()));
			} finally {
				restoring = false;
			}
		});
		this._now = now;
		this._N = Notification;
		this._i18n = i18n;
		this._message = null; // [key, params] shown in the banner
		this._fired = 0;
		this._banner = element('div', 'reminder-banner', {role: 'status'});
		this._banner.hidden = true;
		this._text = element('p', 'reminder-banner__text');
		this._dismiss = element('button', 'reminder-banner__dismiss', {type: 'button'});
		this._dismiss.addEventListener('click', () => this._show(null));
		this._banner.append(this._text, this._dismiss);
		parent.append(this._banner);
		i18n.onChange(() => this._render());
		this._timer = setInterval(() => this.check(), 1000);
	}

	/** How many reminders fired (as notifications or banners). */
	get firedCount() {
		return this._fired;
	}

	/** The stop of the reminder whose bus comes first (its arrivals keep its ETA fresh), or null. */
	watchedStop() {
		return this.reminders.soonest()?.stopId ?? null;
	}

	/** The stops of the reminders, each once, that of the soonest bus first (asked for at a glance). */
	stops() {
		return this.reminders.stops();
	}

	/** A decoded `glance` frame's `stops` (Map: stop id → `[{trip, eta}]`): the reminders' ETAs move, kept. */
	updateGlance(stops) {
		let moved = 0;
		for (const [stopId, buses] of stops) { moved += this.reminders.updateTrips(stopId, buses); }
		if (moved) { saveReminders(this._storage, this.reminders.list()); }
		return this;
	}

	/** Call `listener()` whenever reminders are set or go (restored, fired, cancelled). */
	onChange(listener) {
		this.reminders.onChange(listener);
		return this;
	}

	/** The arrivals of a board of stop `stopId` (`[{key, eta}]`): the reminders' ETAs move, kept. */
	update(stopId, arrivals) {
		if (this.reminders.update(stopId, arrivals)) { saveReminders(this._storage, this.reminders.list()); }
		return this;
	}

	/** The banner's text, or '' when hidden. */
	get bannerText() {
		return this._banner.hidden ? '' : this._text.textContent;
	}

	/**
	 * Set or cancel the reminder on `row` (stopPanel's row: `{key, route, headsign, eta}`) at
	 * `stop`; asks for permission when setting one. Resolves to whether it is set.
	 */
	async toggle(stop, row) {
		const on = this.reminders.toggle({stopId: stop.id, stopName: stop.name, key: row.key, vehicle: row.vehicle,
			routeId: row.routeId, route: row.route, headsign: row.headsign, eta: row.eta});
		if (!on) {
			this._show(null);
			return false;
		}
		const state = await askPermission(this._N);
		const key = {granted: 'remindSet', denied: 'remindDenied'}[state] ?? 'remindUnsupported';
		this._show([key, {route: row.route, stop: stop.name}], key === 'remindSet' ? 'status' : 'alert');
		this.check();
		return true;
	}

	/** Fire the reminders due now. */
	check() {
		for (const r of this.reminders.due(this._now())) {
			this._fired += 1;
			const body = r.minutes > 0 ? ['remindBody', {stop: r.stopName, count: r.minutes}] : ['remindBodyNow', {stop: r.stopName}];
			const title = this._i18n.t('remindTitle', {route: r.route, headsign: r.headsign});
			if (permissionState(this._N) === 'granted') {
				try {
					new this._N(title, {body: this._i18n.t(...body), tag: `bustrack-${r.stopId}-${r.key}`, lang: this._i18n.lang});
					continue;
				} catch (error) {
					// Some browsers (Chrome on Android) allow notifications only from a service worker.
					console.warn('bustrack: could not show a notification:', error?.message);
				}
			}
			this._show(['remindFired', {title, body}], 'alert');
		}
	}

	_show(message, role = 'status') {
		this._message = message;
		this._banner.setAttribute('role', role);
		this._render();
	}

	_render() {
		const t = (key, params) => this._i18n.t(key, params);
		this._dismiss.textContent = '✕';
		this._dismiss.setAttribute('aria-label', t('remindDismiss'));
		this._dismiss.title = t('remindDismiss');
		if (!this._message) {
			this._banner.hidden = true;
			return;
		}
		const [key, params] = this._message;
		const text = key === 'remindFired' ? `${params.title}: ${t(...params.body)}` : t(key, params);
		setText(this._text, text);
		this._banner.hidden = false;
	}
}
