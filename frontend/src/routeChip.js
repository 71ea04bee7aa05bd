/**
 * A route's label as a small chip in the route's colour ("10AS" on red), as the stop popups and
 * the search results show it. Styles: `.route-chip` in network.css.
 */

/**
 * @param {{label: string, color: string, textColor?: string}} route
 * @param {string} [tag='span'] the element to make (`'button'` for a chip one can press)
 * @returns {HTMLElement}
 */
export function routeChip(route, tag = 'span') {
	const chip = document.createElement(tag);
	chip.className = 'route-chip';
	if (tag === 'button') { chip.type = 'button'; }
	chip.textContent = route.label;
	chip.style.setProperty('--route-color', route.color);
	chip.style.setProperty('--route-text', route.textColor ?? '#ffffff');
	return chip;
}
