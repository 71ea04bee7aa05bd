/**
 * The panel that holds one view at a time (a stop's next buses, or the list of what is in view):
 * a card on the left beneath the search box on wide screens; on phones a bottom sheet at most
 * 60 % of the screen high, with a handle that collapses it to its heading and expands it again
 * (press it, or swipe it down and up). While the sheet is shown on a phone, the map ends above
 * it (`--sheet-height` on `<html>`) so that all of the map stays usable.
 *
 * Owns the DOM inside its element and the map's size while it is shown; what the views show
 * is theirs (stopPanel.js, busList.js).
 */

import {i18n as sharedI18n} from './i18n.js';

/** Where the page lays the panel out as a bottom sheet (keep in step with style.css). */
export const PHONE_QUERY = '(max-width: 40rem)';

/** A swipe on the handle longer than this (CSS px) collapses or expands the sheet. */
const SWIPE_PX = 24;

export class Sheet {
	/**
	 * @param {HTMLElement} element the sheet's (empty) element
	 * @param {object} [options]
	 * @param {L.Map} [options.map] resized to end above the sheet on phones
	 * @param {import('./i18n.js').I18n} [options.i18n]
	 */
	constructor(element, {map = null, i18n = sharedI18n} = {}) {
		this._el = element;
		this._map = map;
		this._i18n = i18n;
		this._views = new Map(); // name → element
		this._shown = null;
		this._expanded = true;
		this._phone = globalThis.matchMedia?.(PHONE_QUERY) ?? {matches: false, addEventListener() {}};
		this._build();
		this._phone.addEventListener('change', () => this._layout());
		this._resize = new ResizeObserver(() => this._layout());
		this._resize.observe(this._el);
		i18n.onChange(() => this._label());
	}

	_build() {
		const el = this._el;
		el.classList.add('sheet');
		el.hidden = true;
		this._handle = document.createElement('button');
		this._handle.type = 'button';
		this._handle.className = 'sheet__handle';
		this._handle.setAttribute('aria-controls', 'sheet-body');
		const grip = document.createElement('span');
		grip.className = 'sheet__grip';
		grip.setAttribute('aria-hidden', 'true');
		this._handleText = document.createElement('span');
		this._handleText.className = 'visually-hidden';
		this._handle.append(grip, this._handleText);
		this._body = document.createElement('div');
		this._body.className = 'sheet__body';
		this._body.id = 'sheet-body';
		el.append(this._handle, this._body);

		let startY = null;
		let swiped = false;
		this._handle.addEventListener('pointerdown', (e) => {
			startY = e.clientY;
			swiped = false;
		});
		this._handle.addEventListener('pointerup', (e) => {
			if (startY === null) { return; }
			const dy = e.clientY - startY;
			startY = null;
			if (Math.abs(dy) >= SWIPE_PX) {
				swiped = true;
				this.setExpanded(dy < 0);
			}
		});
		this._handle.addEventListener('click', () => {
			if (swiped) {
				swiped = false;
				return;
			}
			this.setExpanded(!this._expanded);
		});
		// The map beneath must not pan or zoom with gestures on the sheet.
		for (const type of ['mousedown', 'dblclick', 'wheel', 'touchstart', 'pointerdown', 'contextmenu']) {
			el.addEventListener(type, (e) => e.stopPropagation(), {passive: true});
		}
		this._label();
	}

	// Public methods.

	/** The sheet's element. */
	get element() {
		return this._el;
	}

	/** The name of the view shown, or null when the sheet is hidden. */
	get shown() {
		return this._shown;
	}

	/** Whether the sheet shows its whole view (on phones it may be collapsed to the heading). */
	get expanded() {
		return this._expanded;
	}

	/** Whether the page is laid out for a phone (the sheet at the bottom). */
	get isPhone() {
		return this._phone.matches;
	}

	/** Add view `name`: its element goes in the sheet's body, hidden until shown. */
	addView(name, element) {
		element.hidden = true;
		element.classList.add('sheet__view');
		this._views.set(name, element);
		this._body.append(element);
		return this;
	}

	/** Show view `name` (null: hide the sheet). The sheet opens expanded. */
	show(name) {
		if (name !== null && !this._views.has(name)) { throw new Error(`no view ${name}`); }
		const changed = name !== this._shown;
		this._shown = name;
		for (const [key, view] of this._views) { view.hidden = key !== name; }
		this._el.hidden = name === null;
		this._el.dataset.view = name ?? '';
		if (changed && name !== null) { this._expanded = true; }
		this._label();
		this._layout();
		return this;
	}

	/** Expand the sheet to its whole view (true) or collapse it to the view's heading. */
	setExpanded(expanded) {
		this._expanded = Boolean(expanded);
		this._label();
		this._layout();
		return this;
	}

	/**
	 * What the page's boxes cover of the map's container, in CSS px: `{left, top, bottom}` — the
	 * sheet as a card on the left on wide screens (nothing on phones, where the map ends above
	 * it), and the top bar and status line.
	 */
	covers() {
		const bottomOf = (selector) => document.querySelector(selector)?.getBoundingClientRect().bottom ?? 0;
		const top = Math.max(bottomOf('.topbar'), bottomOf('#status'));
		const left = this._el.hidden || this.isPhone ? 0 : this._el.getBoundingClientRect().right;
		return {left, top, bottom: 0};
	}

	_label() {
		const expanded = this._expanded || !this.isPhone;
		this._el.classList.toggle('sheet--collapsed', !expanded);
		this._handle.setAttribute('aria-expanded', String(expanded));
		this._handleText.textContent = this._i18n.t(expanded ? 'sheetCollapse' : 'sheetExpand');
		this._handle.title = this._handleText.textContent;
	}

	/** On phones, end the map above the sheet; elsewhere the map keeps the whole window. */
	_layout() {
		this._label();
		const height = !this._el.hidden && this.isPhone ? Math.ceil(this._el.getBoundingClientRect().height) : 0;
		const root = document.documentElement;
		const before = root.style.getPropertyValue('--sheet-height');
		const value = `${height}px`;
		if (before === value) { return; }
		root.style.setProperty('--sheet-height', value);
		root.classList.toggle('has-sheet', height > 0);
		// The map keeps its centre where it was (Leaflet's invalidateSize pans by half the change).
		this._map?.invalidateSize({pan: true});
	}
}
