/**
 * The service alerts in force (`GET /api/alerts`, fed by the server's GTFS-realtime Alerts
 * feeds in): fetched on start and every minute, and asked for by stop or by route.
 *
 * An alert applies to a stop it names, to a route it names, and, when it names the whole
 * agency, everywhere. Texts come with the feed's translations: `textOf` picks the page's
 * language, else the untranslated text, else English, else whatever there is.
 *
 * Network I/O (through api.js) and state only: no DOM.
 */

import {fetchAlerts, isAbort} from './api.js';

export const REFRESH_MS = 60000;

/** The text of a translated string `{lang: text}` for language `lang` ('' when none). */
export function textOf(texts, lang) {
	if (!texts) { return ''; }
	return texts[lang] ?? texts[''] ?? texts.en ?? Object.values(texts)[0] ?? '';
}

export class Alerts {
	/**
	 * @param {object} [options]
	 * @param {Function} [options.fetch] `() => Promise<{alerts}>` (default: api.js's fetchAlerts)
	 * @param {number} [options.refreshMs]
	 */
	constructor({fetch = fetchAlerts, refreshMs = REFRESH_MS} = {}) {
		this._fetch = fetch;
		this._refreshMs = refreshMs;
		this._list = [];
		this._listeners = [];
		this._timer = null;
	}

	/** Fetch now, then every `refreshMs`. */
	start() {
		this.refresh();
		this._timer = setInterval(() => this.refresh(), this._refreshMs);
		return this;
	}

	/** Fetch the alerts again (a failed fetch keeps the last ones). */
	async refresh() {
		try {
			const {alerts} = await this._fetch();
			const before = JSON.stringify(this._list);
			this._list = alerts ?? [];
			if (JSON.stringify(this._list) !== before) {
				for (const listener of this._listeners) { listener(); }
			}
		} catch (error) {
			if (!isAbort(error)) { console.warn('bustrack: alerts not fetched:', error.message); }
		}
	}

	/** Call `listener()` whenever the alerts change. */
	onChange(listener) {
		this._listeners.push(listener);
	}

	/** Every alert in force. */
	get all() {
		return this._list;
	}

	/** The alerts for stop `stopId` (and the agency-wide ones). */
	forStop(stopId) {
		return stopId ? this._list.filter((a) => a.everywhere || a.stops.includes(stopId)) : [];
	}

	/** The alerts for route `routeId` (and the agency-wide ones). */
	forRoute(routeId) {
		return routeId ? this._list.filter((a) => a.everywhere || a.routes.includes(routeId)) : [];
	}
}
