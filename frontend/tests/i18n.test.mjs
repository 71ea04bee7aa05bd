import test from 'node:test';
import assert from 'node:assert/strict';
import {DEFAULT_LANGUAGE, I18n, LANGUAGES, STORAGE_KEY, persistLanguage, placeholders, restoreLanguage}
	from '../src/i18n.js';

const codes = Object.keys(LANGUAGES);

/** Every text of a message: the string, or each plural form. */
const forms = (message) => (typeof message === 'string' ? [message] : Object.values(message));

test('three languages, English first and by default, each named in itself', () => {
	assert.deepEqual(codes, ['en', 'mr', 'hi']);
	assert.equal(DEFAULT_LANGUAGE, 'en');
	assert.deepEqual(codes.map((c) => LANGUAGES[c].name), ['English', 'मराठी', 'हिन्दी']);
	for (const code of codes) { assert.equal(LANGUAGES[code].code, code); }
});

test('every key is in every language, with the same placeholders and every plural form', () => {
	const en = LANGUAGES.en.messages;
	for (const code of codes) {
		const messages = LANGUAGES[code].messages;
		assert.deepEqual(Object.keys(messages).sort(), Object.keys(en).sort(), `${code}: same keys as en`);
		const categories = new Intl.PluralRules(code).resolvedOptions().pluralCategories;
		for (const [key, message] of Object.entries(messages)) {
			assert.equal(typeof message, typeof en[key], `${code}.${key}: plural in one, not the other`);
			const wanted = placeholders(forms(en[key]).join(' '));
			for (const text of forms(message)) {
				assert.ok(typeof text === 'string' && text.trim(), `${code}.${key}: empty`);
				assert.deepEqual(placeholders(text).filter((p) => p !== 'count'),
					wanted.filter((p) => p !== 'count'), `${code}.${key}: placeholders of "${text}"`);
			}
			if (typeof message === 'object') {
				for (const category of categories) {
					assert.ok(category in message || 'other' in message, `${code}.${key}: no "${category}"`);
				}
				assert.ok('other' in message, `${code}.${key}: no "other"`);
				assert.ok(forms(message).every((text) => text.includes('{count}')), `${code}.${key}: count`);
			}
		}
	}
});

test('Marathi and Hindi are written in Devanagari, not left in English', () => {
	for (const code of ['mr', 'hi']) {
		for (const [key, message] of Object.entries(LANGUAGES[code].messages)) {
			for (const text of forms(message)) {
				// Placeholders and the names of keys and of the app stay as they are.
				const words = text.replace(/\{\w+\}/g, '').replace(/bustrack|Shift\+Enter|Enter|Escape|Esc/g, '');
				assert.ok(!/[A-Za-z]{2,}/.test(words), `${code}.${key}: English left in "${text}"`);
				if (/\p{L}/u.test(words)) { assert.ok(/[\u0900-\u097f]/.test(words), `${code}.${key}: "${text}"`); }
			}
		}
	}
});

test('lookup: placeholders filled, plural chosen by count, numbers in the language', () => {
	const t = new I18n();
	assert.equal(t.lang, 'en');
	assert.equal(t.t('statusBuses', {count: 1}), '· 1 bus in view');
	assert.equal(t.t('statusBuses', {count: 3046}), '· 3,046 buses in view');
	assert.equal(t.t('statusBusesOnRoute', {count: 6, route: '7'}), '· 6 buses on route 7');
	assert.equal(t.t('busName', {route: '10AS', headsign: 'Colaba Depot'}), 'Bus 10AS to Colaba Depot');
	assert.equal(t.t('arrivalIn', {count: 4}), 'in 4 min');
	assert.equal(t.t('busSpeed', {speed: 14.24}), '14.2 km/h');
	assert.equal(t.t('noSuchKey'), 'noSuchKey');
	assert.equal(t.t('busName', {route: '7'}), 'Bus 7 to {headsign}', 'a missing parameter shows');

	const mr = new I18n('mr');
	assert.equal(mr.t('arrivalIn', {count: 1}), '१ मिनिटात');
	assert.equal(mr.t('arrivalIn', {count: 5}), '५ मिनिटांत');
	assert.equal(mr.t('countStops', {count: 1}), '१ थांबा');
	assert.equal(mr.t('countStops', {count: 2}), '२ थांबे');
	assert.equal(mr.t('statusBusesOnRoute', {count: 3, route: '7'}), '· मार्ग 7 वर ३ बस');
	// Names from the feed stay as they are, digits and all.
	assert.equal(mr.t('busName', {route: '10AS', headsign: 'Colaba Depot'}), 'बस 10AS, Colaba Depot कडे');

	const hi = new I18n('hi');
	assert.equal(hi.t('statusBuses', {count: 1}), '· 1 बस दिख रही है');
	assert.equal(hi.t('statusBuses', {count: 0}), '· 0 बस दिख रही है', 'Hindi: 0 takes the "one" form');
	assert.equal(hi.t('statusBuses', {count: 2}), '· 2 बसें दिख रही हैं');
	assert.equal(hi.t('statusBusesOnRoute', {count: 2, route: '7'}), '· रूट 7 पर 2 बसें');
	assert.equal(hi.t('ageHours', {count: 2}), '2 घंटे पहले');
});

test('times of day, service times and ages in the language', () => {
	const en = new I18n();
	const mr = new I18n('mr');
	assert.equal(en.clock(10 * 3600 + 45 * 60 + 59), '10:45');
	assert.equal(en.clock(25 * 3600 + 5 * 60), '01:05', 'past midnight on a 24-hour clock');
	assert.equal(mr.clock(9 * 3600 + 5 * 60), '०९:०५');
	assert.equal(mr.digits('10:51:07'), '१०:५१:०७');
	assert.equal(en.digits('10:51:07'), '10:51:07');
	assert.equal(en.age(3200), '3 s ago');
	assert.equal(en.age(125000), '2 min ago');
	assert.equal(en.age(2 * 3600 * 1000 + 5), '2 h ago');
	assert.equal(en.age(NaN), 'unknown');
	assert.equal(mr.age(1000), '१ सेकंदापूर्वी');
	assert.equal(mr.age(120000), '२ मिनिटांपूर्वी');
});

test('changing language tells the listeners once; unknown codes are refused', () => {
	const t = new I18n();
	const heard = [];
	const stop = t.onChange((code) => heard.push(code));
	assert.equal(t.setLanguage('hi'), true);
	assert.equal(t.setLanguage('hi'), true);
	assert.equal(t.setLanguage('fr'), false);
	assert.equal(t.lang, 'hi');
	stop();
	t.setLanguage('en');
	assert.deepEqual(heard, ['hi']);
	assert.equal(new I18n('xx').lang, 'en');
});

test('the choice is restored from the URL, else storage, else English; <html lang> and the title follow', () => {
	const store = new Map();
	const storage = {getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v)};
	const doc = {documentElement: {lang: 'en'}, title: ''};
	const t = restoreLanguage(new I18n(), {storage, doc});
	assert.equal(t.lang, 'en');
	assert.equal(doc.documentElement.lang, 'en');
	assert.equal(doc.title, 'bustrack: live buses');
	persistLanguage('mr', storage);
	assert.equal(store.get(STORAGE_KEY), 'mr');
	const again = restoreLanguage(new I18n(), {storage, doc});
	assert.equal(again.lang, 'mr');
	assert.equal(doc.documentElement.lang, 'mr');
	again.setLanguage('hi');
	assert.equal(doc.documentElement.lang, 'hi');
	assert.equal(doc.title, LANGUAGES.hi.messages.pageTitle);
	assert.equal(restoreLanguage(new I18n(), {storage, search: '?lang=hi'}).lang, 'hi');
	assert.equal(restoreLanguage(new I18n(), {storage, search: '?lang=zz'}).lang, 'mr');
	const broken = {getItem() { throw new Error('denied'); }, setItem() { throw new Error('denied'); }};
	assert.equal(restoreLanguage(new I18n(), {storage: broken}).lang, 'en');
	persistLanguage('hi', broken);
});
