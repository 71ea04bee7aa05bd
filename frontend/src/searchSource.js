/**
 * Where the search box's answers come from: the server (`GET /api/search`, through the service
 * worker, which gives back an answer it kept for the same query when the network fails), else
 * the page's own search over its copies of every route and stop (offlineSearch.js), marked
 * `offline: true` so that the box says where its results come from.
 *
 * The page's search is used when there is no answer at all (no network, no server, the worker
 * gave up waiting on a bad connection) or the server cannot answer (5xx, 429), never for a query
 * the server refused (400). The stops are fetched once, the first time they are needed
 * (`/api/stops?limit=10000`, kept by the worker); the routes are the page's (`/api/routes`).
 *
 * I/O through the functions handed in; no DOM.
 */

import {ApiError, fetchAllStops, fetchSearch, isAbort} from './api.js';
import {OfflineIndex} from './offlineSearch.js';

/** Whether a failed search is worth answering from the page's own copies. */
export function worthSearchingOffline(error) {
	if (isAbort(error)) { return false; }
	if (!(error instanceof ApiError)) { return true; } // fetch's TypeError: no answer
	return error.status === 0 || error.status === 429 || error.status >= 500;
}

/**
 * A `fetchSearch` for the search box (search.js) that falls back to the page's own search.
 *
 * @param {object} options
 * @param {Function} options.routes `() => Array`: the routes the page knows (routeIndex.js's
 *   decoded routes, in the server's order); none yet: the offline search fails
 * @param {Function} [options.fetchSearch] api.js's (tests: a stand-in)
 * @param {Function} [options.fetchAllStops] api.js's (tests: a stand-in)
 * @returns {(query: string, options?: {signal?: AbortSignal}) => Promise<object>}
 */
export function searchWithFallback({routes, fetchSearch: online = fetchSearch, fetchAllStops: allStops = fetchAllStops}) {
	let index = null; // Promise<OfflineIndex>, built once
	const offlineIndex = () => {
		index ??= allStops().then((answer) => {
			const known = routes();
			if (!known.length || !Array.isArray(answer?.stops)) { throw new Error('the network is not loaded'); }
			return new OfflineIndex({routes: known, stops: answer.stops});
		});
		index.catch(() => { index = null; }); // asked again next time
		return index;
	};
	return async (query, options = {}) => {
		try {
			return await online(query, options);
		} catch (error) {
			if (!worthSearchingOffline(error)) { throw error; }
			let found;
			try {
				found = (await offlineIndex()).search(query);
			} catch (offlineError) {
				throw new Error(`${error.message}; offline: ${offlineError.message}`);
			}
			if (options.signal?.aborted) { throw new DOMException('aborted', 'AbortError'); }
			return {...found, offline: true};
		}
	};
}
