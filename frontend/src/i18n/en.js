/**
 * Every string the page shows, in English (the page's default language).
 *
 * One object per language (en.js, mr.js, hi.js) with the same keys; i18n.js looks them up.
 * `{name}` is a placeholder; an object of CLDR plural categories (`one`, `other`, …) is chosen
 * by the `count` parameter with `Intl.PluralRules`. Numbers are formatted by i18n.js with the
 * language's `Intl.NumberFormat`. Stop and route names are never translated: they come from
 * the feed as they are.
 */

export default {
	code: 'en',
	/** The language's name, in itself (for the language selector). */
	name: 'English',
	messages: {
		pageTitle: 'bustrack: live buses',
		mapLabel: 'Map of buses',
		languageLabel: 'Language',
		mapZoomIn: 'Zoom in',
		mapZoomOut: 'Zoom out',
		popupClose: 'Close popup',
		// Service alerts (alertBanner.js).
		alertsLabel: 'Service alerts',
		alertWord: 'Alert',
		alertMore: 'More about this alert',

		// The status line (status.js).
		statusConnecting: 'connecting…',
		statusLive: 'live',
		statusReconnecting: 'reconnecting in',
		statusWaitingData: 'waiting for live data · reconnecting in',
		statusOffline: 'offline · waiting for live data',
		statusCountdown: {one: '{count}s…', other: '{count}s…'},
		statusBuses: {one: '· {count} bus in view', other: '· {count} buses in view'},
		statusBusesOnRoute: {one: '· {count} bus on route {route}', other: '· {count} buses on route {route}'},
		statusServiceTime: '· service time {time}',
		statusOutdated: 'The server was updated — reload the page',
		statusReload: 'Reload',
		statusBusiest: 'No service now: showing the busiest time of day',
		statusReplay: 'No service today in this feed: showing another day’s timetable',
		tilesUnavailable: 'Map tiles cannot be loaded; buses are still shown.',

		// The search box (search.js, searchResults.js).
		searchLabel: 'Search routes and stops',
		searchPlaceholder: 'Route or stop name',
		searchClear: 'Clear search and show all routes',
		searchClearTitle: 'Clear (Esc)',
		searchResults: 'Routes and stops',
		searchRoutes: 'Routes',
		searchStops: 'Stops',
		searchMyStops: 'My stops',
		starStop: 'My stop',
		starStopOn: 'In My stops: press to remove',
		starStopOff: 'Add to My stops',
		searchRouteOption: 'Route {label}: {name}',
		searchRouteOptionShort: 'Route {label}',
		searchStopOption: 'Stop {name}',
		searchStopOptionRoutes: 'Stop {name}, routes {routes}',
		searchShowingAll: 'Showing all routes',
		searchShowingRoute: 'Showing only route {label}',
		searchStopChosen: 'Stop {name}: its next buses are listed',
		searchNoMatch: 'No route or stop matches “{query}”.',
		searchUnavailable: 'Search is not available right now.',
		searchRoutesLoading: 'The route lines are still loading; try again in a moment.',
		searchNothing: 'No routes or stops found',
		countRoutes: {one: '{count} route', other: '{count} routes'},
		countStops: {one: '{count} stop', other: '{count} stops'},
		countJoin: '{first} and {second}',

		// The stop popup (stopPopup.js).
		stopRoutesLabel: 'Routes serving this stop',
		stopRoutesLoading: 'Loading routes…',
		stopNoRoutes: 'No route stops here.',
		stopShowOnly: 'Show only {label}',
		stopShowOnlyLong: 'Show only {label}: {name}',
		stopArrivals: 'Arrivals',

		// A bus (busPopup.js, busCanvasInput.js, busIcon.js, busList.js).
		busHeadsign: 'to {headsign}',
		busName: 'Bus {route} to {headsign}',
		busNameShort: 'Bus {route}',
		busUpdated: 'updated {age}',
		busNoSignal: 'No signal: last report {age}',
		busNextStop: 'Next stop: {stop}',
		busLate: {one: '{count} min late', other: '{count} min late'},
		busEarly: {one: '{count} min early', other: '{count} min early'},
		busOnTime: 'on time',
		busSpeed: '{speed} km/h',
		// How full a bus is (GTFS-realtime's OccupancyStatus), in its popup and the arrivals.
		occupancy_EMPTY: 'Empty',
		occupancy_MANY_SEATS_AVAILABLE: 'Many seats free',
		occupancy_FEW_SEATS_AVAILABLE: 'Few seats free',
		occupancy_STANDING_ROOM_ONLY: 'Standing room only',
		occupancy_CRUSHED_STANDING_ROOM_ONLY: 'Crowded',
		occupancy_FULL: 'Full',
		occupancy_NOT_ACCEPTING_PASSENGERS: 'Not taking passengers',
		busFollow: 'Follow',
		busFollowTitle: 'Keep the map centred on this bus',
		busEnded: 'This bus is no longer running.',
		busLoading: 'Loading details…',
		ageSeconds: {one: '{count} s ago', other: '{count} s ago'},
		ageMinutes: {one: '{count} min ago', other: '{count} min ago'},
		ageHours: {one: '{count} h ago', other: '{count} h ago'},
		ageUnknown: 'unknown',
		busesHelp: 'Buses are drawn on the map. With the map focused, press Enter for the bus nearest ' +
			'the centre, Enter again for the next nearest, Shift+Enter for the previous one, Escape to close.',
		busesNearest: '{name}: {index} of {count} nearest the centre of the map.',
		busesNone: 'No bus in view.',

		// The panel as a bottom sheet on phones (sheet.js).
		sheetExpand: 'Show more',
		sheetCollapse: 'Show less',

		// A stop's next buses (stopPanel.js, arrivals.js).
		arrivalsHeading: 'Next buses',
		arrivalsListLabel: 'Next buses at {stop}',
		arrivalsClose: 'Close the next buses',
		arrivalsWaiting: 'Waiting for the next buses…',
		arrivalsNone: 'No bus is expected here soon.',
		arrivalsOffline: 'Not updating: no connection to the server.',
		arrivalsUnknownStop: 'The server does not know this stop.',
		arrivalNow: 'now',
		arrivalDue: 'due',
		arrivalIn: {one: 'in {count} min', other: 'in {count} min'},
		arrivalLive: 'Live',
		arrivalScheduled: 'Scheduled',
		arrivalAt: 'at {time}',
		arrivalNoSignal: 'no signal — timetable {time}',
		arrivalUncertainty: {one: '±{count} min', other: '±{count} min'},
		arrivalRow: '{route} to {headsign}: {when}, {kind}',
		arrivalShowBus: 'Show this bus on the map',
		arrivalAnnounce: 'Next at {stop}: {route} to {headsign}, {when}',
		arrivalFinding: 'Finding the bus…',
		arrivalBusGone: 'That bus is no longer on the map.',

		// The list of what is in view (busList.js).
		listToggle: 'List',
		listToggleTitle: 'Buses and stops in view, as a list',
		listHeading: 'In view',
		listClose: 'Close the list',
		listBuses: {one: '{count} bus in view', other: '{count} buses in view'},
		listNearestBuses: 'Showing the {count} nearest the centre.',
		listNearestStops: 'Showing the {count} nearest the centre.',
		listStops: 'Stops in view',
		listStopsZoom: 'Zoom in to list the stops.',
		listNoStops: 'No stop in view.',
		listNoSignal: 'no signal',

		// Playback of the past hours (playback.js, playbackBar.js, toolbar.js, status.js).
		playbackToggle: 'History',
		playbackToggleTitle: 'Play back where the buses were in the last hours',
		playbackLabel: 'History playback',
		playbackSlider: 'Moment shown',
		playbackPlay: 'Play',
		playbackPause: 'Pause',
		playbackPlayTitle: 'Play the buses forward from this moment',
		playbackPauseTitle: 'Stop at this moment',
		playbackSpeed: 'Speed',
		playbackSpeedValue: '{speed}×',
		playbackLive: 'Back to live',
		playbackLiveTitle: 'Show the buses as they are now (Esc)',
		statusPlayback: 'playback',
		statusPlaybackAt: '· at {time}',
	},
};
