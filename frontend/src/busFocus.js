/**
 * Show one bus chosen away from the map (a row of a stop's next buses): open its popup, which
 * rings it on the map, and pan to it when it is off screen or under the panel.
 *
 * A bus outside the box the page subscribes to is not in the page's state: the subscription asks
 * for every bus of its route for a moment (`subscription.find`), and the next snapshot brings it
 * (`onSnapshot`); then the map goes there and the subscription back to the view.
 *
 * Knows the map, the bus layer and the subscription; holds only the bus being looked for.
 */

/** Give up looking for a bus after this long (ms). */
export const FIND_TIMEOUT_MS = 8000;
/** Zoom the map to at least this when it goes to a bus. */
export const FOCUS_ZOOM = 15;

const reducedMotion = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)') ?? {matches: false};

/**
 * Whether container point `p` lies in the part of a `size` map a user sees: not under what
 * covers it (`covers`: the panel on the left, the top bar and status line on top, CSS px) nor
 * within `margin` of an edge.
 */
export function inSight(p, size, {left = 0, top = 0, bottom = 0} = {}, margin = 40) {
	return p.x >= left + margin && p.x <= size.x - margin &&
		p.y >= top + margin && p.y <= size.y - bottom - margin;
}

export class BusFocus {
	/**
	 * @param {object} parts
	 * @param {L.Map} parts.map
	 * @param {object} parts.buses the bus layer (`displayed(id)`, `openPopup(id)`)
	 * @param {object} parts.subscription subscription.js (`find(routeId)`)
	 * @param {Function} [parts.covers] `() => {left, top, bottom}`: what the page's boxes cover of the map
	 * @param {Function} [parts.onResult] `(state) => void`: 'finding', 'shown' or 'gone'
	 */
	constructor({map, buses, subscription, covers = () => ({left: 0, bottom: 0}), onResult = () => {}}) {
		this._map = map;
		this._buses = buses;
		this._subscription = subscription;
		this._covers = covers;
		this._onResult = onResult;
		this._pending = null; // {id, timer}
	}

	/** The id of the bus being looked for, or null. */
	get pending() {
		return this._pending?.id ?? null;
	}

	/** Show bus `id` of route `routeId`; returns true if it is shown now, false if looked for. */
	show(id, routeId) {
		this._stopLooking();
		if (this._buses.displayed(id)) {
			this._reveal(id);
			return true;
		}
		if (!routeId) {
			this._giveUp();
			return false;
		}
		this._pending = {id, timer: setTimeout(() => this._giveUp(), FIND_TIMEOUT_MS)};
		this._onResult('finding');
		this._subscription.find(routeId);
		return false;
	}

	/** A snapshot was applied: the bus looked for is in it, or not to be had. */
	onSnapshot() {
		const pending = this._pending;
		if (!pending || this._subscription.finding === null) { return; }
		if (this._buses.displayed(pending.id)) {
			// (Still asking for its route: the bus stays in the page's state until the map is there.)
			this._stopLooking();
			this._reveal(pending.id);
		} else {
			this._giveUp();
		}
	}

	_reveal(id) {
		const map = this._map;
		const at = this._buses.displayed(id);
		const latlng = [at.lat, at.lon];
		const point = map.latLngToContainerPoint(latlng);
		const zoom = Math.max(map.getZoom(), FOCUS_ZOOM);
		const open = () => {
			// Back to the view (now around the bus) as the popup subscribes to the bus.
			this._subscription.find(null);
			this._buses.openPopup(id);
			this._onResult('shown');
		};
		if (zoom !== map.getZoom() || !inSight(point, map.getSize(), this._covers())) {
			// The popup opens once the map is there (its own auto-pan would fight the move).
			map.once('moveend', open);
			map.setView(latlng, zoom, {animate: !reducedMotion.matches});
		} else {
			open();
		}
	}

	_giveUp() {
		this._stopLooking();
		this._subscription.find(null);
		this._onResult('gone');
	}

	_stopLooking() {
		if (this._pending) {
			clearTimeout(this._pending.timer);
			this._pending = null;
		}
	}
}
