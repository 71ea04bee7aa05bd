/**
 * Route colours that stand out from the map: WCAG 2 relative luminance and contrast ratio, and
 * `readableColor`, which darkens a colour too light for the basemap (a white or pale yellow
 * route, as some feeds have) just enough to reach a contrast ratio, keeping its hue and
 * saturation (HSL lightness down), so that a route stays recognisably its colour.
 *
 * The route lines (routeLines.js), the buses on the canvas (busSprites.js), their label bars
 * (busLabels.js) and the DOM markers (busIcon.js) draw `mapColor(route colour)`: readable on
 * every basemap the page draws.
 *
 * Pure: strings and numbers in and out (answers are memoised).
 */

/** The basemap's land colour (OpenStreetMap's), behind most of what is drawn. */
export const MAP_BACKGROUND = '#f2efe9';

/**
 * The land colours of the page's basemaps: OpenStreetMap's raster tiles, and Protomaps' light
 * flavor (`earth`) with `--basemap` (basemap.js).
 */
export const MAP_BACKGROUNDS = Object.freeze([MAP_BACKGROUND, '#e2dfda']);

/** WCAG 2's contrast for graphical objects (1.4.11 Non-text Contrast). */
export const MIN_CONTRAST = 3;

/** `#rgb` or `#rrggbb` (the `#` optional) as [r, g, b] in 0–255, or null. */
export function parseHex(hex) {
	const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(hex ?? '').trim());
	if (!m) { return null; }
	const h = m[1].length === 3 ? m[1].replace(/./g, '$&$&') : m[1];
	return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
}

/** [r, g, b] in 0–255 as `#rrggbb`. */
export function toHex([r, g, b]) {
	return `#${[r, g, b].map((c) => Math.round(Math.min(255, Math.max(0, c))).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG 2 relative luminance of [r, g, b] (0–255): 0 for black, 1 for white. */
export function luminance([r, g, b]) {
	const lin = (c) => {
		const s = c / 255;
		return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
	};
	return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2 contrast ratio of two colours (hex strings or [r, g, b]): 1 to 21. */
export function contrastRatio(a, b) {
	const la = luminance(typeof a === 'string' ? parseHex(a) : a);
	const lb = luminance(typeof b === 'string' ? parseHex(b) : b);
	return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** [r, g, b] (0–255) as [h (0–360), s, l (0–1)]. */
export function rgbToHsl([r, g, b]) {
	const [rs, gs, bs] = [r / 255, g / 255, b / 255];
	const max = Math.max(rs, gs, bs);
	const min = Math.min(rs, gs, bs);
	const l = (max + min) / 2;
	if (max === min) { return [0, 0, l]; }
	const d = max - min;
	const s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
	let h;
	if (max === rs) {
		h = (gs - bs) / d + (gs < bs ? 6 : 0);
	} else if (max === gs) {
		h = (bs - rs) / d + 2;
	} else {
		h = (rs - gs) / d + 4;
	}
	return [h * 60, s, l];
}

/** [h (0–360), s, l (0–1)] as [r, g, b] (0–255, unrounded). */
export function hslToRgb([h, s, l]) {
	const k = (n) => (n + h / 30) % 12;
	const a = s * Math.min(l, 1 - l);
	const f = (n) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
	return [f(0) * 255, f(8) * 255, f(4) * 255];
}

const memo = new Map();

/**
 * `hex` itself (as `#rrggbb`) if its contrast ratio against `background` is `minRatio` or more;
 * else the lightest colour of the same hue and saturation (HSL) darker than it that reaches
 * `minRatio`. Against a light background, black always does (up to 21:1). An unreadable
 * `hex` (not a colour) is returned as it is.
 *
 * @param {string} hex `#rrggbb` or `#rgb`
 * @param {string} [background=MAP_BACKGROUND]
 * @param {number} [minRatio=MIN_CONTRAST]
 * @returns {string}
 */
export function readableColor(hex, background = MAP_BACKGROUND, minRatio = MIN_CONTRAST) {
	const key = `${hex}|${background}|${minRatio}`;
	let answer = memo.get(key);
	if (answer === undefined) {
		answer = compute(hex, background, minRatio);
		if (memo.size >= 4096) { memo.delete(memo.keys().next().value); }
		memo.set(key, answer);
	}
	return answer;
}

function compute(hex, background, minRatio) {
	const rgb = parseHex(hex);
	const bg = parseHex(background);
	if (!rgb || !bg) { return hex; }
	const own = toHex(rgb);
	if (contrastRatio(rgb, bg) >= minRatio) { return own; }
	// Darker than a dark background cannot help: go lighter then (mirror case).
	const darken = luminance(bg) > 0.18;
	const [h, s, l] = rgbToHsl(rgb);
	const ok = (lightness) => contrastRatio(parseHex(toHex(hslToRgb([h, s, lightness]))), bg) >= minRatio;
	// Bisect on lightness between the colour's own (too close) and black (or white).
	let near = l;
	let far = darken ? 0 : 1;
	if (!ok(far)) { return toHex(hslToRgb([h, s, far])); }
	for (let i = 0; i < 24; i++) {
		const mid = (near + far) / 2;
		if (ok(mid)) { far = mid; } else { near = mid; }
	}
	return toHex(hslToRgb([h, s, far]));
}

/**
 * `hex` made readable (`readableColor`, `minRatio`) on every basemap of MAP_BACKGROUNDS: what
 * the map draws a route in.
 */
export function mapColor(hex, minRatio = MIN_CONTRAST) {
	let out = hex;
	for (const background of MAP_BACKGROUNDS) { out = readableColor(out, background, minRatio); }
	return out;
}
