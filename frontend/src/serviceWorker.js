/**
 * Registers the service worker (sw.js, served by the app at `/sw.js` for the scope `/`) once the
 * page has loaded, so that its precaching does not slow the page's start. Only where browsers
 * allow one: secure contexts (https, or http on localhost and 127.0.0.1).
 *
 * Nothing else: what the worker keeps and how it answers is sw.js's.
 */

/**
 * @param {object} [options]
 * @param {string} [options.path='/sw.js'] the worker's script
 * @param {Window} [options.win] a window stand-in (tests)
 * @returns {Promise<ServiceWorkerRegistration|null>} null where there is no service worker
 */
export function registerServiceWorker({path = '/sw.js', win = globalThis} = {}) {
	const workers = win.navigator?.serviceWorker;
	if (!win.isSecureContext || !workers) { return Promise.resolve(null); }
	const register = () => workers.register(path, {scope: '/'}).catch((error) => {
		console.warn('bustrack: the page will not open offline:', error.message);
		return null;
	});
	if (win.document.readyState === 'complete') { return register(); }
	return new Promise((resolve) => {
		win.addEventListener('load', () => resolve(register()), {once: true});
	});
}
