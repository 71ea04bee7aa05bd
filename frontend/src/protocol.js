/**
 * Decoder for the frames of bustrack's `/ws` WebSocket.
 *
 * The format is written down once, in docs/protocol.md; the Python encoder
 * (bustrack/protocol.py) and this decoder both follow it: change all three together.
 *
 * Pure functions: text in, plain objects out. No socket, no DOM, no clock.
 */

/** The frame types this decoder understands; others decode to `null` (ignored). */
export const FRAME_TYPES = Object.freeze(['snapshot', 'update', 'error', 'pong']);

const DEFAULT_COLOR = '#1565c0';
const COLOR_RE = /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const CLOCK_MODES = ['live', 'busiest'];

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

/**
 * One vehicle of a `snapshot` or `update`, or `null` when it lacks an `id` or a position.
 * Fields: id, route, lat, lon, bearing (0–359), headsign, trip, color (a CSS hex colour).
 */
export function decodeVehicle(raw) {
	if (!isObject(raw)) { return null; }
	const {id, lat, lon} = raw;
	if ((typeof id !== 'string' || id === '') && !Number.isFinite(id)) { return null; }
	if (!Number.isFinite(lat) || !Number.isFinite(lon) ||
		Math.abs(lat) > 90 || Math.abs(lon) > 180) { return null; }
	const bearing = Number.isFinite(raw.bearing) ? ((raw.bearing % 360) + 360) % 360 : 0;
	const color = typeof raw.color === 'string' && COLOR_RE.test(raw.color) ? raw.color : DEFAULT_COLOR;
	return {
		id: String(id),
		route: text(raw.route),
		lat,
		lon,
		bearing,
		headsign: text(raw.headsign),
		trip: text(raw.trip),
		color,
	};
}

function decodeVehicles(list, type) {
	if (list === undefined) { return {vehicles: [], rejected: 0}; }
	if (!Array.isArray(list)) {
		throw new ProtocolError(`"${type}" frame whose "vehicles" is not a list`);
	}
	const vehicles = [];
	for (const raw of list) {
		const vehicle = decodeVehicle(raw);
		if (vehicle) { vehicles.push(vehicle); }
	}
	return {vehicles, rejected: list.length - vehicles.length};
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
	const {vehicles, rejected} = decodeVehicles(msg.vehicles, 'snapshot');
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

function decodeUpdate(msg) {
	const {vehicles, rejected} = decodeVehicles(msg.vehicles, 'update');
	const remove = msg.remove === undefined ? [] : msg.remove;
	if (!Array.isArray(remove)) {
		throw new ProtocolError('"update" frame whose "remove" is not a list');
	}
	return {
		type: 'update',
		ts: timestamp(msg),
		vehicles,
		remove: remove.filter((id) => typeof id === 'string' || Number.isFinite(id)).map(String),
		rejected,
	};
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
