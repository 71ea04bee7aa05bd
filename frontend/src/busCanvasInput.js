/**
 * Mouse, touch and keyboard for the canvas bus layer (busCanvasLayer.js).
 *
 * - A click or tap on a bus opens its popup: the topmost bus whose body is under the pointer,
 *   else the nearest within 12 px. The canvas takes no pointer events, so that the stops beneath
 *   it keep theirs: clicks are looked at on their way down to the map (capture phase) and only
 *   those that find a bus are kept from the layers beneath. A click that ends a drag is left alone;
 *   a double click on a bus does not zoom the map (as on a DOM marker).
 * - At city zoom, where buses are drawn as clusters (counts per area), a click or tap on a
 *   cluster zooms in to it; over one the pointer is a hand.
 * - Over a bus the pointer becomes a hand and the bus shows its route label at any zoom.
 * - The buses are not in the tab order one by one (thousands of tab stops): with the map focused,
 *   Enter opens the popup of the bus nearest the centre of the map, Enter again the next nearest,
 *   Shift+Enter the previous one; Escape closes it (Leaflet's own key). A visually hidden live
 *   region says which bus was chosen, and the map's description says how.
 *
 * `add(map)` creates these listeners and elements; `remove()` undoes exactly that.
 */

import L from './leafletGlobal.js';
import {i18n as sharedI18n} from './i18n.js';

let helpCount = 0;

export class BusCanvasInput {
	/**
	 * @param {object} layer the canvas bus layer (`idAt`, `hover`, `openPopup`, …)
	 * @param {import('./i18n.js').I18n} [i18n] the page's language
	 */
	constructor(layer, i18n = sharedI18n) {
		this._layer = layer;
		this._i18n = i18n;
		this._unlisten = null;
		this._map = null;
		this._cycle = null; // {ids, index}: the buses Enter steps through
		this._clickOnBus = false; // whether the latest click found a bus
		this._onClick = this._onClick.bind(this);
		this._onDoubleClick = this._onDoubleClick.bind(this);
		this._onPointerMove = this._onPointerMove.bind(this);
		this._onLeave = this._onLeave.bind(this);
		this._onKey = this._onKey.bind(this);
	}

	add(map) {
		this._map = map;
		const container = map.getContainer();
		container.addEventListener('click', this._onClick, true);
		container.addEventListener('dblclick', this._onDoubleClick, true);
		container.addEventListener('mousemove', this._onPointerMove, {passive: true});
		container.addEventListener('mouseleave', this._onLeave, {passive: true});
		container.addEventListener('keydown', this._onKey);
		map.on('movestart zoomstart', this._onLeave, this);

		helpCount += 1;
		this._help = L.DomUtil.create('div', 'visually-hidden', container);
		this._help.id = `bus-canvas-help-${helpCount}`;
		this._help.textContent = this._i18n.t('busesHelp');
		this._unlisten = this._i18n.onChange(() => { this._help.textContent = this._i18n.t('busesHelp'); });
		this._live = L.DomUtil.create('div', 'visually-hidden', container);
		this._live.setAttribute('aria-live', 'polite');
		const describedBy = container.getAttribute('aria-describedby');
		container.setAttribute('aria-describedby', describedBy ? `${describedBy} ${this._help.id}` : this._help.id);
		return this;
	}

	remove() {
		const map = this._map;
		if (!map) { return this; }
		const container = map.getContainer();
		container.removeEventListener('click', this._onClick, true);
		container.removeEventListener('dblclick', this._onDoubleClick, true);
		container.removeEventListener('mousemove', this._onPointerMove, {passive: true});
		container.removeEventListener('mouseleave', this._onLeave, {passive: true});
		container.removeEventListener('keydown', this._onKey);
		map.off('movestart zoomstart', this._onLeave, this);
		const ids = (container.getAttribute('aria-describedby') ?? '').split(/\s+/)
			.filter((id) => id && id !== this._help.id);
		if (ids.length) {
			container.setAttribute('aria-describedby', ids.join(' '));
		} else {
			container.removeAttribute('aria-describedby');
		}
		this._unlisten?.();
		this._unlisten = null;
		L.DomUtil.remove(this._help);
		L.DomUtil.remove(this._live);
		this._help = this._live = null;
		L.DomUtil.removeClass(container, 'bus-pointer');
		this._cycle = null;
		this._map = null;
		return this;
	}

	/** Whether `target` is the map itself or lies beneath the buses (tiles, lines, stops). */
	_onMapSurface(target) {
		const map = this._map;
		if (target === map.getContainer()) { return true; }
		const panes = map.getPanes();
		return panes.mapPane.contains(target) &&
			!panes.markerPane.contains(target) && !panes.tooltipPane.contains(target) &&
			!panes.popupPane.contains(target);
	}

	_idAtEvent(e) {
		if (!this._onMapSurface(e.target)) { return null; }
		const point = this._map.mouseEventToContainerPoint(e);
		return this._layer.idAt(point.x, point.y);
	}

	_clusterAtEvent(e) {
		if (!this._onMapSurface(e.target)) { return null; }
		const point = this._map.mouseEventToContainerPoint(e);
		return this._layer.clusterAt(point.x, point.y);
	}

	_onClick(e) {
		const map = this._map;
		this._clickOnBus = false;
		if (map.dragging?.moved() || map.boxZoom?.moved()) { return; }
		const id = this._idAtEvent(e);
		if (id === null) {
			const cluster = this._clusterAtEvent(e);
			if (cluster === null) { return; }
			// As a bus's: the map beneath does not get it, nor the double click's zoom.
			this._clickOnBus = true;
			e.stopPropagation();
			this._layer.zoomToCluster(cluster);
			return;
		}
		this._clickOnBus = true;
		// The bus is on top: the stops and the map beneath do not get this click.
		e.stopPropagation();
		this._layer.openPopup(id);
	}

	/**
	 * A double click whose second click found a bus is the bus's, even if the bus (or the map,
	 * panning to show the popup) moved from under the pointer in between.
	 */
	_onDoubleClick(e) {
		if (this._clickOnBus || this._idAtEvent(e) !== null) { e.stopPropagation(); }
		this._clickOnBus = false;
	}

	_onPointerMove(e) {
		if (e.buttons || this._map.dragging?.moving()) { return; }
		const id = this._idAtEvent(e);
		this._layer.hover(id);
		this._layer.hoverCluster(id === null && this._clusterAtEvent(e) !== null);
	}

	_onLeave() {
		this._layer.hover(null);
		this._layer.hoverCluster(false);
	}

	_onKey(e) {
		if (e.key !== 'Enter' || e.target !== this._map.getContainer() || e.altKey || e.ctrlKey || e.metaKey) {
			return;
		}
		e.preventDefault();
		this._step(e.shiftKey ? -1 : 1);
	}

	/** Open the next (+1) or previous (-1) bus's popup, by distance from the centre of the map. */
	_step(direction) {
		const layer = this._layer;
		let cycle = this._cycle;
		const current = layer.getPopup().vehicleId;
		if (!cycle || current === null || cycle.ids[cycle.index] !== current) {
			// A fresh start: the buses on screen now, nearest first.
			cycle = {ids: layer.idsByDistanceFromCentre(), index: direction > 0 ? -1 : 0};
		}
		const n = cycle.ids.length;
		for (let tries = 0; tries < n; tries++) {
			cycle.index = (cycle.index + direction + n) % n;
			const id = cycle.ids[cycle.index];
			if (layer.openPopup(id)) {
				this._cycle = cycle;
				const vehicle = layer.vehicleOf(id);
				const t = (key, params) => this._i18n.t(key, params);
				const name = vehicle.headsign ? t('busName', {route: vehicle.route, headsign: vehicle.headsign}) :
					t('busNameShort', {route: vehicle.route});
				this._say(t('busesNearest', {name, index: cycle.index + 1, count: n}));
				return;
			}
		}
		this._cycle = null;
		this._say(this._i18n.t('busesNone'));
	}

	_say(text) {
		// Said again even when the same: clear first.
		this._live.textContent = '';
		setTimeout(() => {
			if (this._live) { this._live.textContent = text; }
		}, 50);
	}
}
