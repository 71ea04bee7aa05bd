/**
 * The service worker's copy of the app's own basemap (`--basemap`, served at `/basemap.pmtiles`):
 * the byte ranges the page has read (protomaps-leaflet reads the PMTiles archive with `Range`
 * requests: the header and root directory first, then leaf directories and tiles), so that the
 * area viewed before still draws without a network, after a reload too.
 *
 * - One cache per version of the file: `bustrack-basemap <validator>`, where the validator is the
 *   file's strong ETag (else its Last-Modified) as bustrack/web/basemap.py sends them. A network
 *   answer with another validator means the operator replaced the file: the caches of the old
 *   one are deleted, and what is read from now on is kept in the new one (a range kept of another
 *   version than the network's last answer is never given back). The caches outlive a
 *   new deploy of the app (they are not the deploy's: sw.js keeps them when it activates).
 * - Keys are the URL with the range asked for (`/basemap.pmtiles?bytes=0-16383`): the Cache API
 *   stores no 206, so a range is kept as a 200 holding its bytes and `Content-Range`, and given
 *   back as the 206 it was.
 * - The range at offset 0 (the header, read once per layer) goes to the network first, revalidated
 *   past the HTTP cache, so that a new file is seen at once; on no answer within the timeout, the
 *   kept copy. Every other range is served from the cache first (a version's bytes never change)
 *   and fetched only when missing. A request with `cache: 'reload'` (pmtiles asks so after ETags
 *   did not match) goes to the network first too.
 * - At most BASEMAP_MAX_BYTES are kept: past that, the ranges kept first go first (in this
 *   worker's run, a range read again counts as kept again).
 *
 * A classic script, imported by sw.js (`importScripts`); it defines globals prefixed `basemap`.
 */

const BASEMAP_PREFIX = 'bustrack-basemap ';
const BASEMAP_MAX_BYTES = 64 * 1024 * 1024;
const BASEMAP_HEADER_TIMEOUT_MS = 4000;
const BASEMAP_RANGE = /^bytes=(\d+)-(\d+)$/;

/** Whether cache `name` holds a basemap's ranges (sw.js keeps those when it activates). */
function isBasemapCache(name) {
	return name.startsWith(BASEMAP_PREFIX);
}

/** `request`'s one closed byte range, `{start, end}` (inclusive), or null. */
function basemapRange(request) {
	const match = BASEMAP_RANGE.exec(request.headers.get('Range') ?? '');
	if (!match) { return null; }
	const start = Number(match[1]);
	const end = Number(match[2]);
	return Number.isSafeInteger(start) && Number.isSafeInteger(end) && start <= end ? {start, end} : null;
}

/** The key a range is kept under. */
function basemapKey(url, {start, end}) {
	const key = new URL(url);
	key.hash = '';
	key.searchParams.set('bytes', `${start}-${end}`);
	return key.href;
}

/** The version of the file an answer is of: its strong ETag, else its Last-Modified, else ''. */
function basemapValidator(response) {
	const etag = response.headers.get('ETag');
	if (etag && !etag.startsWith('W/')) { return etag; }
	return response.headers.get('Last-Modified') ?? '';
}

/**
 * Which keys to delete so that `sizes` (key → bytes, oldest first) holds at most `maxBytes`:
 * the oldest, as few as needed.
 */
function basemapEvictions(sizes, maxBytes) {
	let total = 0;
	for (const bytes of sizes.values()) { total += bytes; }
	const evicted = [];
	for (const [key, bytes] of sizes) {
		if (total <= maxBytes) { break; }
		evicted.push(key);
		total -= bytes;
	}
	return evicted;
}

// The cache of the file's version last seen, and the sizes of what it holds (key → bytes, oldest
// first), read from the cache once per run of the worker.
let basemapCurrent = null; // Promise<{name, cache, sizes}|null>
// The version the network last answered with (null before any answer in this run): a kept range of
// another version is not given back, even before its cache is replaced.
let basemapLatest = null;
let basemapQueue = Promise.resolve(); // changes of version and evictions, one at a time

function basemapSerially(task) {
	const run = basemapQueue.then(task);
	basemapQueue = run.catch(() => {});
	return run;
}

async function basemapOpen(name) {
	const cache = await caches.open(name);
	const sizes = new Map();
	for (const request of await cache.keys()) {
		// At most the range's length (the file may end before it): a bound, not a count.
		const range = /^(\d+)-(\d+)$/.exec(new URL(request.url).searchParams.get('bytes') ?? '');
		sizes.set(request.url, range ? Number(range[2]) - Number(range[1]) + 1 : 0);
	}
	return {name, cache, sizes};
}

/** The cache of the version last seen, or null before any was kept. */
function basemapStore() {
	basemapCurrent ??= caches.keys().then((names) => {
		const name = names.find(isBasemapCache);
		return name === undefined ? null : basemapOpen(name);
	});
	return basemapCurrent;
}

/** The cache of version `validator`, made the current one (the other versions' deleted). */
function basemapStoreOf(validator) {
	return basemapSerially(async () => {
		const name = BASEMAP_PREFIX + validator;
		const store = await basemapStore();
		if (store?.name === name) { return store; }
		for (const old of await caches.keys()) {
			if (isBasemapCache(old) && old !== name) { await caches.delete(old); }
		}
		const opened = await basemapOpen(name);
		basemapCurrent = Promise.resolve(opened);
		return opened;
	});
}

/** Keep `response` (a 206 of `key`'s range, of version `validator`), within the bound. */
async function basemapKeep(key, response, validator) {
	const bytes = await response.arrayBuffer();
	const store = await basemapStoreOf(validator);
	await store.cache.put(key, new Response(bytes, {status: 200, headers: response.headers}));
	await basemapSerially(async () => {
		store.sizes.delete(key);
		store.sizes.set(key, bytes.byteLength);
		for (const old of basemapEvictions(store.sizes, BASEMAP_MAX_BYTES)) {
			store.sizes.delete(old);
			await store.cache.delete(old);
		}
	});
}

/** The kept copy of `key`'s range as the 206 it was, or undefined. */
async function basemapCopy(key) {
	const store = await basemapStore();
	const copy = await store?.cache.match(key);
	if (!copy || (basemapLatest !== null && basemapValidator(copy) !== basemapLatest)) { return undefined; }
	store.sizes.delete(key); // read again: the last to go
	store.sizes.set(key, Number(copy.headers.get('Content-Length')) || 0);
	return new Response(copy.body, {status: 206, statusText: 'Partial Content', headers: copy.headers});
}

/** The network's answer to a range request, kept when it is a 206. */
async function basemapFetch(event, request, key) {
	const response = await fetch(request);
	if (response.status === 206) {
		basemapLatest = basemapValidator(response);
		event.waitUntil(basemapKeep(key, response.clone(), basemapValidator(response)).catch((error) => {
			console.warn('bustrack: could not keep a range of the basemap:', error?.message);
		}));
	}
	return response;
}

/**
 * The answer to `request` for the basemap at its single byte range `range`: see the module's
 * docstring.
 */
async function basemapAnswer(event, request, range) {
	const key = basemapKey(request.url, range);
	if (range.start !== 0 && request.cache !== 'reload') {
		return (await basemapCopy(key).catch(() => undefined)) ?? basemapFetch(event, request, key);
	}
	// The header: a new file is seen at once (revalidated past the HTTP cache's day).
	const fresh = request.cache === 'reload' || request.cache === 'no-store' ? request : new Request(request, {cache: 'no-cache'});
	const fromNetwork = basemapFetch(event, fresh, key);
	const timeout = new Promise((resolve) => { setTimeout(resolve, BASEMAP_HEADER_TIMEOUT_MS); });
	const first = await Promise.race([fromNetwork.catch(() => undefined), timeout]);
	if (first && first.status < 500) { return first; }
	return (await basemapCopy(key).catch(() => undefined)) ?? fromNetwork;
}
