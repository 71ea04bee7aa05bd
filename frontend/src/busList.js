/**
 * The list view: what is in view, as lists a keyboard or a screen reader can use (the map is
 * not the only way to the buses and stops). A view of the sheet (sheet.js), toggled by the
 * toolbar's "List" button.
 *
 * - Buses in view: route, where it goes, its next stop when the server told it (the popup's
 *   details), and how old its data is ("no signal" for a bus gone silent); at most `maxBuses`,
 *   the nearest the centre of the map, listed by route so that rows do not jump about. Choosing
 *   one opens its popup.
 * - Stops in view (from zoom 15, where the map draws them), with the routes that stop there (which
 *   tells the two sides of a road apart): choosing one opens its next buses.
 *
 * Updated in place once a second and after the map moves (rows are keyed: the focus stays on
 * its row, and nothing here is a live region, so nothing is read out by itself).
 *
 * Owns the DOM inside its element; where the rows come from is the caller's (`source`).
 */

import {element, setShownText, viewFrame} from './dom.js';
import {i18n as sharedI18n} from './i18n.js';
import {routeChip} from './routeChip.js';

let lists = 0;

const collator = new Intl.Collator('en', {numeric: true, sensitivity: 'base'});

/** A stop's row names at most this many of its routes. */
const MAX_ROUTE_LABELS = 8;

/** Order buses by route label (numbers by value), then headsign, then id. */
export function byRoute(a, b) {
	return collator.compare(a.route, b.route) || collator.compare(a.headsign, b.headsign) ||
		(a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Update `ul`'s rows in place to `items` (each with a string `id`): rows of ids that went are
 * removed, new ones made with `make(item)`, every row filled with `fill(li, item)`, and the
 * order set without moving rows that are already in place. Returns the new Map id → li.
 */
export function syncRows(ul, rows, items, make, fill) {
	const next = new Map();
	const focused = document.activeElement;
	let refocus = null;
	for (const item of items) {
		let li = rows.get(item.id);
		if (!li) { li = make(item); }
		fill(li, item);
		next.set(item.id, li);
	}
	for (const [id, li] of rows) {
		if (!next.has(id)) {
			// The row with the focus stays until the focus leaves it (it is marked gone).
			if (li.contains(focused)) {
				next.set(id, li);
				li.classList.add('list-row--gone');
			} else {
				li.remove();
			}
		}
	}
	let i = 0;
	for (const li of next.values()) {
		if (ul.children[i] !== li) {
			if (li.contains(focused)) { refocus = focused; }
			ul.insertBefore(li, ul.children[i] ?? null);
		}
		i += 1;
	}
	refocus?.focus({preventScroll: true});
	return next;
}

export class BusList {
	/**
	 * @param {object} options
	 * @param {Function} options.source `() => {buses, busCount, stops, stopCount, stopsShown}`:
	 *   `buses` `[{id, route, color, headsign, nextStop, ageMs, stale}]` (those to list),
	 *   `busCount` how many are in view, `stops` `[{id, name, lat, lon, routeLabels}]`, `stopCount`, and
	 *   `stopsShown` whether the map shows stops at this zoom
	 * @param {Function} options.onBus `(id) => void`
	 * @param {Function} options.onStop `(stop) => void`
	 * @param {Function} options.onClose `() => void`
	 * @param {import('./i18n.js').I18n} [options.i18n]
	 */
	constructor({source, onBus, onStop, onClose, i18n = sharedI18n}) {
		this._source = source;
		this._onBus = onBus;
		this._onStop = onStop;
		this._onClose = onClose;
		this._i18n = i18n;
		this._busRows = new Map();
		this._stopRows = new Map();
		this._stops = new Map();
		this._timer = null;
		lists += 1;
		this._id = `bus-list-${lists}`;
		this._build();
		i18n.onChange(() => this.refresh());
	}

	_build() {
		const id = this._id;
		const {section, title, close, scroll} = viewFrame('bus-list', id, () => this._onClose());
		this.element = section;
		this._title = title;
		this._close = close;
		this._busHeading = element('h3', 'list__heading', {id: `${id}-buses`});
		this._busNote = element('p', 'list__note');
		this._busList = element('ul', 'list-rows', {'aria-labelledby': `${id}-buses`});
		this._stopHeading = element('h3', 'list__heading', {id: `${id}-stops`});
		this._stopNote = element('p', 'list__note');
		this._stopList = element('ul', 'list-rows', {'aria-labelledby': `${id}-stops`});
		scroll.append(this._busHeading, this._busNote, this._busList, this._stopHeading, this._stopNote, this._stopList);

		this._busList.addEventListener('click', (e) => {
			const button = e.target.closest('button[data-id]');
			if (button) { this._onBus(button.dataset.id); }
		});
		this._stopList.addEventListener('click', (e) => {
			const button = e.target.closest('button[data-id]');
			const stop = button && this._stops.get(button.dataset.id);
			if (stop) { this._onStop(stop); }
		});
		this.element.addEventListener('keydown', (e) => {
			if (e.key === 'Escape') {
				e.preventDefault();
				this._onClose();
			}
		});
		// A row whose bus left the view goes once the focus leaves it.
		this.element.addEventListener('focusout', () => setTimeout(() => this.refresh(), 0));
	}

	// Public methods.

	/** The heading (focus it to bring a keyboard user into the list). */
	get heading() {
		return this._title;
	}

	/** Start keeping the list current (once a second). */
	start() {
		clearInterval(this._timer);
		this._timer = setInterval(() => this.refresh(), 1000);
		this.refresh();
		return this;
	}

	stop() {
		clearInterval(this._timer);
		this._timer = null;
		return this;
	}

	/** The ids of the buses listed, in order. */
	busIds() {
		return [...this._busRows.keys()];
	}

	/** The ids of the stops listed, in order. */
	stopIds() {
		return [...this._stopRows.keys()];
	}

	/** Redraw from `source()`. */
	refresh() {
		const t = (key, params) => this._i18n.t(key, params);
		const {buses, busCount, stops, stopCount, stopsShown} = this._source();
		setShownText(this._title, t('listHeading'));
		this._close.setAttribute('aria-label', t('listClose'));
		this._close.title = t('listClose');

		setShownText(this._busHeading, t('listBuses', {count: busCount}));
		setShownText(this._busNote, busCount === 0 ? t('busesNone') :
			(buses.length < busCount ? t('listNearestBuses', {count: buses.length}) : ''));
		const sorted = [...buses].sort(byRoute);
		this._busRows = syncRows(this._busList, this._busRows, sorted, (bus) => this._makeBusRow(bus),
			(li, bus) => this._fillBusRow(li, bus));
		this._busList.hidden = sorted.length === 0;

		setShownText(this._stopHeading, t('listStops'));
		let note = '';
		if (!stopsShown) {
			note = t('listStopsZoom');
		} else if (stopCount === 0) {
			note = t('listNoStops');
		} else if (stops.length < stopCount) {
			note = t('listNearestStops', {count: stops.length});
		}
		setShownText(this._stopNote, note);
		const listed = stopsShown ? [...stops].sort((a, b) => collator.compare(a.name, b.name)) : [];
		this._stops = new Map(listed.map((stop) => [stop.id, stop]));
		this._stopRows = syncRows(this._stopList, this._stopRows, listed, (stop) => this._makeStopRow(stop),
			(li, stop) => this._fillStopRow(li, stop));
		this._stopList.hidden = listed.length === 0;
		return this;
	}

	// Rows.

	_makeBusRow(bus) {
		const li = element('li', 'list-row');
		const button = element('button', 'list-row__button', {type: 'button'});
		button.dataset.id = bus.id;
		const chip = routeChip({label: bus.route, color: bus.color});
		const text = element('span', 'list-row__text');
		const line1 = element('span', 'list-row__title');
		const line2 = element('span', 'list-row__meta');
		text.append(line1, line2);
		button.append(chip, text);
		li.append(button);
		li._parts = {button, chip, line1, line2};
		return li;
	}

	_fillBusRow(li, bus) {
		const t = (key, params) => this._i18n.t(key, params);
		const {chip, line1, line2} = li._parts;
		li.classList.remove('list-row--gone');
		setShownText(chip, bus.route);
		chip.style.setProperty('--route-color', bus.color);
		setShownText(line1, bus.headsign ? t('busHeadsign', {headsign: bus.headsign}) : '');
		const meta = [];
		if (bus.nextStop) { meta.push(t('busNextStop', {stop: bus.nextStop})); }
		const age = bus.ageMs === null ? '' : this._i18n.age(bus.ageMs);
		if (bus.stale) {
			meta.push(age ? `${t('listNoSignal')} · ${age}` : t('listNoSignal'));
		} else if (age) {
			meta.push(t('busUpdated', {age}));
		}
		setShownText(line2, meta.join(' · '));
		li.classList.toggle('list-row--stale', bus.stale);
	}

	_makeStopRow(stop) {
		const li = element('li', 'list-row');
		const button = element('button', 'list-row__button', {type: 'button'});
		button.dataset.id = stop.id;
		const icon = element('span', 'search__stop-icon', {'aria-hidden': 'true'});
		const text = element('span', 'list-row__text');
		const name = element('span', 'list-row__title');
		const routes = element('span', 'list-row__meta');
		text.append(name, routes);
		button.append(icon, text);
		li.append(button);
		li._parts = {name, routes};
		return li;
	}

	_fillStopRow(li, stop) {
		li.classList.remove('list-row--gone');
		setShownText(li._parts.name, stop.name);
		const labels = stop.routeLabels ?? [];
		const shown = labels.slice(0, MAX_ROUTE_LABELS).join(', ');
		setShownText(li._parts.routes, labels.length > MAX_ROUTE_LABELS ? `${shown} …` : shown);
	}
}
