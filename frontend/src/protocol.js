/**
 * Decoder for the frames of bustrack's `/ws` WebSocket.
 *
 * The format is written down once, in docs/protocol.md; the Python encoder
 * (bustrack/wire/protocol.py) and this decoder both follow it: change all three together.
 *
 * Pure functions: text in, plain objects out. No socket, no DOM, no clock.
 */

/** The frame types this decoder understands; others decode to `null` (ignored). */
export const FRAME_TYPES = Object.freeze(['snapshot', 'update', 'arrivals', 'glance', 'vehicle', 'error', 'pong']);
/** At most this many stops in a `subscribe`'s `glance` (bustrack/wire/protocol.py's MAX_GLANCE). */
export const MAX_GLANCE = 10;

const DEFAULT_COLOR = '#1565c0';
const COLOR_RE = /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const CLOCK_MODES = ['live', 'busiest', 'fixed', 'replay'];
/** GTFS-realtime's OccupancyStatus names: how full a bus is (docs/protocol.md). */
export const OCCUPANCY = Object.freeze([
	'EMPTY', 'MANY_SEATS_AVAILABLE', 'FEW_SEATS_AVAILABLE', 'STANDING_ROOM_ONLY',
	'CRUSHED_STANDING_ROOM_ONLY', 'FULL', 'NOT_ACCEPTING_PASSENGERS',
]);
const occupancy = (value) => (OCCUPANCY.includes(value) ? value : null);

/** Thrown for a frame that breaks docs/protocol.md (not JSON, no `type`, bad fields). */
export class ProtocolError extends Error {
	constructor(message) {
		super(message);
		this.name = 'ProtocolError';
	}
}

function isObject(value) {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value) {
	return typeof value === 'string' ? value : (value == null ? '' : String(value));
}

function timestamp(msg) {
	if (!Number.isFinite(msg.ts)) {
		throw new ProtocolError(`"${msg.type}" frame without a numeric "ts"`);
	}
	return msg.ts;
}

const COORD_SCALE = 100000; // coordinates travel as integers of 1e-5 degree

function position(latE5, lonE5) {
	if (!Number.isFinite(latE5) || !Number.isFinite(lonE5)) { return null; }
	const lat = latE5 / COORD_SCALE;
	const lon = lonE5 / COORD_SCALE;
	if (Math.abs(lat) > 90 || Math.abs(lon) > 180) { return null; }
	return {lat, lon};
}

function normalBearing(raw) {
	return Number.isFinite(raw) ? ((raw % 360) + 360) % 360 : 0;
}

/**
 * A full vehicle record `[n, id, route_id, route, headsign, color, lat, lon, bearing]`, or `null`
 * when it lacks a number, an id or a valid position. Extra trailing fields are ignored.
 */
export function decodeVehicle(raw) {
	if (!Array.isArray(raw) || raw.length < 9) { return null; }
	const [n, id, routeId, route, headsign, color, latE5, lonE5, bearing, reported] = raw;
	if (!Number.isInteger(n) || typeof id !== 'string' || id === '') { return null; }
	const pos = position(latE5, lonE5);
	if (!pos) { return null; }
	return {
		n,
		id,
		routeId: text(routeId),
		route: text(route),
		headsign: text(headsign),
		color: typeof color === 'string' && COLOR_RE.test(color) ? color : DEFAULT_COLOR,
		lat: pos.lat,
		lon: pos.lon,
		bearing: normalBearing(bearing),
		// Unix ms of the last report of a bus that went silent; 0 while it reports.
		reportedMs: Number.isFinite(reported) && reported > 0 ? reported * 1000 : 0,
	};
}

/** A move `[n, lat, lon, bearing]`, or `null` when broken. */
export function decodeMove(raw) {
	if (!Array.isArray(raw) || raw.length < 4 || !Number.isInteger(raw[0])) { return null; }
	const pos = position(raw[1], raw[2]);
	if (!pos) { return null; }
	return {n: raw[0], lat: pos.lat, lon: pos.lon, bearing: normalBearing(raw[3])};
}

function list(value, what) {
	if (value === undefined) { return []; }
	if (!Array.isArray(value)) { throw new ProtocolError(`${what} is not a list`); }
	return value;
}

/** Flatten a frame's parts: every part's entered, moved and left vehicles. */
function decodeParts(msg) {
	const vehicles = [];
	const moves = [];
	const remove = [];
	let rejected = 0;
	for (const part of list(msg.parts, `"${msg.type}" frame's "parts"`)) {
		if (!isObject(part)) { throw new ProtocolError(`"${msg.type}" frame with a part that is not an object`); }
		for (const raw of list(part.e, 'a part\'s "e"')) {
			const vehicle = decodeVehicle(raw);
			if (vehicle) { vehicles.push(vehicle); } else { rejected += 1; }
		}
		for (const raw of list(part.m, 'a part\'s "m"')) {
			const move = decodeMove(raw);
			if (move) { moves.push(move); } else { rejected += 1; }
		}
		for (const n of list(part.l, 'a part\'s "l"')) {
			if (Number.isInteger(n)) { remove.push(n); }
		}
	}
	return {vehicles, moves, remove, rejected};
}

function decodeClock(raw) {
	const clock = isObject(raw) ? raw : {};
	return {
		service_time: text(clock.service_time),
		mode: CLOCK_MODES.includes(clock.mode) ? clock.mode : 'live',
		note: text(clock.note),
	};
}

function decodeSnapshot(msg) {
	const {vehicles, rejected} = decodeParts(msg);
	return {
		type: 'snapshot',
		// Kept as sent (even missing): the caller compares it with the version it speaks.
		v: msg.v,
		ts: timestamp(msg),
		clock: decodeClock(msg.clock),
		vehicles,
		rejected,
	};
}

function finiteOrNull(value) {
	return Number.isFinite(value) ? value : null;
}

function decodeArrival(raw) {
	if (!isObject(raw) || !Number.isFinite(raw.eta)) { return null; }
	return {
		vehicle: typeof raw.vehicle === 'string' ? raw.vehicle : null,
		trip: text(raw.trip),
		routeId: text(raw.route_id),
		route: text(raw.route),
		color: typeof raw.color === 'string' && COLOR_RE.test(raw.color) ? raw.color : DEFAULT_COLOR,
		headsign: text(raw.headsign),
		eta: raw.eta,
		uncertainty: finiteOrNull(raw.uncertainty),
		live: raw.live === true,
		scheduled: finiteOrNull(raw.scheduled),
		noSignal: raw.no_signal === true,
		occupancy: occupancy(raw.occupancy),
	};
}

function decodeStop(raw) {
	if (!isObject(raw) || typeof raw.id !== 'string') { return null; }
	return {id: raw.id, name: text(raw.name), lat: finiteOrNull(raw.lat), lon: finiteOrNull(raw.lon)};
}

function decodeArrivals(msg) {
	const stop = decodeStop(msg.stop);
	if (!stop) { throw new ProtocolError('"arrivals" frame without a stop'); }
	const arrivals = list(msg.arrivals, '"arrivals" frame\'s "arrivals"').map(decodeArrival).filter(Boolean);
	return {type: 'arrivals', ts: timestamp(msg), stop, arrivals};
}

function decodeGlanceBus(raw) {
	if (!isObject(raw) || !Number.isFinite(raw.eta)) { return null; }
	return {
		route: text(raw.route),
		color: typeof raw.color === 'string' && COLOR_RE.test(raw.color) ? raw.color : DEFAULT_COLOR,
		headsign: text(raw.headsign),
		eta: raw.eta,
		live: raw.live === true,
		trip: typeof raw.trip === 'string' ? raw.trip : null,
	};
}

/** `glance`: `{type, ts, stops: Map(stop id → [{route, color, headsign, eta, live, trip}])}` (trip: null if none). */
function decodeGlance(msg) {
	if (!isObject(msg.stops)) { throw new ProtocolError('"glance" frame without "stops"'); }
	const stops = new Map();
	for (const [id, rows] of Object.entries(msg.stops)) {
		stops.set(id, list(rows, `"glance" frame's stop "${id}"`).map(decodeGlanceBus).filter(Boolean));
	}
	return {type: 'glance', ts: timestamp(msg), stops};
}

function decodeVehicleDetails(msg) {
	if (typeof msg.id !== 'string') { throw new ProtocolError('"vehicle" frame without an id'); }
	const next = decodeStop(msg.next_stop);
	return {
		type: 'vehicle',
		ts: timestamp(msg),
		id: msg.id,
		active: msg.active === true,
		routeId: text(msg.route_id),
		route: text(msg.route),
		headsign: text(msg.headsign),
		nextStop: next && {...next, eta: finiteOrNull(msg.next_stop.eta), uncertainty: finiteOrNull(msg.next_stop.uncertainty)},
		delay: finiteOrNull(msg.delay),
		speedKmh: finiteOrNull(msg.speed_kmh),
		occupancy: occupancy(msg.occupancy),
		reported: finiteOrNull(msg.reported),
		stale: msg.stale === true,
	};
}

function decodeUpdate(msg) {
	return {type: 'update', ts: timestamp(msg), ...decodeParts(msg)};
}

/**
 * Decode one text frame.
 *
 * Returns a plain object with the frame's `type` and fields (see docs/protocol.md),
 * or `null` for a well-formed frame of a type this client does not know (ignore it).
 * Throws a ProtocolError for anything that is not a JSON object with a string `type`,
 * or a known frame with broken fields.
 */
export function decodeFrame(data) {
	if (typeof data !== 'string') {
		throw new ProtocolError('binary frame; the protocol only sends JSON text');
	}
	let msg;
	try {
		msg = JSON.parse(data);
	} catch {
		throw new ProtocolError('frame is not valid JSON');
	}
	if (!isObject(msg) || typeof msg.type !== 'string') {
		throw new ProtocolError('frame is not a JSON object with a string "type"');
	}
	switch (msg.type) {
	case 'snapshot': return decodeSnapshot(msg);
	case 'update': return decodeUpdate(msg);
	case 'arrivals': return decodeArrivals(msg);
	case 'glance': return decodeGlance(msg);
	case 'vehicle': return decodeVehicleDetails(msg);
	// Nothing is built on these two, so a missing `ts` is forgiven.
	case 'error': return {type: 'error', ts: Number.isFinite(msg.ts) ? msg.ts : null, error: text(msg.error)};
	case 'pong': return {type: 'pong', ts: Number.isFinite(msg.ts) ? msg.ts : null};
	default: return null;
	}
}

/** The text of a client → server `ping` frame. */
export function encodePing() {
	return JSON.stringify({type: 'ping'});
}

/**
 * The text of a client → server `subscribe` frame: what the client looks at.
 *
 * @param {object} what
 * @param {number[]|null} [what.bbox] [west, south, east, north] in degrees, or null for everything
 * @param {string[]} [what.routes] route ids: only their vehicles, wherever they are
 * @param {string|null} [what.stop] a stop id: also its `arrivals` after every frame
 * @param {string|null} [what.vehicle] a vehicle id: also its `vehicle` details after every frame
 * @param {string[]} [what.glance] stop ids (at most MAX_GLANCE): also their next buses in `glance` frames
 */
export function encodeSubscribe({bbox = null, routes = [], stop = null, vehicle = null, glance = []} = {}) {
	const msg = {type: 'subscribe'};
	if (bbox) { msg.bbox = bbox.map((v) => Math.round(v * 1e5) / 1e5); }
	if (routes.length) { msg.routes = routes; }
	if (stop) { msg.stop = stop; }
	if (vehicle) { msg.vehicle = vehicle; }
	if (glance.length) { msg.glance = glance; }
	return JSON.stringify(msg);
}
