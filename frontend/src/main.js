/**
 * Wires the page together: config → map → fleet state → bus markers and status line, fed by the
 * WebSocket connection; the stop panel, the list view, the toolbar, playback and the language. Holds no
 * logic of its own beyond routing frames and events; exposes `window.bustrack` for automated
 * browser tests.
 */

import {readConfig, socketUrl} from './config.js';
import {Connection, State} from './connection.js';
import {Fleet} from './fleet.js';
import {busLayer, rendererFromQuery} from './busLayer.js';
import {clearOf} from './busPopup.js';
import {BusFocus} from './busFocus.js';
import {BusList} from './busList.js';
import {boundsToBox} from './bbox.js';
import {i18n, restoreLanguage} from './i18n.js';
import {addNetwork} from './network.js';
import {AlertBanner} from './alertBanner.js';
import {Alerts} from './alerts.js';
import {createMap} from './map.js';
import {playbackOn} from './playback.js';
import {PlaybackBar} from './playbackBar.js';
import {registerServiceWorker} from './serviceWorker.js';
import {ServiceClock} from './serviceClock.js';
import {Sheet} from './sheet.js';
import {staleIds} from './stale.js';
import {StatusLine} from './status.js';
import {StopPanel} from './stopPanel.js';
import {Subscription} from './subscription.js';
import {Toolbar} from './toolbar.js';
import {NearPanel} from './nearPanel.js';
import {ReminderCenter} from './reminders.js';
import {arrivalKey} from './arrivals.js';
import {glanceIds, glances} from './glance.js';
import {stars} from './stars.js';

const config = readConfig();
const storage = (() => {
	try {
		return globalThis.localStorage ?? null;
	} catch {
		return null; // Storage refused: the language choice lasts for this page only.
	}
})();
restoreLanguage(i18n, {storage, doc: document, search: location.search});
const status = new StatusLine(document.getElementById('status'), {i18n});
const map = createMap('map', config, {
	onTiles: (ok) => status.setRemark(ok ? '' : 'tilesUnavailable'),
	i18n,
});
const fleet = new Fleet({defaultTickMs: config.tick_ms});
const clock = new ServiceClock();
const staleAfterMs = config.stale_after_s * 1000;
/** The server's clock now (estimated from the frames' `ts`). */
const serverNow = () => fleet.serverNow(Date.now());
/** A server time as the service's time of day, "HH:MM" ('' before the first snapshot). */
const timeOf = (ms) => {
	const seconds = clock.secondsAt(ms);
	return seconds === null ? '' : i18n.clock(seconds);
};
let stale = new Set(); // ids of the buses gone silent for longer than stale_after_s
// Buses on one canvas; `?markers=dom` draws them as DOM markers instead (busLayer.js).
const buses = busLayer({
	ageOf: (id) => (playback.active ? playback.ageOf(id) : fleet.dataAgeMs(id, Date.now())),
	renderer: rendererFromQuery(location.search),
	popup: {i18n, staleOf: (id) => stale.has(id), now: serverNow, timeOf, covers: () => sheet.covers()},
}).addTo(map);
// The page asks only for the buses in and around its view (docs/protocol.md, "subscribe"),
// and for the arrivals of the stop whose panel is open and the details of the bus whose popup is.
const subscription = new Subscription(map);
const connection = new Connection(() => socketUrl(config.ws_path) + subscription.query());
subscription.attach(connection);
const details = new Map(); // vehicle id → its latest `vehicle` frame (the popup's bus)
buses.getPopup().on('vehicle', (id) => {
	subscription.setVehicle(id);
	stopPanel.setChosen(id);
});

// The panel: a stop's next buses, or the list of what is in view (a bottom sheet on phones).
const sheet = new Sheet(document.getElementById('sheet'), {map, i18n});
let network = null;
const focus = new BusFocus({
	map, buses, subscription,
	covers: () => sheet.covers(),
	onResult: (state) => stopPanel.setNotice({finding: 'arrivalFinding', gone: 'arrivalBusGone'}[state] ?? null),
});
// "Notify me 5 min before" on a bus of the stop panel (reminders.js, notify.js), kept over a reload.
const reminders = new ReminderCenter({now: serverNow, i18n, storage});
const stopPanel = new StopPanel({
	now: serverNow,
	onRemind: (row, stop) => reminders.toggle(stop, row),
	isReminded: (stopId, key) => reminders.reminders.has(stopId, key),
	timeOf,
	isStale: (id) => stale.has(id),
	i18n,
	onClose: () => closeStop({returnFocus: true}),
	onChoose: (row) => {
		// A bus of another route than the one shown alone: show them all again.
		const chosen = network.selection.routeId;
		if (chosen !== null && chosen !== row.routeId) { network.search.clear(); }
		focus.show(row.vehicle, row.routeId);
	},
});
sheet.addView('stop', stopPanel.element);
const busList = new BusList({
	i18n,
	source: listSource,
	onBus: (id) => buses.openPopup(id),
	onStop: (stop) => {
		network.stops.openPopup(stop.id);
		openStop(stop, {focusPanel: true});
	},
	onClose: () => setList(false, {returnFocus: true}),
});
sheet.addView('list', busList.element);
// "Near me" (nearPanel.js): the stops nearest the user, or the most used ones.
let nearListed = []; // the stops Near me lists (their next buses are asked for at a glance)
const nearPanel = new NearPanel({
	map, i18n, glances, now: serverNow,
	onListed: (ids) => {
		nearListed = ids;
		askGlance();
	},
	routeLabel: (id) => network.routes.get(id)?.label ?? id,
	onStop: (stop) => openStop(stop, {focusPanel: true}),
	onClose: () => {
		nearPanel.close();
		sheet.show(toolbar.listOn ? 'list' : null);
		toolbar.nearButton.focus({preventScroll: true});
	},
});
sheet.addView('near', nearPanel.element);
const toolbar = new Toolbar(document.getElementById('toolbar'), {i18n, storage, onList: (on) => setList(on),
	onPlayback: (on) => setPlayback(on), playbackId: 'playback', onNear: () => {
		sheet.show('near');
		nearPanel.heading.focus({preventScroll: true});
		nearPanel.find();
	}});

/**
 * Ask for the next buses at a glance (glance.js) of the stops of the reminders (their rows keep
 * the reminders' ETAs fresh), then of those listed: Near me's while it shows, then My stops. In
 * the subscription from the start, so that the first connection has them.
 */
function askGlance() {
	const near = sheet.shown === 'near' ? nearListed : [];
	subscription.setGlance(glanceIds(near, stars.list().map((s) => s.id), undefined, reminders.stops()));
}
stars.onChange(askGlance);
askGlance();

/** The panel just opened over the map: bring an open popup out from under it. */
function keepPopupClear() {
	for (const popup of [buses.getPopup().popup, network.stops.getPopup().popup]) {
		if (!popup.isOpen()) { continue; }
		// Leaflet pans a popup into view on update() when autoPan is on, clear of this padding.
		const autoPan = popup.options.autoPan;
		popup.options.autoPanPaddingTopLeft = clearOf(sheet.covers());
		popup.options.autoPan = true;
		popup.update();
		popup.options.autoPan = autoPan;
	}
}

/** Open stop `stop`'s next buses (`focusPanel`: bring the keyboard focus to the panel). */
function openStop(stop, {focusPanel = false} = {}) {
	stopPanel.open(stop);
	stopPanel.setAlerts(alerts.forStop(stop.id));
	stopPanel.setConnected(connection.state === State.OPEN);
	sheet.show('stop');
	// On a phone the sheet says all the popup did, and the popup would crowd the little map left.
	if (sheet.isPhone) { network.stops.getPopup().close(); }
	keepPopupClear();
	subscription.setStop(stop.id);
	askGlance(); // Near me is no longer shown
	if (focusPanel) { stopPanel.heading.focus({preventScroll: true}); }
}

function closeStop({returnFocus = false} = {}) {
	stopPanel.close();
	subscription.setStop(reminders.watchedStop());
	sheet.show(toolbar.listOn ? 'list' : null);
	askGlance();
	if (returnFocus) { (toolbar.listOn ? busList.heading : network.search.input).focus({preventScroll: true}); }
}

function setList(on, {returnFocus = false} = {}) {
	toolbar.setListOn(on);
	if (on) {
		busList.start();
		if (sheet.shown !== 'stop') { sheet.show('list'); }
		askGlance();
		keepPopupClear();
		if (sheet.shown === 'list') { busList.heading.focus({preventScroll: true}); }
	} else {
		busList.stop();
		if (sheet.shown === 'list') { sheet.show(null); }
		if (returnFocus) { toolbar.listButton.focus({preventScroll: true}); }
	}
}

/** The buses on screen that the route filter lets through: `[{id, x, y}]` (container pixels). */
function busesInView() {
	const size = map.getSize();
	const shown = new Set(buses.shownIds());
	return buses.screenPositions().filter((p) => shown.has(p.id) &&
		p.x >= 0 && p.y >= 0 && p.x <= size.x && p.y <= size.y);
}

/** What the status line counts: the buses in view, or every bus of the route shown alone. */
function busCount() {
	const routeId = network?.selection.routeId ?? null;
	if (routeId === null) { return {count: busesInView().length, route: null}; }
	return {count: buses.shownIds().length, route: network.routes.get(routeId)?.label ?? routeId};
}

function showCount() {
	const {count, route} = busCount();
	status.setCount(count, {route});
}

/** What the list view shows: the buses and stops in view, the nearest the centre first. */
function listSource() {
	const MAX_BUSES = 30;
	const MAX_STOPS = 30;
	const size = map.getSize();
	const cx = size.x / 2;
	const cy = size.y / 2;
	const near = (a, b) => Math.hypot(a.x - cx, a.y - cy) - Math.hypot(b.x - cx, b.y - cy);
	const inView = busesInView().sort(near);
	const now = Date.now();
	const list = inView.slice(0, MAX_BUSES).map(({id}) => {
		const v = playback.active ? playback.get(id) : fleet.get(id);
		const d = playback.active ? null : details.get(id);
		return {
			id, route: v?.route ?? '', color: v?.color ?? '#1565c0', headsign: v?.headsign ?? '',
			nextStop: d?.active ? d.nextStop?.name ?? '' : '', stale: stale.has(id),
			ageMs: playback.active ? playback.ageOf(id) : fleet.dataAgeMs(id, now),
		};
	});
	const stopsShown = network.stops.isShown();
	const stopsInView = stopsShown ? network.stops.shownStops().map((stop) => {
		const p = map.latLngToContainerPoint([stop.lat, stop.lon]);
		// The routes that stop there tell apart the two sides of a road (same name).
		const routes = stop.routes.map((id) => network.routes.get(id)?.label ?? id);
		return {stop: {...stop, routeLabels: routes}, x: p.x, y: p.y};
	}).filter((p) => p.x >= 0 && p.y >= 0 && p.x <= size.x && p.y <= size.y).sort(near) : [];
	return {
		buses: list, busCount: inView.length,
		stops: stopsInView.slice(0, MAX_STOPS).map((p) => p.stop), stopCount: stopsInView.length, stopsShown,
	};
}

// Route lines, stops and the search box (network.js); a chosen route is also subscribed to, and a
// chosen stop's next buses shown.
network = addNetwork(map, buses, document.getElementById('search'), {
	subscription, i18n, covers: () => sheet.covers(), now: serverNow,
	onStop: (stop) => openStop(stop, {focusPanel: document.activeElement !== network?.search.input}),
});
// Service alerts (alerts.js): on the open stop's panel, and over the map for the route shown alone.
const alerts = new Alerts();
const routeAlerts = new AlertBanner(document.getElementById('route-alerts'), i18n);
function showAlerts() {
	stopPanel.setAlerts(alerts.forStop(stopPanel.stop?.id));
	routeAlerts.show(alerts.forRoute(network.selection.routeId));
}
alerts.onChange(showAlerts);
network.selection.onChange(showAlerts);
alerts.start();
map.on('moveend', () => {
	if (sheet.shown === 'list') { busList.refresh(); }
	showCount();
});

// Playback (playback.js): the buses of a past moment on the same layer; the live frames still
// update the fleet meanwhile, but only drawLive() draws them, and not in playback.
const playback = playbackOn(map, buses, {fleet, now: serverNow, routeOf: (id) => network.routes.get(id)});
const playbackBar = new PlaybackBar(document.getElementById('playback'), {
	playback, i18n, secondsAt: (ms) => clock.secondsAt(ms), onLive: () => setPlayback(false),
});
playback.onChange(() => {
	toolbar.setPlaybackOn(playback.active);
	status.setPlayback(playback.active ? clock.secondsAt(playback.at) ?? NaN : null);
	checkStale();
	showCount();
});

/** Show the buses of a past moment (the bar gets the focus), or the live ones again. */
function setPlayback(on) {
	if (on) {
		playback.enter();
		playbackBar.slider.focus({preventScroll: true});
	} else {
		playback.leave();
		toolbar.playbackButton.focus({preventScroll: true});
	}
}

function drawLive(changes, options) {
	if (!playback.active) { buses.apply(changes, options); }
}

/** Recompute which buses are stale (their last report is older than stale_after_s). */
function checkStale() {
	const now = serverNow();
	stale = staleIds(fleet.values(), now, staleAfterMs, fleet.lastTs ?? now);
	buses.setStale(playback.active ? playback.staleIds(staleAfterMs) : stale);
}
setInterval(checkStale, 1000);

const counters = {snapshots: 0, updates: 0, arrivals: 0, glances: 0, vehicles: 0, errors: 0, protocolErrors: 0};
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
	drawLive(changes, {durationMs: fleet.tickMs, fadeIn: counters.snapshots > 0});
	counters.snapshots += 1;
	synced = true;
	clock.reset(frame.clock, frame.ts);
	showClock();
	setStale(false);
	checkStale();
	const {count, route} = busCount();
	status.live(count, {route});
	stopPanel.setConnected(true);
	focus.onSnapshot();
}

function onUpdate(frame, receivedAt) {
	if (!synced) { return; } // Updates build on a snapshot; one is on its way.
	warnRejected(frame);
	const changes = fleet.applyUpdate(frame, receivedAt);
	drawLive(changes, {durationMs: fleet.tickMs});
	counters.updates += 1;
	clock.advance(frame.ts);
	showClock();
	checkStale();
	for (const id of changes.removed) { details.delete(id); }
	showCount();
	glances.tick(); // the minutes to the buses listed at a glance
}

function onGlance(frame) {
	counters.glances += 1;
	reminders.updateGlance(frame.stops); // each reminder's ETA, by its bus's trip
	glances.set(frame);
}

function onArrivals(frame) {
	counters.arrivals += 1;
	reminders.update(frame.stop.id, frame.arrivals.map((a) => ({key: arrivalKey(a), eta: a.eta})));
	stopPanel.setBoard(frame);
}

function onVehicle(frame) {
	counters.vehicles += 1;
	if (frame.active) {
		details.set(frame.id, frame);
	} else {
		details.delete(frame.id);
	}
	if (!playback.active) { buses.getPopup().setDetails(frame); } // live details, not of the past
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
	if (state !== State.OPEN) { stopPanel.setConnected(false); }
});

connection.on('frame', ({frame, receivedAt}) => {
	if (frame.type === 'snapshot') {
		onSnapshot(frame, receivedAt);
	} else if (frame.type === 'update') {
		onUpdate(frame, receivedAt);
	} else if (frame.type === 'arrivals') {
		onArrivals(frame);
	} else if (frame.type === 'glance') {
		onGlance(frame);
	} else if (frame.type === 'vehicle') {
		onVehicle(frame);
	} else if (frame.type === 'error') {
		counters.errors += 1;
		console.warn('bustrack: the server could not understand us:', frame.error);
		if (/unknown stop/.test(frame.error) && stopPanel.stop) { stopPanel.setNotice('arrivalsUnknownStop'); }
		// A reminder kept over a reload at a stop the feed no longer has: it can never fire.
		const unknown = /unknown stop ['"](.*)['"]$/.exec(frame.error)?.[1];
		if (unknown) { reminders.reminders.removeStop(unknown); }
	}
});

connection.on('protocolerror', ({error}) => {
	counters.protocolErrors += 1;
	console.warn('bustrack: dropped a frame that breaks docs/protocol.md:', error.message);
});

window.addEventListener('online', () => {
	status.setOffline(false);
	connection.retryNow();
});
window.addEventListener('offline', () => status.setOffline(true));
status.setOffline(navigator.onLine === false);

// While no stop's panel is open, the page asks for the arrivals of the stop of the reminder
// whose bus comes first, so that its ETA stays fresh (a reminder set before a reload too).
reminders.onChange(() => {
	if (!stopPanel.stop) { subscription.setStop(reminders.watchedStop()); }
	askGlance(); // every reminder's stop at a glance
});
subscription.setStop(reminders.watchedStop());
connection.start();
// The page on the home screen, and opening offline from the worker's copy (sw.js).
registerServiceWorker();

// A small API for automated browser tests (and curious humans in the console).
window.bustrack = {
	config, map, fleet, buses, status, connection, clock, subscription, alerts,
	/** The alerts shown: on the stop's panel and over the route's view, `[{id, header}]` each. */
	alertsShown: () => ({stop: stopPanel.alertBanner.shown(), route: routeAlerts.shown()}),
	/** Vehicles in the state (from the snapshot and updates). */
	vehicleCount: () => fleet.size,
	/** Which renderer draws the buses: 'canvas' or 'dom' (`?markers=dom`). */
	busRenderer: () => buses.renderer,
	/** Buses on the map, not counting those fading out (drawn or not). */
	markerCount: () => buses.count(),
	/**
	 * Buses shown now (canvas: in the view, drawn or counted in a cluster; dom: with a marker in
	 * the DOM, in and around the view).
	 */
	shownMarkerCount: () => buses.shownCount(),
	/** Ids of the buses drawn now (as shownMarkerCount counts them). */
	shownVehicleIds: () => buses.shownIds(),
	/** Clusters drawn now (city zoom, canvas only): their number, and each [{x, y, count, radius, ids}] in viewport CSS pixels. */
	clusterCount: () => buses.clusterCount?.() ?? 0,
	shownClusters() {
		const rect = map.getContainer().getBoundingClientRect();
		return (buses.clusters?.() ?? []).map((c) => ({...c, x: rect.left + c.x, y: rect.top + c.y}));
	},
	/** Buses drawn one by one now (canvas: 0 at city zoom, where they are clusters; dom: the markers). */
	shownSpriteCount: () => buses.spriteCount?.() ?? buses.shownCount(),
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
	/** Frames handled so far: {snapshots, updates, arrivals, glances, vehicles, errors, protocolErrors}. */
	frameCounts: () => ({...counters}),

	// Stale buses, the stop panel, the list view, following, the language.
	sheet, stopPanel, busList, toolbar, i18n, subscription, nearPanel, reminders,
	/** Ids of the buses gone silent for longer than the config's stale_after_s. */
	staleVehicleIds: () => [...stale],
	/** Ids of the buses drawn greyed now (in view). */
	greyedVehicleIds: () => buses.greyedIds(),
	/** The id of the bus whose popup is open (ringed on the map), or null. */
	popupVehicle: () => buses.getPopup().vehicleId,
	/** The id of the bus the map follows, or null. */
	followedVehicle: () => buses.followedId(),
	/** What the page subscribes to besides its view: {stop, vehicle, routes, finding, glance}. */
	subscriptionState: () => ({stop: subscription.stop, vehicle: subscription.vehicle,
		routes: subscription.routes, finding: subscription.finding, glance: subscription.glance}),
	/** The next buses listed at a glance: {frames, stops: ids the latest frame has news of, ts, rows: {id: buses}}. */
	glanceState: () => ({frames: glances.frameCount, stops: glances.ids(), ts: glances.ts,
		rows: Object.fromEntries(glances.ids().map((id) => [id, glances.get(id)]))}),
	/** The stop panel: {open, stopId, name, boards, rows: [{key, vehicle, route, live, when, minutes, text}]}. */
	stopPanelState: () => ({
		open: sheet.shown === 'stop', stopId: stopPanel.stop?.id ?? null, name: stopPanel.stop?.name ?? null,
		boards: stopPanel.boardCount, rows: stopPanel.rows(),
	}),
	/** Which view the panel shows: 'stop', 'list' or null; and whether it is expanded. */
	sheetState: () => ({shown: sheet.shown, expanded: sheet.expanded, phone: sheet.isPhone}),
	/** The ids listed by the list view: {buses, stops}. */
	listState: () => ({buses: busList.busIds(), stops: busList.stopIds()}),
	/** The interface language: 'en', 'mr' or 'hi'. */
	language: () => i18n.lang,

	// Playback (playback.js, playbackBar.js).
	playback: {
		/** Whether the page shows a past moment. */
		active: () => playback.active,
		/** The moment asked for and that of the answer drawn (server ms), or null. */
		at: () => playback.at,
		shownAt: () => playback.shownAt,
		/** Ids of the buses drawn from history (sorted). */
		shownIds: () => playback.shownIds(),
		playing: () => playback.playing,
		speed: () => playback.speed,
		/** The slider's reach: {min, max} (server ms). */
		range: () => playback.range(),
		/** History requests sent so far. */
		fetchCount: () => playback.fetchCount,
		/** The moment as the bar writes it. */
		timeText: () => playbackBar.timeText,
	},

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
