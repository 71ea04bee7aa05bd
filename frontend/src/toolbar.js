/**
 * The toolbar beside the search box: the "List" toggle (the list view of what is in view,
 * busList.js) and the language selector (English, मराठी, हिन्दी; i18n.js), whose choice is kept
 * in localStorage.
 *
 * Owns the DOM inside its element; what the toggle does is the caller's (`onList`).
 */

import {i18n as sharedI18n, LANGUAGES, persistLanguage} from './i18n.js';

export class Toolbar {
	/**
	 * @param {HTMLElement} element the toolbar's (empty) element
	 * @param {object} options
	 * @param {Function} options.onList `(on) => void`: the list toggle was pressed
	 * @param {Storage|null} [options.storage] where the language choice is kept
	 * @param {import('./i18n.js').I18n} [options.i18n]
	 */
	constructor(element, {onList, storage = null, i18n = sharedI18n}) {
		this._el = element;
		this._onList = onList;
		this._storage = storage;
		this._i18n = i18n;
		this._build();
		this._label();
		i18n.onChange(() => this._label());
	}

	_build() {
		const el = this._el;
		el.classList.add('toolbar');
		this._list = document.createElement('button');
		this._list.type = 'button';
		this._list.className = 'toolbar__button toolbar__list';
		this._list.setAttribute('aria-pressed', 'false');
		this._list.addEventListener('click', () => this._onList(!this.listOn));

		const field = document.createElement('div');
		field.className = 'toolbar__language';
		this._langLabel = document.createElement('label');
		this._langLabel.className = 'visually-hidden';
		this._langLabel.htmlFor = 'language';
		this._select = document.createElement('select');
		this._select.id = 'language';
		this._select.className = 'toolbar__select';
		for (const [code, language] of Object.entries(LANGUAGES)) {
			const option = document.createElement('option');
			option.value = code;
			option.lang = code;
			option.textContent = language.name;
			this._select.append(option);
		}
		this._select.value = this._i18n.lang;
		this._select.addEventListener('change', () => {
			this._i18n.setLanguage(this._select.value);
			persistLanguage(this._i18n.lang, this._storage);
		});
		field.append(this._langLabel, this._select);
		el.append(this._list, field);
		// The map beneath must not pan or zoom with gestures on the toolbar.
		for (const type of ['mousedown', 'dblclick', 'wheel', 'touchstart', 'pointerdown', 'contextmenu']) {
			el.addEventListener(type, (e) => e.stopPropagation(), {passive: true});
		}
	}

	/** Whether the list toggle is on. */
	get listOn() {
		return this._list.getAttribute('aria-pressed') === 'true';
	}

	/** The list toggle's button. */
	get listButton() {
		return this._list;
	}

	/** Show the list toggle on or off (the caller opened or closed the list). */
	setListOn(on) {
		this._list.setAttribute('aria-pressed', String(Boolean(on)));
		return this;
	}

	_label() {
		const t = (key) => this._i18n.t(key);
		this._list.textContent = t('listToggle');
		this._list.title = t('listToggleTitle');
		this._langLabel.textContent = t('languageLabel');
		this._select.title = t('languageLabel');
		this._select.value = this._i18n.lang;
	}
}
