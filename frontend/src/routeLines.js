/**
 * The routes' lines: one `L.polyline` per route (all the distinct lines its trips run along),
 * in the route's colour, thin and half-transparent, on one shared canvas in a pane of its own
 * beneath the stops and the buses.
 *
 * `showOnly(id)` keeps only that route, thicker, on a white casing; `showAll()` brings the
 * others back. The polylines are built once, when the routes arrive, then only added, removed
 * and restyled. Lines do not take clicks: the map and the stops beneath them do.
 */

import {mapColor} from './contrast.js';
import L from './leafletGlobal.js';

/** The pane, between the tiles (200) and Leaflet's overlays (400). */
export const ROUTES_PANE = 'bustrackRoutes';

export const RouteLines = L.Layer.extend({
	options: {
		pane: ROUTES_PANE,
		zIndex: 350,
		weight: 2,
		opacity: 0.5,
		focusWeight: 5,
		focusOpacity: 0.95,
		casingColor: '#ffffff',
	},

	initialize(options) {
		L.Util.setOptions(this, options);
		this._renderer = L.canvas({pane: this.options.pane});
		this._group = L.layerGroup();
		this._lines = new Map(); // route id → L.Polyline
		this._focus = null; // route id shown alone, or null
		this._casing = L.polyline([], {
			renderer: this._renderer,
			interactive: false,
			color: this.options.casingColor,
			weight: this.options.focusWeight + 4,
			opacity: 0.85,
			lineCap: 'round',
			lineJoin: 'round',
		});
	},

	onAdd(map) {
		if (!map.getPane(this.options.pane)) {
			map.createPane(this.options.pane).style.zIndex = String(this.options.zIndex);
		}
		this._group.addTo(map);
	},

	onRemove() {
		this._group.remove();
	},

	// Public methods.

	/**
	 * Draw the routes of `routes` (a RouteIndex), replacing any drawn before.
	 * A route shown alone stays alone.
	 */
	setRoutes(routes) {
		this._group.clearLayers();
		this._lines.clear();
		for (const route of routes.values()) {
			if (!route.lines.length) { continue; }
			this._lines.set(route.id, L.polyline(route.lines, {
				renderer: this._renderer,
				interactive: false,
				// Too light a route colour is darkened to stand out from the map (contrast.js).
				color: mapColor(route.color),
				lineCap: 'round',
				lineJoin: 'round',
				smoothFactor: 1.5,
			}));
		}
		if (this._focus === null) { return this.showAll(); }
		this.showOnly(this._focus);
		return this;
	},

	/** Show only route `id`'s line, highlighted; returns false if it has none (nothing is shown). */
	showOnly(id) {
		const line = this._lines.get(id);
		this._group.clearLayers();
		this._focus = id;
		if (!line) { return false; }
		this._casing.setLatLngs(line.getLatLngs());
		line.setStyle({weight: this.options.focusWeight, opacity: this.options.focusOpacity});
		this._group.addLayer(this._casing).addLayer(line);
		return true;
	},

	/** Show every route's line again, thin. */
	showAll() {
		this._focus = null;
		this._group.clearLayers();
		const style = {weight: this.options.weight, opacity: this.options.opacity};
		for (const line of this._lines.values()) {
			line.setStyle(style);
			this._group.addLayer(line);
		}
		return this;
	},

	/** The id of the route shown alone, or null when all are shown. */
	focused() {
		return this._focus;
	},

	/** Number of routes whose line is drawn now. */
	count() {
		let n = 0;
		for (const line of this._lines.values()) { if (this._group.hasLayer(line)) { n += 1; } }
		return n;
	},

	/** Route `id`'s polyline (on the map or not), or undefined. */
	getLine(id) {
		return this._lines.get(id);
	},
});

export function routeLines(options) {
	return new RouteLines(options);
}
