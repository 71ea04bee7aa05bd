/**
 * The search box: a combobox (WAI-ARIA 1.2, list autocomplete) that finds routes by number or
 * name and stops by name through `GET /api/search`, and hands the choice on.
 *
 * Typing asks the server once the user pauses (debounced; a request the typing has outrun is
 * aborted). ArrowDown/ArrowUp move through the results, Enter chooses (the best match when none
 * is active, even before the answer has come), Escape closes the list and, with it closed, clears
 * everything; the mouse works too. The ✕ button clears the text and the choice.
 *
 * My stops (stars.js) show their next buses at a glance under their name (glanceLine.js, from
 * the `glance` frames the page asks for with the starred stops), updated in place.
 *
 * Owns the DOM inside its element and nothing else: what a choice does to the map is the
 * caller's business (`onRoute`, `onStop`, `onClear`). Its words are in the page's language
 * (i18n.js) and change with it; route and stop names stay as the feed gives them.
 */

import {element} from './dom.js';
import {fetchSearch, isAbort} from './api.js';
import {debounce} from './debounce.js';
import {i18n as sharedI18n} from './i18n.js';
import {routeChip} from './routeChip.js';
import {starredFirst, stars as sharedStars} from './stars.js';
import {glanceBuses, glances as sharedGlances} from './glance.js';
import {GlanceLine} from './glanceLine.js';
import {
	describeCount, enterChoice, groupRuns, MAX_QUERY, moveActive, normalizeQuery, toOptions,
} from './searchResults.js';

const DEBOUNCE_MS = 150;
const MAX_ROUTE_LABELS = 5; // a stop's routes named beside it in the list

/** What the box shows once `option` is chosen. */
function choiceText(option) {
	if (option.kind !== 'route') { return option.name; }
	return option.longName ? `${option.label} · ${option.longName}` : option.label;
}

export class SearchBox {
	/**
	 * @param {HTMLElement} container an empty element to build the box in
	 * @param {object} handlers
	 * @param {Function} handlers.onRoute `(option) => boolean`: show route `option.id` alone;
	 *   false when it could not (e.g. the routes are not loaded yet)
	 * @param {Function} handlers.onStop `(option) => void`: go to stop `option`
	 * @param {Function} handlers.onClear `() => void`: show everything again
	 * @param {Function} [handlers.fetchSearch] a fetchSearch stand-in (tests)
	 * @param {import('./i18n.js').I18n} [handlers.i18n] the page's language
	 * @param {Function} [handlers.routeLabel] `(routeId) => label`: how a stop's routes are named
	 *   beside it, which tells apart stops of the same name in different places
	 * @param {import('./stars.js').Stars} [handlers.stars] My stops
	 * @param {import('./glance.js').Glances} [handlers.glances] the next buses of My stops
	 * @param {Function} [handlers.now] `() => ms`: the server's clock now (minutes to the buses)
	 */
	constructor(container, {
		onRoute, onStop, onClear, fetchSearch: search = fetchSearch, i18n = sharedI18n, routeLabel = (id) => id,
		stars = sharedStars, glances = sharedGlances, now = Date.now,
	}) {
		this._stars = stars;
		this._glances = glances;
		this._now = now;
		this._lines = new Map(); // stop id → the GlanceLine under a starred stop listed
		this._el = container;
		this._routeLabel = routeLabel;
		this._i18n = i18n;
		this._message = null; // [key, params] of the message shown, or null
		this._handlers = {onRoute, onStop, onClear};
		this._search = search;
		this._options = []; // what the list shows (searchResults.toOptions)
		this._query = ''; // the query they answer
		this._active = -1;
		this._request = null; // {query, controller} in flight
		this._chooseOnArrival = false; // Enter was pressed before the answer came
		this._chosen = null; // the option last chosen, or null
		this._ask = debounce((query) => this._fetch(query), DEBOUNCE_MS);
		this._build();
		this._applyLanguage();
		i18n.onChange(() => this._applyLanguage());
		glances.onChange(() => this._showGlances());
	}

	// Public methods.

	/** The input element. */
	get input() {
		return this._input;
	}

	/** The query the listed results answer ('' when none). */
	get query() {
		return this._query;
	}

	/** The next buses shown under each starred stop listed: `{stopId: ["64 → Dadar · 3 min", …]}`. */
	glanceTexts() {
		return Object.fromEntries([...this._lines].map(([id, line]) => [id, line.texts()]));
	}

	/** Whether the results listed were found in the page's own copies (offline), not by the server. */
	get offline() {
		return this._offline === true;
	}

	/** The option last chosen (`{kind, id, …}`), or null. */
	get chosen() {
		return this._chosen;
	}

	/** Whether the result list is open. */
	get expanded() {
		return this._input.getAttribute('aria-expanded') === 'true';
	}

	/**
	 * Show `option` as chosen (a choice made elsewhere, e.g. a route chip in a stop popup)
	 * without telling the handlers: `{kind: 'route', id, label, longName, color}`.
	 */
	setChoice(option) {
		this._ask.cancel();
		this._abort();
		this._chooseOnArrival = false;
		this._setExpanded(false);
		this._setMessage('');
		this._chosen = option;
		this._input.value = choiceText(option);
		this._query = normalizeQuery(this._input.value);
		this._options = [];
		this._renderOptions();
		this._syncClear();
		return this;
	}

	/** Empty the box and forget the choice; tells `onClear` if something was chosen. */
	clear() {
		this._ask.cancel();
		this._abort();
		this._chooseOnArrival = false;
		this._input.value = '';
		this._query = '';
		this._setOptions([]);
		this._setMessage('');
		const had = this._chosen !== null;
		this._chosen = null;
		this._syncClear();
		if (had) {
			this._handlers.onClear();
			this._announce(this._t('searchShowingAll'));
		}
		return this;
	}

	// The DOM.

	_build() {
		const el = this._el;
		el.textContent = '';
		el.classList.add('search');
		el.setAttribute('role', 'search');
		const inputId = 'search-input';
		const listId = 'search-results';

		this._label = element('label', 'visually-hidden', {for: inputId});

		const field = element('div', 'search__field');
		this._input = element('input', 'search__input', {
			id: inputId,
			type: 'search',
			role: 'combobox',
			'aria-autocomplete': 'list',
			'aria-expanded': 'false',
			'aria-controls': listId,
			autocomplete: 'off',
			autocapitalize: 'off',
			spellcheck: 'false',
			enterkeyhint: 'search',
			maxlength: String(MAX_QUERY),
		});
		this._clearButton = element('button', 'search__clear', {type: 'button'});
		this._clearButton.textContent = '✕';
		this._clearButton.hidden = true;
		field.append(this._input, this._clearButton);

		// Over offline results: they come from the page's copies, not the server.
		this._note = element('div', 'search__note');
		this._note.hidden = true;
		this._list = element('div', 'search__results', {id: listId, role: 'listbox'});
		this._list.hidden = true;
		this._messageEl = element('div', 'search__message');
		this._messageEl.hidden = true;
		this._live = element('div', 'visually-hidden', {'aria-live': 'polite'});

		el.append(this._label, field, this._note, this._list, this._messageEl, this._live);

		this._input.addEventListener('input', () => this._onInput());
		this._input.addEventListener('keydown', (e) => this._onKey(e));
		this._input.addEventListener('focus', () => this._reopen());
		this._input.addEventListener('click', () => this._reopen());
		el.addEventListener('focusout', (e) => {
			if (!el.contains(e.relatedTarget)) { this._setExpanded(false); }
		});
		this._clearButton.addEventListener('click', () => {
			this.clear();
			this._input.focus();
		});
		// Keep the focus in the input while an option is pressed.
		this._list.addEventListener('mousedown', (e) => e.preventDefault());
		this._list.addEventListener('click', (e) => {
			const option = e.target.closest('[role="option"]');
			if (option) { this._choose(Number(option.dataset.index)); }
		});
		this._list.addEventListener('mousemove', (e) => {
			const option = e.target.closest('[role="option"]');
			if (option) { this._setActive(Number(option.dataset.index), false); }
		});
		// The map must not pan or zoom under the box (it lies on top of the map).
		for (const type of ['mousedown', 'dblclick', 'wheel', 'touchstart', 'pointerdown', 'contextmenu']) {
			el.addEventListener(type, (e) => e.stopPropagation(), {passive: true});
		}
	}

	_t(key, params) {
		return this._i18n.t(key, params);
	}

	/** Put every word of the box in the current language. */
	_applyLanguage() {
		this._label.textContent = this._t('searchLabel');
		this._input.placeholder = this._t('searchPlaceholder');
		this._clearButton.setAttribute('aria-label', this._t('searchClear'));
		this._clearButton.title = this._t('searchClearTitle');
		this._list.setAttribute('aria-label', this._t('searchResults'));
		this._note.textContent = this._t('searchOfflineNote');
		this._renderOptions();
		if (this._active >= 0) { this._setActive(this._active, false); }
		if (this._message) { this._setMessage(...this._message); }
	}

	_renderOptions() {
		const list = this._list;
		list.textContent = '';
		this._lines.clear();
		// One group per run of a kind (searchResults.groupRuns): the screen keeps the options' order.
		const groups = [];
		for (const run of groupRuns(this._options)) {
			const title = this._t(run.starred ? 'searchMyStops' : run.kind === 'route' ? 'searchRoutes' : 'searchStops');
			const id = `search-group-${run.start}`;
			const group = element('div', 'search__group', {role: 'group', 'aria-labelledby': id});
			const heading = element('div', 'search__group-title', {role: 'presentation', id});
			heading.textContent = title;
			group.append(heading);
			list.append(group);
			for (let k = 0; k < run.options.length; k += 1) { groups[run.start + k] = group; }
		}
		this._options.forEach((option, index) => {
			const item = element('div', `search__option search__option--${option.kind}`, {
				role: 'option', id: `search-option-${index}`, 'aria-selected': 'false',
			});
			item.dataset.index = String(index);
			const name = element('span', 'search__name');
			let meta = null; // a stop's routes, named beside it
			if (option.kind === 'route') {
				item.append(routeChip({label: option.label, color: option.color || '#1565c0'}));
				name.textContent = option.longName;
				item.setAttribute('aria-label', option.longName
					? this._t('searchRouteOption', {label: option.label, name: option.longName})
					: this._t('searchRouteOptionShort', {label: option.label}));
			} else {
				item.append(element('span', 'search__stop-icon', {'aria-hidden': 'true'}));
				name.textContent = option.name;
				const labels = option.routes.map((id) => this._routeLabel(id));
				const routes = labels.length > MAX_ROUTE_LABELS
					? `${labels.slice(0, MAX_ROUTE_LABELS).join(', ')} …` : labels.join(', ');
				item.setAttribute('aria-label', routes
					? this._t('searchStopOptionRoutes', {name: option.name, routes})
					: this._t('searchStopOption', {name: option.name}));
				if (routes) {
					meta = element('span', 'search__routes');
					meta.textContent = routes;
				}
			}
			const line = option.kind === 'stop' && option.starred ? new GlanceLine(this._i18n) : null;
			if (line) {
				this._lines.set(option.id, line);
				item.setAttribute('aria-describedby', line.id);
			}
			if (meta || line) {
				// The name keeps the whole width; its routes (and next buses) go on lines beneath it.
				const text = element('span', 'search__text');
				text.append(...[name, meta, line?.element].filter(Boolean));
				item.append(text);
			} else {
				item.append(name);
			}
			groups[index].append(item);
		});
		this._showGlances();
	}

	/** Bring the next buses under each starred stop in line with the latest glance, in place. */
	_showGlances() {
		const now = this._now();
		for (const [id, line] of this._lines) {
			const buses = this._glances.get(id);
			line.show(buses === null ? null : glanceBuses(buses, now));
		}
	}

	_setOptions(options, offline = false) {
		this._options = options;
		this._offline = offline;
		this._active = -1;
		this._input.removeAttribute('aria-activedescendant');
		this._renderOptions();
		this._setExpanded(options.length > 0 && document.activeElement === this._input);
	}

	_setExpanded(expanded) {
		const open = expanded && this._options.length > 0;
		this._input.setAttribute('aria-expanded', String(open));
		this._list.hidden = !open;
		this._note.hidden = !open || !this._offline;
		if (!open) { this._setActive(-1); }
	}

	_setActive(index, scroll = true) {
		const previous = this._list.querySelector('[aria-selected="true"]');
		if (previous) { previous.setAttribute('aria-selected', 'false'); }
		this._active = index;
		const item = index >= 0 ? document.getElementById(`search-option-${index}`) : null;
		if (item) {
			item.setAttribute('aria-selected', 'true');
			this._input.setAttribute('aria-activedescendant', item.id);
			if (scroll) { item.scrollIntoView({block: 'nearest'}); }
		} else {
			this._input.removeAttribute('aria-activedescendant');
		}
	}

	/** Show message `key` (i18n.js) with `params` under the box; '' hides it. */
	_setMessage(key, params = {}) {
		this._message = key ? [key, params] : null;
		const text = key ? this._t(key, params) : '';
		this._messageEl.textContent = text;
		this._messageEl.hidden = !text;
	}

	_announce(text) {
		// Said again even when the same: clear first.
		this._live.textContent = '';
		setTimeout(() => { this._live.textContent = text; }, 50);
	}

	_syncClear() {
		this._clearButton.hidden = !this._input.value && this._chosen === null;
	}

	// Events.

	_onInput() {
		this._syncClear();
		this._chooseOnArrival = false;
		const query = normalizeQuery(this._input.value);
		if (!query) {
			this._ask.cancel();
			this._abort();
			this._query = '';
			this._setOptions([]);
			this._setMessage('');
			this._reopen(); // My stops
			return;
		}
		this._ask(query);
	}

	_onKey(e) {
		if (e.isComposing) { return; }
		switch (e.key) {
		case 'ArrowDown':
		case 'ArrowUp': {
			if (!this._options.length) { return; }
			e.preventDefault();
			if (!this.expanded) { this._setExpanded(true); }
			this._setActive(moveActive(this._active, e.key === 'ArrowDown' ? 1 : -1, this._options.length));
			return;
		}
		case 'Enter': {
			e.preventDefault();
			const query = normalizeQuery(this._input.value);
			if (query && (query !== this._query || this._request)) {
				// The answer for what is typed has not come yet: choose its best match when it does.
				this._chooseOnArrival = true;
				this._ask.flush();
				return;
			}
			const index = this.expanded ? enterChoice(this._active, this._options.length) :
				(this._chosen === null ? enterChoice(-1, this._options.length) : -1);
			if (index >= 0) { this._choose(index); }
			return;
		}
		case 'Escape': {
			e.preventDefault();
			if (this.expanded) {
				this._setExpanded(false);
			} else {
				this.clear();
			}
			return;
		}
		case 'Tab':
			this._setExpanded(false);
			return;
		default:
		}
	}

	_reopen() {
		if (!normalizeQuery(this._input.value) && this._chosen === null) {
			// The empty box lists My stops (stars.js), to go back to one in a click.
			const mine = this._stars.list().filter((s) => Number.isFinite(s.lat) && Number.isFinite(s.lon))
				.map((s) => ({kind: 'stop', starred: true, ...s}));
			this._query = '';
			this._setOptions(mine);
			return;
		}
		if (this._chosen === null && this._options.length && normalizeQuery(this._input.value) === this._query) {
			this._setExpanded(true);
		}
	}

	// Searching.

	_fetch(query) {
		this._abort();
		const controller = new AbortController();
		this._request = {query, controller};
		this._search(query, {signal: controller.signal}).then((answer) => {
			if (this._request?.controller !== controller) { return; }
			this._request = null;
			this._query = query;
			// Found in the page's own copies (searchSource.js): no network, or no server.
			const offline = answer?.offline === true;
			const options = starredFirst(toOptions(answer), this._stars.list().map((s) => s.id));
			this._setOptions(options, offline);
			this._setMessage(options.length ? '' : offline ? 'searchNoMatchOffline' : 'searchNoMatch', {query});
			const count = describeCount(options, this._i18n);
			this._announce(offline ? `${this._t('searchOfflineNote')} ${count}` : count);
			if (this._chooseOnArrival) {
				this._chooseOnArrival = false;
				const index = enterChoice(-1, options.length);
				if (index >= 0) { this._choose(index); }
			}
		}, (error) => {
			if (this._request?.controller !== controller) { return; }
			this._request = null;
			this._chooseOnArrival = false;
			if (isAbort(error)) { return; }
			console.warn('bustrack: search failed:', error.message);
			this._query = '';
			this._setOptions([]);
			this._setMessage('searchUnavailable');
		});
	}

	_abort() {
		if (this._request) {
			this._request.controller.abort();
			this._request = null;
		}
	}

	_choose(index) {
		const option = this._options[index];
		if (!option) { return; }
		this._setExpanded(false);
		this._setMessage('');
		if (option.kind === 'route') {
			if (!this._handlers.onRoute(option)) {
				this._setMessage('searchRoutesLoading');
				return;
			}
			this._chosen = option;
			this._input.value = choiceText(option);
			this._announce(this._t('searchShowingRoute', {label: option.label}));
		} else {
			this._chosen = option;
			this._input.value = option.name;
			this._handlers.onStop(option);
			this._announce(this._t('searchStopChosen', {name: option.name}));
		}
		// The box now shows the choice; ArrowDown brings the results back, typing searches anew.
		this._query = normalizeQuery(this._input.value);
		this._syncClear();
	}
}
