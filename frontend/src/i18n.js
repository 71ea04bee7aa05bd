/**
 * The page's interface language: English by default, Marathi and Hindi selectable.
 *
 * Every string lives in one module per language (i18n/en.js, i18n/mr.js, i18n/hi.js, the same
 * keys in each); `t(key, params)` looks one up, fills its `{placeholders}`, chooses its plural
 * form with `Intl.PluralRules` from `params.count`, and formats numbers with the language's
 * `Intl.NumberFormat` (Marathi writes them in Devanagari digits). Stop and route names are
 * passed in as strings and stay as the feed gives them.
 *
 * `I18n` holds the current language and tells listeners when it changes; it touches no DOM and no
 * storage itself (`restoreLanguage`/`persistLanguage` do, for the page). `i18n` is the page's
 * shared instance, which components use unless given another.
 */

import en from './i18n/en.js';
import hi from './i18n/hi.js';
import mr from './i18n/mr.js';

/** The languages, by code, in the selector's order. */
export const LANGUAGES = Object.freeze({en, mr, hi});
export const DEFAULT_LANGUAGE = 'en';
/** Where the choice is kept (localStorage). */
export const STORAGE_KEY = 'bustrack.lang';

const PLACEHOLDER = /\{(\w+)\}/g;

/** The placeholder names in `text` (a message or one of its plural forms), sorted. */
export function placeholders(text) {
	return [...new Set([...String(text).matchAll(PLACEHOLDER)].map((m) => m[1]))].sort();
}

/** Whether `code` is a language the page has. */
export function isLanguage(code) {
	return Object.hasOwn(LANGUAGES, code);
}

export class I18n {
	/** @param {string} [lang='en'] */
	constructor(lang = DEFAULT_LANGUAGE) {
		this._listeners = new Set();
		this._lang = DEFAULT_LANGUAGE;
		this._setup(isLanguage(lang) ? lang : DEFAULT_LANGUAGE);
	}

	_setup(lang) {
		this._lang = lang;
		this._messages = LANGUAGES[lang].messages;
		this._plural = new Intl.PluralRules(lang);
		this._number = new Intl.NumberFormat(lang, {maximumFractionDigits: 1});
		this._two = new Intl.NumberFormat(lang, {minimumIntegerDigits: 2, useGrouping: false});
	}

	/** The current language's code ('en', 'mr', 'hi'). */
	get lang() {
		return this._lang;
	}

	/** Switch to language `code`; returns whether it is one (listeners hear of a change). */
	setLanguage(code) {
		if (!isLanguage(code)) { return false; }
		if (code !== this._lang) {
			this._setup(code);
			for (const fn of [...this._listeners]) { fn(code); }
		}
		return true;
	}

	/** Call `fn(code)` after every change of language; returns a function that stops it. */
	onChange(fn) {
		this._listeners.add(fn);
		return () => this._listeners.delete(fn);
	}

	/**
	 * The message `key` in the current language (English if this one lacks it), with
	 * `params` filled in: numbers are formatted for the language, strings left as they are.
	 */
	t(key, params = {}) {
		let message = this._messages[key];
		let plural = this._plural;
		if (message === undefined) {
			message = en.messages[key];
			plural = new Intl.PluralRules('en');
			if (message === undefined) { return key; }
		}
		if (typeof message === 'object') {
			const category = plural.select(Number(params.count ?? 0));
			message = message[category] ?? message.other;
		}
		return message.replace(PLACEHOLDER, (whole, name) => {
			const value = params[name];
			if (value === undefined || value === null) { return whole; }
			return typeof value === 'number' ? this.number(value) : String(value);
		});
	}

	/** `n` written for the current language (at most one decimal). */
	number(n) {
		return this._number.format(n);
	}

	/** A time of day in seconds after midnight as "HH:MM" (24-hour clock, the language's digits). */
	clock(seconds) {
		const s = ((Math.floor(seconds) % 86400) + 86400) % 86400;
		return `${this._two.format(Math.floor(s / 3600))}:${this._two.format(Math.floor(s / 60) % 60)}`;
	}

	/** "HH:MM:SS" in the language's digits, from an "HH:MM:SS" text (e.g. the service time). */
	digits(text) {
		return String(text).replace(/\d+/g, (d) => this._two.format(Number(d)));
	}

	/** How long ago, in words: "3 s ago", "2 min ago", "1 h ago" (`ms` in milliseconds). */
	age(ms) {
		if (!Number.isFinite(ms)) { return this.t('ageUnknown'); }
		const s = Math.max(0, Math.round(ms / 1000));
		if (s < 60) { return this.t('ageSeconds', {count: s}); }
		const min = Math.floor(s / 60);
		if (min < 60) { return this.t('ageMinutes', {count: min}); }
		return this.t('ageHours', {count: Math.floor(min / 60)});
	}
}

/** The page's shared instance. */
export const i18n = new I18n();

/**
 * Set `instance`'s language from the page's URL (`?lang=mr`), else what the user chose last
 * time (`storage`), else English; and keep `<html lang>`, the title and the `<h1>` in step from
 * now on.
 *
 * @param {I18n} instance
 * @param {object} [where]
 * @param {Storage|null} [where.storage] localStorage (absent or throwing: nothing is kept)
 * @param {Document} [where.doc]
 * @param {string} [where.search] location.search
 */
export function restoreLanguage(instance, {storage = null, doc = null, search = ''} = {}) {
	const asked = new URLSearchParams(search).get('lang');
	let kept = null;
	try {
		kept = storage?.getItem(STORAGE_KEY) ?? null;
	} catch { /* Storage refused (private mode): English. */ }
	instance.setLanguage(isLanguage(asked) ? asked : (isLanguage(kept) ? kept : DEFAULT_LANGUAGE));
	const apply = () => {
		if (!doc) { return; }
		doc.documentElement.lang = instance.lang;
		doc.title = instance.t('pageTitle');
		// The page's (visually hidden) main heading says the same.
		const heading = doc.querySelector?.('h1');
		if (heading) { heading.textContent = doc.title; }
	};
	apply();
	instance.onChange(apply);
	return instance;
}

/** Remember `code` as the user's choice (best effort). */
export function persistLanguage(code, storage) {
	try {
		storage?.setItem(STORAGE_KEY, code);
	} catch { /* Storage refused: the choice lasts for this page only. */ }
}
