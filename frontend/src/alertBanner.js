/**
 * A banner of service alerts (alerts.js) at the top of a stop's panel or over a route's view:
 * each alert's header in bold, its description, and its link if it has one, in the page's
 * language when the feed translated it. An icon and the word "Alert" say what it is (not colour
 * alone); the banner is a labelled region, hidden when there is nothing to say.
 *
 * Owns the DOM inside its element.
 */

import {element} from './dom.js';
import {textOf} from './alerts.js';
import {i18n as sharedI18n} from './i18n.js';

export class AlertBanner {
	/**
	 * @param {HTMLElement} [host] an element to fill (default: a new `div`, as `element`)
	 * @param {import('./i18n.js').I18n} [i18n]
	 */
	constructor(host = null, i18n = sharedI18n) {
		this._i18n = i18n;
		this.element = host ?? element('div');
		this.element.classList.add('alert-banner');
		this.element.setAttribute('role', 'region');
		this.element.hidden = true;
		this._alerts = [];
		i18n.onChange(() => this._render());
	}

	/** Show `alerts` (from alerts.js; [] hides the banner). */
	show(alerts) {
		this._alerts = alerts ?? [];
		this._render();
		return this;
	}

	/** The alerts shown: `[{id, header}]`, header in the page's language. */
	shown() {
		return this._alerts.map((a) => ({id: a.id, header: textOf(a.header, this._i18n.lang)}));
	}

	_render() {
		const el = this.element;
		const lang = this._i18n.lang;
		el.setAttribute('aria-label', this._i18n.t('alertsLabel'));
		el.replaceChildren();
		el.hidden = this._alerts.length === 0;
		for (const a of this._alerts) {
			const item = element('div', 'alert-banner__item');
			item.dataset.alert = a.id;
			const head = element('p', 'alert-banner__header');
			const icon = element('span', 'alert-banner__icon', {'aria-hidden': 'true'});
			icon.textContent = '⚠';
			const word = element('span', 'visually-hidden');
			word.textContent = `${this._i18n.t('alertWord')}: `;
			const strong = element('strong');
			strong.textContent = textOf(a.header, lang) || this._i18n.t('alertWord');
			head.append(icon, word, strong);
			item.append(head);
			const description = textOf(a.description, lang);
			if (description) {
				const p = element('p', 'alert-banner__description');
				p.textContent = description;
				item.append(p);
			}
			const url = textOf(a.url, lang);
			if (/^https?:\/\//.test(url)) {
				const link = element('a', 'alert-banner__link', {href: url, target: '_blank', rel: 'noopener'});
				link.textContent = this._i18n.t('alertMore');
				item.append(link);
			}
			el.append(item);
		}
	}
}
