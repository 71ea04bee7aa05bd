/**
 * `createCanvas(width, height)`: a detached `<canvas>` of that size in device pixels (the sprite
 * and label atlases draw into these; node tests pass a stand-in instead).
 */

export function createCanvas(width, height) {
	const canvas = document.createElement('canvas');
	canvas.width = width;
	canvas.height = height;
	return canvas;
}
