/**
 * The toolbar beside the search box: "Near me" (the stops nearest the user, nearPanel.js), the "List" toggle (the list view of what is in view,
 * busList.js), the "History" toggle (the playback bar, playbackBar.js) and the language selector
 * (English, मराठी, हिन्दी; i18n.js), whose choice is kept in localStorage.
 *
 * Owns the DOM inside its element; what the buttons do is the caller's (`onNear`, `onList`, `onPlayback`).
 */

import {i18n as sharedI18n, LANGUAGES, persistLanguage} from './i18n.js';

export class Toolbar {
	/**
	 * @param {HTMLElement} element the toolbar's (empty) element
	 * @param {object} options
	 * @param {Function} options.onList `(on) => void`: the list toggle was pressed
	 * @param {Function} [options.onPlayback] `(on) => void`: the history toggle was pressed
	 * @param {Function} [options.onNear] `() => void`: "Near me" was pressed (no button without it)
	 * @param {string} [options.playbackId] the id of the element the history toggle opens
	 * @param {Storage|null} [options.storage] where the language choice is kept
	 * @param {import('./i18n.js').I18n} [options.i18n]
	 */
	constructor(element, {onList, onPlayback = () => {}, onNear = null, playbackId = '', storage = null, i18n = sharedI18n}) {
		this._el = element;
		this._onNear = onNear;
		this._onList = onList;
		this._onPlayback = onPlayback;
		this._playbackId = playbackId;
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
		this._history = document.createElement('button');
		this._history.type = 'button';
		this._history.className = 'toolbar__button toolbar__history';
		this._history.setAttribute('aria-pressed', 'false');
		if (this._playbackId) { this._history.setAttribute('aria-controls', this._playbackId); }
		// A clock turning back; on phones the icon alone (its word stays the button's name).
		this._history.innerHTML = '<svg class="toolbar__icon" viewBox="0 0 24 24" width="18" height="18" ' +
			'aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" ' +
			'stroke-linecap="round" stroke-linejoin="round"><path d="M3 12a9 9 0 1 0 3-6.7"/>' +
			'<path d="M3 4v5h5"/><path d="M12 7v5l3 3"/></svg><span class="toolbar__text"></span>';
		this._historyText = this._history.querySelector('.toolbar__text');
		this._history.addEventListener('click', () => this._onPlayback(!this.playbackOn));

		const field = document.createElement('div');
		field.className = 'toolbar__language';
		// On phones the language's short name is shown (EN, मरा, हिं), the select over it, unseen:
		// the same native picker, in a finger's width.
		this._langShort = document.createElement('span');
		this._langShort.className = 'toolbar__lang-short';
		this._langShort.setAttribute('aria-hidden', 'true');
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
		field.append(this._langShort, this._langLabel, this._select);
		// A location target; on phones the icon alone, as the history toggle's.
		this._near = document.createElement('button');
		this._near.type = 'button';
		this._near.className = 'toolbar__button toolbar__near';
		this._near.innerHTML = '<svg class="toolbar__icon" viewBox="0 0 24 24" width="18" height="18" ' +
			'aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="2" ' +
			'stroke-linecap="round"><circle cx="12" cy="12" r="7"/><circle cx="12" cy="12" r="2.5" fill="currentColor"/>' +
			'<path d="M12 2v3M12 19v3M2 12h3M19 12h3"/></svg><span class="toolbar__text"></span>';
		this._nearText = this._near.querySelector('.toolbar__text');
		this._near.addEventListener('click', () => this._onNear?.());
		if (!this._onNear) { this._near.hidden = true; }
		el.append(this._near, this._list, this._history, field);
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

	/** Whether the history toggle is on (the page shows a past moment). */
	get playbackOn() {
		return this._history.getAttribute('aria-pressed') === 'true';
	}

	/** The history toggle's button. */
	get playbackButton() {
		return this._history;
	}

	/** Show the history toggle on or off (the caller entered or left playback). */
	setPlaybackOn(on) {
		this._history.setAttribute('aria-pressed', String(Boolean(on)));
		return this;
	}

	/** The "Near me" button. */
	get nearButton() {
		return this._near;
	}

	_label() {
		const t = (key) => this._i18n.t(key);
		this._nearText.textContent = t('nearToggle');
		this._near.title = t('nearToggleTitle');
		this._list.textContent = t('listToggle');
		this._list.title = t('listToggleTitle');
		this._historyText.textContent = t('playbackToggle');
		this._history.title = t('playbackToggleTitle');
		this._langLabel.textContent = t('languageLabel');
		this._select.title = t('languageLabel');
		this._select.value = this._i18n.lang;
		this._langShort.textContent = LANGUAGES[this._i18n.lang]?.short ?? this._i18n.lang.toUpperCase();
	}
}
