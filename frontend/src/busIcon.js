/**
 * The look of one bus marker: a teardrop in the route's colour pointing along the bearing,
 * and the route number beside it.
 *
 * Builds the DOM once per bus and then only changes it in place (text, colour, rotation).
 * Styles are in style.css (`.bus-marker…`).
 */

import L from './leafletGlobal.js';
import {mapColor} from './contrast.js';
import {i18n} from './i18n.js';

const SIZE = 18;

export class BusIcon {
	constructor(vehicle) {
		this._body = document.createElement('div');
		this._body.className = 'bus-marker__body';
		this._heading = document.createElement('div');
		this._heading.className = 'bus-marker__heading';
		this._label = document.createElement('span');
		this._label.className = 'bus-marker__label';
		this._body.append(this._heading, this._label);

		this._element = null;
		this._route = null;
		this._color = null;
		this._headsign = null;
		this._degrees = null;

		/** The Leaflet icon to give the marker (its `html` is this object's element). */
		this.icon = L.divIcon({
			className: 'bus-marker',
			html: this._body,
			iconSize: [SIZE, SIZE],
			iconAnchor: [SIZE / 2, SIZE / 2],
			popupAnchor: [0, -SIZE / 2],
		});
		this._vehicle = vehicle;
		this.setVehicle(vehicle);
	}

	/**
	 * Take the marker's element (Leaflet's `div.bus-marker`) once the marker is on the map:
	 * it gets `data-vehicle-id` and an accessible name.
	 */
	attach(element) {
		this._element = element;
		element.dataset.vehicleId = this._vehicle.id;
		this._describe();
		return this;
	}

	/** The marker's element, or null while it is off the map. */
	get element() {
		return this._element;
	}

	/** Show `vehicle`'s route, colour and headsign (the position is the marker's business). */
	setVehicle(vehicle) {
		this._vehicle = vehicle;
		if (vehicle.route !== this._route) {
			this._route = vehicle.route;
			this._label.textContent = vehicle.route;
		}
		if (vehicle.color !== this._color) {
			this._color = vehicle.color;
			this._body.style.setProperty('--route-color', mapColor(vehicle.color));
		}
		if (vehicle.headsign !== this._headsign) {
			this._headsign = vehicle.headsign;
			this._describe();
		}
		return this;
	}

	/** Turn the arrow to `bearing` degrees clockwise from north (whole degrees, no-op if same). */
	setBearing(bearing) {
		const degrees = Math.round(bearing);
		if (degrees !== this._degrees) {
			this._degrees = degrees;
			// The teardrop's point is its top-left corner, 45° left of north.
			this._heading.style.transform = `rotate(${degrees + 45}deg)`;
		}
		return this;
	}

	_describe() {
		if (!this._element) { return; }
		const {route, headsign} = this._vehicle;
		this._element.setAttribute('aria-label',
			headsign ? i18n.t('busName', {route, headsign}) : i18n.t('busNameShort', {route}));
	}
}
