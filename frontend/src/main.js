/**
 * Wires the page together: config → map → fleet state → bus markers and status line, fed by the
 * WebSocket connection. Holds no logic of its own beyond routing frames; exposes `window.bustrack`
 * for automated browser tests.
 */

import {readConfig, socketUrl} from './config.js';
import {Connection, State} from './connection.js';
import {Fleet} from './fleet.js';
import {busLayer, rendererFromQuery} from './busLayer.js';
import {boundsToBox} from './bbox.js';
import {addNetwork} from './network.js';
import {createMap} from './map.js';
import {ServiceClock} from './serviceClock.js';
import {StatusLine} from './status.js';
import {Subscription} from './subscription.js';

const config = readConfig();
const status = new StatusLine(document.getElementById('status'));
const map = createMap('map', config, {
	onTiles: (ok) => status.setRemark(ok ? '' : 'Map tiles cannot be loaded; buses are still shown.'),
});
const fleet = new Fleet({defaultTickMs: config.tick_ms});
const clock = new ServiceClock();
// Buses on one canvas; `?markers=dom` draws them as DOM markers instead (busLayer.js).
const buses = busLayer({
	ageOf: (id) => fleet.dataAgeMs(id, Date.now()),
	renderer: rendererFromQuery(location.search),
}).addTo(map);
// The page asks only for the buses in and around its view (docs/protocol.md, "subscribe").
const subscription = new Subscription(map);
const connection = new Connection(() => socketUrl(config.ws_path) + subscription.query());
subscription.attach(connection);
// Route lines, stops and the search box (network.js); a chosen route is also subscribed to.
const network = addNetwork(map, buses, document.getElementById('search'), {subscription});

const counters = {snapshots: 0, updates: 0, errors: 0, protocolErrors: 0};
let synced = false; // A snapshot was applied on the current connection.
let warnedRejected = false;

function setStale(stale) {
	map.getContainer().classList.toggle('bus-stale', stale);
}

function showClock() {
	status.setClock({time: clock.text, mode: clock.mode, note: clock.note});
}

function warnRejected(frame) {
	if (frame.rejected && !warnedRejected) {
		warnedRejected = true;
		console.warn(`bustrack: ignored ${frame.rejected} vehicle(s) without an id or a position`);
	}
}

function onSnapshot(frame, receivedAt) {
	if (frame.v !== config.protocol_version) {
		console.warn(`bustrack: the server speaks protocol v${frame.v}, this page v${config.protocol_version}`);
		connection.stop();
		setStale(true);
		status.outdated();
		return;
	}
	warnRejected(frame);
	const changes = fleet.applySnapshot(frame, receivedAt);
	buses.apply(changes, {durationMs: fleet.tickMs, fadeIn: counters.snapshots > 0});
	counters.snapshots += 1;
	synced = true;
	clock.reset(frame.clock, frame.ts);
	showClock();
	setStale(false);
	status.live(fleet.size);
}

function onUpdate(frame, receivedAt) {
	if (!synced) { return; } // Updates build on a snapshot; one is on its way.
	warnRejected(frame);
	const changes = fleet.applyUpdate(frame, receivedAt);
	buses.apply(changes, {durationMs: fleet.tickMs});
	counters.updates += 1;
	clock.advance(frame.ts);
	showClock();
	status.setCount(fleet.size);
}

connection.on('state', ({state, retryAt}) => {
	if (state === State.CONNECTING) {
		synced = false;
		status.connecting();
	} else if (state === State.WAITING) {
		synced = false;
		setStale(true);
		status.waiting(retryAt);
	}
});

connection.on('frame', ({frame, receivedAt}) => {
	if (frame.type === 'snapshot') {
		onSnapshot(frame, receivedAt);
	} else if (frame.type === 'update') {
		onUpdate(frame, receivedAt);
	} else if (frame.type === 'error') {
		counters.errors += 1;
		console.warn('bustrack: the server could not understand us:', frame.error);
	}
});

connection.on('protocolerror', ({error}) => {
	counters.protocolErrors += 1;
	console.warn('bustrack: dropped a frame that breaks docs/protocol.md:', error.message);
});

window.addEventListener('online', () => connection.retryNow());

connection.start();

// A small API for automated browser tests (and curious humans in the console).
window.bustrack = {
	config, map, fleet, buses, status, connection, clock, subscription,
	/** Vehicles in the state (from the snapshot and updates). */
	vehicleCount: () => fleet.size,
	/** Which renderer draws the buses: 'canvas' or 'dom' (`?markers=dom`). */
	busRenderer: () => buses.renderer,
	/** Buses on the map, not counting those fading out (drawn or not). */
	markerCount: () => buses.count(),
	/** Buses drawn now (canvas: in the view; dom: with a marker in the DOM, in and around the view). */
	shownMarkerCount: () => buses.shownCount(),
	/** Ids of the buses drawn now (as shownMarkerCount counts them). */
	shownVehicleIds: () => buses.shownIds(),
	/** The route labels drawn now: [{id, text, …}]. */
	busLabels: () => buses.labels(),
	/** Ids of the buses on the map. */
	vehicleIds: () => buses.ids(),
	/** A copy of vehicle `id`'s latest data (with `updatedTs`), or null. */
	vehicle: (id) => (fleet.has(id) ? {...fleet.get(id)} : null),
	/** Where bus `id` is drawn right now, mid-glide included: {lat, lon, bearing}, or null. */
	displayedPosition: (id) => buses.displayed(id),
	/** Each bus's centre in viewport CSS pixels, unrounded: [{id, x, y}] (off-view ones too). */
	markerScreenPositions() {
		const rect = map.getContainer().getBoundingClientRect();
		return buses.screenPositions().map(({id, x, y}) => ({id, x: rect.left + x, y: rect.top + y}));
	},
	/** Markers whose glide is not finished. */
	movingCount: () => buses.movingCount(),
	/** Open bus `id`'s popup; false if there is no such bus. */
	openPopup: (id) => buses.openPopup(id),
	/** The status line's text, as shown. */
	statusText: () => status.text,
	/** 'connecting' | 'live' | 'waiting' | 'outdated'. */
	statusState: () => status.state,
	/** The socket's state: 'connecting' | 'open' | 'waiting' | 'stopped'. */
	connectionState: () => connection.state,
	/** The measured tick interval in ms (1000 until measured). */
	tickMs: () => fleet.tickMs,
	/** The service time shown, "HH:MM:SS" ('' before the first snapshot). */
	serviceTime: () => clock.text,
	/** Frames handled so far: {snapshots, updates, errors, protocolErrors}. */
	frameCounts: () => ({...counters}),

	// Route lines, stops and search (network.js).
	network,
	/** Number of routes loaded from /api/routes (0 until they are). */
	routeCount: () => network.routes.size,
	/** Number of routes whose line is drawn now (all, or 1 while a route is chosen). */
	routeLineCount: () => network.lines.count(),
	/** The id of the route shown alone (chosen in the search box), or null. */
	routeFilter: () => network.selection.routeId,
	/** Ids of the buses the route filter lets through (all of them when none is chosen). */
	visibleVehicleIds: () => buses.visibleIds(),
	/** Route `id`'s extent, [west, south, east, north], or null. */
	routeBox: (id) => network.routes.boxOf(id),
	/** The map's view, [west, south, east, north]. */
	mapBox: () => boundsToBox(map.getBounds()),
	/** Number of stop circles on the map (0 below zoom 15). */
	stopCount: () => network.stops.count(),
	/** The stops drawn, with their centre in viewport CSS pixels: [{id, name, routes, x, y}]. */
	stopScreenPositions() {
		const rect = map.getContainer().getBoundingClientRect();
		return network.stops.shownStops().map((stop) => {
			const point = map.latLngToContainerPoint([stop.lat, stop.lon]);
			return {...stop, x: rect.left + point.x, y: rect.top + point.y};
		});
	},
};
