import test from 'node:test';
import assert from 'node:assert/strict';
import {
	MAP_BACKGROUND, MAP_BACKGROUNDS, MIN_CONTRAST, contrastRatio, hslToRgb, luminance, mapColor, parseHex, readableColor, rgbToHsl, toHex,
} from '../src/contrast.js';

test('WCAG relative luminance and contrast ratio: the spec\'s end points and known pairs', () => {
	assert.equal(luminance([0, 0, 0]), 0);
	assert.equal(luminance([255, 255, 255]), 1);
	assert.equal(contrastRatio('#000000', '#ffffff'), 21);
	assert.equal(contrastRatio('#fff', '#ffffff'), 1);
	assert.equal(contrastRatio('#777777', '#ffffff').toFixed(2), '4.48'); // the usual "#777 fails AA"
	assert.equal(contrastRatio('#ffffff', '#777777'), contrastRatio('#777777', '#ffffff'), 'symmetric');
	assert.ok(Math.abs(luminance(parseHex('#f2efe9')) - 0.865) < 0.001);
});

test('hex and HSL round trips', () => {
	assert.deepEqual(parseHex('#abc'), [0xaa, 0xbb, 0xcc]);
	assert.deepEqual(parseHex('E31837'), [0xe3, 0x18, 0x37]);
	assert.equal(parseHex('red'), null);
	assert.equal(parseHex(undefined), null);
	for (const hex of ['#e31837', '#00a0e2', '#123456', '#ffffff', '#000000', '#7f7f7f', '#ffeb3b']) {
		assert.equal(toHex(hslToRgb(rgbToHsl(parseHex(hex)))), hex);
	}
});

test('white and pale colours are darkened to 3:1 against the map, keeping their hue', () => {
	assert.equal(MAP_BACKGROUND, '#f2efe9');
	assert.equal(MIN_CONTRAST, 3);
	for (const pale of ['#ffffff', '#FFFFFF', '#fff', '#ffeb3b', '#f2efe9', '#cddc39', '#b3e5fc']) {
		const out = readableColor(pale);
		assert.match(out, /^#[0-9a-f]{6}$/);
		const ratio = contrastRatio(out, MAP_BACKGROUND);
		assert.ok(ratio >= 3, `${pale} → ${out}: ${ratio}`);
		// Just enough: not much darker than needed.
		assert.ok(ratio < 3.2, `${pale} → ${out}: ${ratio}`);
		const [h0, s0] = rgbToHsl(parseHex(pale));
		const [h1, s1] = rgbToHsl(parseHex(out));
		if (s0 > 0.2) { assert.ok(Math.abs(h0 - h1) < 4, `${pale} keeps its hue: ${h0} → ${h1}`); }
		if (s0 === 0) { assert.ok(s1 < 0.01, 'a grey stays grey'); }
	}
	// White becomes a mid grey.
	const [r, g, b] = parseHex(readableColor('#ffffff'));
	assert.ok(r === g && g === b && r > 100 && r < 160, readableColor('#ffffff'));
});

test('colours that already stand out are unchanged (but written #rrggbb)', () => {
	for (const hex of ['#c62828', '#1565c0', '#2e7d32', '#123456', '#000000', '#e65100']) {
		assert.ok(contrastRatio(hex, MAP_BACKGROUND) >= 3);
		assert.equal(readableColor(hex), hex);
	}
	assert.equal(readableColor('#C62828'), '#c62828');
	assert.equal(readableColor('#abc', '#000000'), '#aabbcc', 'light on a dark map is fine');
	assert.equal(readableColor('not a colour'), 'not a colour');
});

test('deterministic, other backgrounds and ratios, and a dark map lightens instead', () => {
	assert.equal(readableColor('#ffeb3b'), readableColor('#ffeb3b'));
	const onWhite = readableColor('#ffeb3b', '#ffffff', 4.5);
	assert.ok(contrastRatio(onWhite, '#ffffff') >= 4.5);
	const onDark = readableColor('#1a237e', '#202124', 3);
	assert.ok(contrastRatio(onDark, '#202124') >= 3);
	assert.ok(luminance(parseHex(onDark)) > luminance(parseHex('#1a237e')));
});

test('mapColor: readable on every basemap the page draws (OSM land, Protomaps light earth)', () => {
	assert.deepEqual([...MAP_BACKGROUNDS], ['#f2efe9', '#e2dfda']);
	for (const hex of ['#ffffff', '#ffeb3b', '#e2dfda', '#b3e5fc']) {
		const out = mapColor(hex);
		for (const bg of MAP_BACKGROUNDS) { assert.ok(contrastRatio(out, bg) >= 3, `${hex} → ${out} on ${bg}`); }
	}
	assert.equal(mapColor('#c62828'), '#c62828');
	assert.equal(mapColor('#1565C0'), '#1565c0');
});
