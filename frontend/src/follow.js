/**
 * "Follow" a bus: keep the map centred on it while it glides, until the user drags or zooms.
 *
 * `Follow` is the state (which bus, and whether the map is being moved by the follower itself,
 * so that its own pans do not count as the user's); `followOffset` is the pan that recentres
 * the map. The layer calls `step` from its animation frame; `FollowMap` wires it to a Leaflet map.
 *
 * `Follow` and `followOffset` are pure (numbers in, numbers out); `FollowMap` only listens to
 * the map's events and pans it.
 */

/** Offsets shorter than this (CSS px) are not worth a pan. */
export const FOLLOW_MIN_PX = 0.5;

/**
 * The pan `[dx, dy]` (CSS px) that brings `point` (the bus, container px) to `centre`, or null
 * when it is there already (within `minPx`).
 */
export function followOffset(point, centre, minPx = FOLLOW_MIN_PX) {
	const dx = point.x - centre.x;
	const dy = point.y - centre.y;
	if (Math.abs(dx) < minPx && Math.abs(dy) < minPx) { return null; }
	return [dx, dy];
}

export class Follow {
	constructor() {
		this._id = null;
		this._self = false;
	}

	/** The id of the bus followed, or null. */
	get id() {
		return this._id;
	}

	/** Follow bus `id` (null: stop). */
	start(id) {
		this._id = id ?? null;
		return this;
	}

	stop() {
		this._id = null;
		return this;
	}

	/** Whether the map is being moved by the follower right now. */
	get moving() {
		return this._self;
	}

	/**
	 * The map started moving: the user's doing (a drag, a zoom, the keyboard) unless the
	 * follower is moving it. Returns whether following stopped because of it.
	 */
	mapMoveStarted({zoom = false} = {}) {
		if (this._id === null || (this._self && !zoom)) { return false; }
		this._id = null;
		return true;
	}

	/** Run `pan` as the follower's own move. */
	selfMove(pan) {
		this._self = true;
		try {
			pan();
		} finally {
			this._self = false;
		}
	}
}

/** Following on a Leaflet map: the user's drags and zooms end it; `step` recentres. */
export class FollowMap {
	/**
	 * @param {L.Map} map
	 * @param {Function} [onStop] `(id) => void`: following ended because the user moved the map
	 */
	constructor(map, onStop = () => {}) {
		this._map = map;
		this._onStop = onStop;
		this.state = new Follow();
		this._onMove = () => this._userMoved(false);
		this._onZoom = () => this._userMoved(true);
		map.on('movestart dragstart', this._onMove);
		map.on('zoomstart', this._onZoom);
	}

	get id() {
		return this.state.id;
	}

	start(id) {
		this.state.start(id);
		return this;
	}

	stop() {
		this.state.stop();
		return this;
	}

	/** Bring the followed bus, at `latlng` now, to the centre of the map (no animation). */
	step(latlng) {
		if (this.state.id === null || !latlng) { return; }
		const map = this._map;
		const offset = followOffset(map.latLngToContainerPoint(latlng), map.getSize().divideBy(2));
		if (offset) { this.state.selfMove(() => map.panBy(offset, {animate: false})); }
	}

	remove() {
		this._map.off('movestart dragstart', this._onMove);
		this._map.off('zoomstart', this._onZoom);
	}

	_userMoved(zoom) {
		const id = this.state.id;
		if (this.state.mapMoveStarted({zoom})) { this._onStop(id); }
	}
}
