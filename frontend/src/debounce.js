/**
 * `debounce(fn, ms)`: call `fn` once things have been quiet for `ms`, with the latest arguments.
 *
 * The returned function has `cancel()` (drop the pending call) and `flush()` (make it now).
 * Timers only: no DOM, no network.
 */

export function debounce(fn, ms, {setTimeout: set = globalThis.setTimeout, clearTimeout: clear = globalThis.clearTimeout} = {}) {
	let timer = null;
	let args = null;
	const run = () => {
		timer = null;
		const pending = args;
		args = null;
		fn(...pending);
	};
	const debounced = (...latest) => {
		args = latest;
		if (timer !== null) { clear(timer); }
		timer = set(run, ms);
	};
	debounced.cancel = () => {
		if (timer !== null) { clear(timer); }
		timer = null;
		args = null;
	};
	debounced.flush = () => {
		if (timer !== null) {
			clear(timer);
			run();
		}
	};
	return debounced;
}
