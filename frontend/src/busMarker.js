/**
 * `L.Marker` made cheap enough for thousands of moving buses.
 *
 * Leaflet places markers with `translate3d`, which gives each one a compositing layer of its
 * own: with ~2,500 markers the browser spends its frames compositing (3 fps in software
 * rendering). This marker uses a 2D `translate` instead (painted together, no layer each),
 * and skips the DOM write when the rounded pixel position did not change.
 */

import L from './leafletGlobal.js';

export const BusMarker = L.Marker.extend({
	_setPos(pos) {
		const icon = this._icon;
		if (!icon) { return; }
		const old = icon._leaflet_pos;
		// Leaflet's own helpers (e.g. DomUtil.getPosition) read the position from here.
		icon._leaflet_pos = pos;
		if (old && old.x === pos.x && old.y === pos.y) { return; }
		icon.style.transform = `translate(${pos.x}px,${pos.y}px)`;
		this._zIndex = pos.y + this.options.zIndexOffset;
		this._resetZIndex();
	},
});

export function busMarker(latlng, options) {
	return new BusMarker(latlng, options);
}
