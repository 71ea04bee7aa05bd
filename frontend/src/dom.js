/**
 * Small DOM helpers the page's widgets share: make an element, change a text only when it
 * changed (so that live regions and layout are not disturbed every tick).
 */

/** A new `tag` element with `className` (if any) and the given attributes. */
export function element(tag, className = '', attributes = {}) {
	const el = document.createElement(tag);
	if (className) { el.className = className; }
	for (const [name, value] of Object.entries(attributes)) { el.setAttribute(name, value); }
	return el;
}

/**
 * A panel view's frame (panel.css `.view`): a section labelled by its heading, a head with
 * the title (focusable, for moving the focus there), an optional subtitle and a close button
 * that calls `onClose`, and the scrolling body, in that order.
 *
 * @returns {{section: HTMLElement, head: HTMLElement, title: HTMLElement,
 *   subtitle: HTMLElement | null, close: HTMLElement, scroll: HTMLElement}}
 */
export function viewFrame(className, id, onClose, {subtitle = false} = {}) {
	const section = element('section', `${className} view`, {'aria-labelledby': `${id}-title`});
	const head = element('div', 'view__head');
	const titles = element('div', 'view__titles');
	const title = element('h2', 'view__title', {id: `${id}-title`, tabindex: '-1'});
	const sub = subtitle ? element('p', 'view__subtitle') : null;
	titles.append(...(sub ? [title, sub] : [title]));
	const close = element('button', 'view__close', {type: 'button'});
	close.textContent = '✕';
	close.addEventListener('click', () => onClose());
	head.append(titles, close);
	const scroll = element('div', 'view__scroll');
	section.append(head, scroll);
	return {section, head, title, subtitle: sub, close, scroll};
}

/** Set `el`'s text to `text`, touching the DOM only if it differs. */
export function setText(el, text) {
	if (el.textContent !== text) { el.textContent = text; }
}

/** Like setText, and hide `el` while the text is empty. */
export function setShownText(el, text) {
	setText(el, text);
	el.hidden = !text;
}
