/**
 * A stop's next buses under its name in a list (My stops in the search box, Near me): one line
 * per bus, "[64] → Dadar · 3 min", live or timetabled told by an icon as in the stop panel (a
 * dot sending waves, a clock face) and in words for screen readers. Styles: glance.css.
 *
 * `GlanceLine` owns its element and updates it in place (`show`), touching the DOM only when
 * what it says changed; the list around it is the caller's.
 */

import {element, setText} from './dom.js';
import {whenText} from './arrivals.js';
import {i18n as sharedI18n} from './i18n.js';
import {routeChip} from './routeChip.js';

let lines = 0;

export class GlanceLine {
	/** @param {import('./i18n.js').I18n} [i18n] */
	constructor(i18n = sharedI18n) {
		this._i18n = i18n;
		lines += 1;
		this.element = element('span', 'glance', {id: `glance-${lines}`});
		this.element.hidden = true;
		this._buses = []; // the elements of each bus shown
		this._none = null;
		this._stamp = null;
	}

	/** The element's id (for `aria-describedby`). */
	get id() {
		return this.element.id;
	}

	/** What it shows, one text per bus ("64 → Dadar · 3 min"), or ["No bus soon"]; [] when hidden. */
	texts() {
		if (this.element.hidden) { return []; }
		const tidy = (el) => el.textContent.replace(/\s+/g, ' ').trim();
		return this._buses.length ? this._buses.map((b) => tidy(b.shown)) : [tidy(this._none)];
	}

	/**
	 * Show `buses` (glance.js's glanceBuses), [] as "no bus soon", null as nothing at all (no
	 * news of the stop yet).
	 */
	show(buses) {
		const t = (key, params) => this._i18n.t(key, params);
		const stamp = buses === null ? '' : JSON.stringify([this._i18n.lang, buses]);
		if (stamp === this._stamp) { return this; }
		this._stamp = stamp;
		this.element.hidden = buses === null;
		if (buses === null) { return this; }
		while (this._buses.length > buses.length) { this._buses.pop().li.remove(); }
		while (this._buses.length < buses.length) {
			const bus = this._bus();
			this._buses.push(bus);
			this.element.insertBefore(bus.li, this._none);
		}
		buses.forEach((bus, i) => this._fill(this._buses[i], bus));
		if (!buses.length && !this._none) {
			this._none = element('span', 'glance__none');
			this.element.append(this._none);
		}
		if (this._none) {
			this._none.hidden = buses.length > 0;
			setText(this._none, buses.length ? '' : t('glanceNone'));
		}
		return this;
	}

	_bus() {
		const li = element('span', 'glance__bus');
		const shown = element('span', 'glance__shown', {'aria-hidden': 'true'});
		const chip = routeChip({label: '', color: '#1565c0'});
		const headsign = element('span', 'glance__headsign');
		const when = element('span', 'glance__when');
		const icon = element('span', 'glance__icon');
		shown.append(chip, ' ', headsign, ' ', when, icon);
		const said = element('span', 'visually-hidden');
		li.append(shown, said);
		return {li, shown, chip, headsign, when, icon, said};
	}

	_fill(entry, bus) {
		const t = (key, params) => this._i18n.t(key, params);
		const kind = t(bus.live ? 'arrivalLive' : 'arrivalScheduled');
		const short = bus.when.kind === 'minutes' ? t('glanceIn', {count: bus.when.minutes})
			: whenText(this._i18n, bus.when, () => '');
		setText(entry.chip, bus.route);
		entry.chip.style.setProperty('--route-color', bus.color);
		setText(entry.headsign, t('glanceTo', {headsign: bus.headsign}));
		setText(entry.when, `· ${short}`);
		entry.icon.title = kind;
		entry.li.classList.toggle('glance__bus--live', bus.live);
		entry.li.classList.toggle('glance__bus--now', bus.when.kind === 'now');
		setText(entry.said, t('arrivalRow', {
			route: bus.route, headsign: bus.headsign, when: whenText(this._i18n, bus.when, () => ''), kind,
		}));
	}
}
