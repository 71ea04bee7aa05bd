/**
 * The pointer over the canvas bus layer (busCanvasLayer.js), as busCanvasInput.js reports it,
 * added to BusCanvasLayer with `include`: the bus under the pointer is drawn with its route label
 * at any zoom, the pointer is a hand over a bus or a cluster (the `.bus-pointer` class on the
 * map's container, style.css), and a click on a cluster zooms in to it.
 */

import L from './leafletGlobal.js';

// Methods of BusCanvasLayer, added by busCanvasLayer.js with `include`. (No getters in here:
// include copies properties by value, which would call them.)
export const pointerMethods = {
	// For busCanvasInput.js.

	/** Zoom in to `cluster` (from `clusterAt`): centred on it, where its buses are drawn one by one. */
	zoomToCluster(cluster) {
		const map = this._map;
		if (!map || !cluster) { return this; }
		const zoom = Math.min(map.getMaxZoom(), Math.max(Math.floor(map.getZoom()) + 1, this.options.clusterBelowZoom));
		map.setView([cluster.lat, cluster.lng], zoom);
		return this;
	},

	/** Whether a cluster is under the pointer (the pointer is a hand then). */
	hoverCluster(over) {
		if (over === this._hoverCluster) { return this; }
		this._hoverCluster = over;
		this._pointerClass();
		return this;
	},

	/** The bus under the pointer (shown with its label at any zoom), or null. */
	hover(id) {
		this._setHover(id === null ? -1 : this._slots.slotOf(id));
		return this;
	},

	_setHover(slot) {
		if (slot === this._hover) { return; }
		this._hover = slot;
		this._pointerClass();
		this._changed();
	},

	_pointerClass() {
		if (!this._map) { return; }
		const over = this._hover >= 0 || this._hoverCluster;
		L.DomUtil[over ? 'addClass' : 'removeClass'](this._map.getContainer(), 'bus-pointer');
	},
};
