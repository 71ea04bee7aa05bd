/**
 * The service worker: the page opens without a network (or on a bad one) from what it kept.
 *
 * Served by the app at `/sw.js` (scope `/`) with one line before this text,
 * `self.BUSTRACK_SW = {version, precache, stopsAll, basemap}` (bustrack/web/pwa.py): the URLs
 * to keep and a hash of their files, so that a new deploy is a new worker with a new cache; the
 * old caches are deleted when it takes over (not the basemap's, which are not the deploy's).
 *
 * - The page (`/`) and the network's JSON (`/api/routes`, `/api/alerts`, `/api/feed`): network
 *   first, the kept copy when the network fails or is slower than NETWORK_TIMEOUT_MS (the answer
 *   still refreshes the copy when it comes).
 * - `/api/stops?bbox=`: network first; without it, the stops in the box are cut out of the kept
 *   answer of every stop (`stopsAll`), which is itself fetched network first.
 * - `/api/search?q=`: network first, within SEARCH_TIMEOUT_MS; the answers are kept (the last
 *   MAX_SEARCHES queries; the cache is the deploy's and the feed's, so they stay right), and
 *   without the network the one kept for the same query is given back. Without one, the page is
 *   told at once that there is no answer (`Response.error()`), and searches its own copies of the
 *   routes and stops (searchSource.js): every query then finds something, not only those seen.
 * - Scripts, style sheets, icons (`/static/…`, the favicon, the manifest): the kept copy first.
 * - The app's own basemap (`basemap`, with `--basemap`): the byte ranges the page reads are kept,
 *   a bounded copy per version of the file (sw.basemap.js).
 * - Nothing else is touched: `/ws`, ingest, `/gtfs-rt/*` and history go to the network
 *   as if there were no worker, and so do other origins' requests (map tiles).
 *
 * A classic script (not a module): browsers without module workers run it too.
 */

importScripts('/static/app/sw.basemap.js'); /* global basemapAnswer, basemapRange, isBasemapCache */

const SETUP = self.BUSTRACK_SW ?? {version: 'unversioned', precache: [], stopsAll: null, basemap: null};
const PREFIX = 'bustrack-';
const CACHE = PREFIX + SETUP.version;
const NETWORK_TIMEOUT_MS = 4000;
// A search waits less: the page has its own answer (searchSource.js) when this one does not come.
const SEARCH_TIMEOUT_MS = 2500;
const MAX_SEARCHES = 200;
const NETWORK_FIRST = new Set(['/', '/api/routes', '/api/alerts', '/api/feed']);
const CACHE_FIRST = new Set(['/favicon.ico', '/manifest.webmanifest']);
const CACHE_FIRST_UNDER = ['/static/app/', '/static/vendor/leaflet/', '/static/vendor/protomaps-leaflet/'];
const MATCH = {ignoreVary: true};

self.addEventListener('install', (event) => {
	event.waitUntil((async () => {
		const cache = await caches.open(CACHE);
		// `no-cache`: revalidated with the server, not copied from an older HTTP cache entry.
		await cache.addAll(SETUP.precache.map((url) => new Request(url, {cache: 'no-cache'})));
		await self.skipWaiting();
	})());
});

self.addEventListener('activate', (event) => {
	event.waitUntil((async () => {
		for (const name of await caches.keys()) {
			// The basemap's ranges stay, unless the app no longer has a basemap.
			const keep = name === CACHE || (isBasemapCache(name) && SETUP.basemap);
			if (name.startsWith(PREFIX) && !keep) { await caches.delete(name); }
		}
		await self.clients.claim(); // The page that registered us is served by us from now on.
	})());
});

self.addEventListener('fetch', (event) => {
	const answer = handle(event);
	if (answer) { event.respondWith(answer); }
});

/** The answer to `event`'s request, or null to leave it to the network. */
function handle(event) {
	const request = event.request;
	if (request.method !== 'GET') { return null; }
	const url = new URL(request.url);
	if (url.origin !== self.location.origin) { return null; }
	const path = url.pathname;
	if (request.mode === 'navigate') {
		// `/?lang=mr` is the same page: one copy of it.
		return path === '/' ? networkFirst(event, request, '/') : null;
	}
	if (CACHE_FIRST.has(path) || CACHE_FIRST_UNDER.some((prefix) => path.startsWith(prefix))) {
		return cacheFirst(event, request);
	}
	if (NETWORK_FIRST.has(path) && !url.search) { return networkFirst(event, request, path); }
	if (path === '/api/stops' && SETUP.stopsAll && url.searchParams.has('bbox')) {
		return networkFirst(event, request, null, () => stopsInBox(url.searchParams));
	}
	if (SETUP.stopsAll && path + url.search === SETUP.stopsAll) {
		return networkFirst(event, request, SETUP.stopsAll);
	}
	if (path === '/api/search' && url.searchParams.has('q')) { return search(event, request); }
	const range = path === SETUP.basemap && !url.search ? basemapRange(request) : null;
	if (range) { return basemapAnswer(event, request, range); }
	return null;
}

/**
 * The network's answer (kept under `key` if ok, unless `key` is null), or when the network fails
 * or takes longer than `timeoutMs`, `fallback()`'s (by default the copy kept under `key`).
 */
function networkFirst(event, request, key, fallback = () => cached(key), {timeoutMs = NETWORK_TIMEOUT_MS, kept} = {}) {
	const fromNetwork = fetch(request).then(async (response) => {
		if (response.ok && key !== null) {
			const cache = await caches.open(CACHE);
			await cache.put(key, response.clone());
			await kept?.(cache);
		}
		return response;
	});
	event.waitUntil(fromNetwork.catch(() => {}));
	return new Promise((resolve, reject) => {
		let done = false;
		const settle = (response) => {
			if (!done && response) {
				done = true;
				resolve(response);
			}
			return done;
		};
		const timer = setTimeout(() => fallback().then(settle, () => {}), timeoutMs);
		fromNetwork.then((response) => {
			clearTimeout(timer);
			settle(response);
		}, async (error) => {
			clearTimeout(timer);
			if (!settle(await fallback().catch(() => undefined))) { reject(error); }
		});
	});
}

/** The kept copy of the request first; else the network's answer, kept when ok. */
async function cacheFirst(event, request) {
	const cache = await caches.open(CACHE);
	const copy = await cache.match(request, MATCH);
	if (copy) { return copy; }
	const response = await fetch(request);
	if (response.ok) { event.waitUntil(cache.put(request, response.clone())); }
	return response;
}

async function cached(key) {
	return (await caches.open(CACHE)).match(key, MATCH);
}

/**
 * A search's answer: the network's (kept), else the one kept for the same query, else an error
 * at once (the page then searches its own copies).
 */
function search(event, request) {
	const key = request.url;
	const fallback = async () => (await cached(key)) ?? Response.error();
	return networkFirst(event, request, key, fallback, {timeoutMs: SEARCH_TIMEOUT_MS, kept: forgetOldSearches});
}

/** Keep the last MAX_SEARCHES answers of search (the cache lists them oldest first). */
async function forgetOldSearches(cache) {
	const searches = (await cache.keys()).filter((r) => new URL(r.url).pathname === '/api/search');
	await Promise.all(searches.slice(0, Math.max(0, searches.length - MAX_SEARCHES)).map((r) => cache.delete(r)));
}

let allStops = null; // the kept answer of every stop, parsed once: Promise<Array>

/** Like `/api/stops?bbox=&limit=` (docs/api.md), from the kept answer of every stop. */
async function stopsInBox(params) {
	allStops ??= cached(SETUP.stopsAll).then((r) => (r ? r.json() : {stops: []})).then((a) => a.stops ?? []);
	let stops;
	try {
		stops = await allStops;
	} catch {
		allStops = null;
		return undefined;
	}
	if (!stops.length) {
		allStops = null;
		return undefined;
	}
	const [west, south, east, north] = (params.get('bbox') ?? '').split(',').map(Number);
	const inBox = [west, south, east, north].every(Number.isFinite)
		? stops.filter((s) => s.lon >= west && s.lon <= east && s.lat >= south && s.lat <= north)
		: stops;
	const limit = Number(params.get('limit')) || 2000;
	// Truncated here to the first `limit` stops, not an even sample as the server's: the page asks
	// for its view's box, which at stop zooms holds far fewer.
	const body = JSON.stringify({stops: inBox.slice(0, limit), truncated: inBox.length > limit});
	return new Response(body, {headers: {'Content-Type': 'application/json'}});
}
