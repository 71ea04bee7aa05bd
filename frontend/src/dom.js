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

/** Set `el`'s text to `text`, touching the DOM only if it differs. */
export function setText(el, text) {
	if (el.textContent !== text) { el.textContent = text; }
}

/** Like setText, and hide `el` while the text is empty. */
export function setShownText(el, text) {
	setText(el, text);
	el.hidden = !text;
}
