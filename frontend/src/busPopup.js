/**
 * The popup of one bus: route, headsign, and how old its data is ("updated 3 s ago"),
 * kept current once a second while open. One popup for the whole layer.
 */

import L from './leafletGlobal.js';
import {formatAge} from './serviceClock.js';

export class BusPopup {
	/**
	 * @param {Function} ageOf `(id) => ms`: how old vehicle `id`'s data is now, or null
	 */
	constructor(ageOf) {
		this._ageOf = ageOf;
		this._id = null;
		this._timer = null;

		this._content = document.createElement('div');
		this._content.className = 'bus-popup';
		const title = document.createElement('div');
		title.className = 'bus-popup__title';
		this._route = document.createElement('span');
		this._route.className = 'bus-popup__route';
		this._headsign = document.createElement('span');
		this._headsign.className = 'bus-popup__headsign';
		title.append(this._route, this._headsign);
		this._age = document.createElement('div');
		this._age.className = 'bus-popup__age';
		this._content.append(title, this._age);

		this._popup = L.popup({offset: [0, -4], maxWidth: 260, autoPanPadding: [20, 20]})
			.setContent(this._content);
		this._popup.on('remove', this._onRemove, this);
	}

	/** The id of the bus whose popup is open, or null. */
	get vehicleId() {
		return this._id;
	}

	/** The Leaflet popup. */
	get popup() {
		return this._popup;
	}

	/** Open on `map` for `vehicle`, at `latlng`. */
	open(map, vehicle, latlng) {
		this._id = vehicle.id;
		this.refresh(vehicle);
		this._popup.options.autoPan = true;
		this._popup.setLatLng(latlng).openOn(map);
		// Pan the bus into view on opening, but don't drag the map along after it.
		this._popup.options.autoPan = false;
		clearInterval(this._timer);
		this._timer = setInterval(() => this._renderAge(), 1000);
		return this;
	}

	/** Show `vehicle`'s (new) data if its popup is open. */
	refresh(vehicle) {
		if (vehicle.id !== this._id) { return this; }
		this._route.textContent = vehicle.route;
		this._route.style.setProperty('--route-color', vehicle.color);
		this._headsign.textContent = vehicle.headsign ? ` to ${vehicle.headsign}` : '';
		this._renderAge();
		return this;
	}

	/** Move along with the bus. */
	follow(latlng) {
		if (this._id !== null) { this._popup.setLatLng(latlng); }
		return this;
	}

	close() {
		this._popup.close();
		return this;
	}

	_renderAge() {
		const age = this._id === null ? null : this._ageOf(this._id);
		const text = age === null ? '' : `updated ${formatAge(age)}`;
		if (this._age.textContent !== text) { this._age.textContent = text; }
	}

	_onRemove() {
		clearInterval(this._timer);
		this._timer = null;
		this._id = null;
	}
}
