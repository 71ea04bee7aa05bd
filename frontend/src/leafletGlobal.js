/**
 * Leaflet, as loaded by the page (`leaflet.js` from the npm package, a classic script that
 * defines the global `L`). The one place that reaches for the global.
 */

const L = globalThis.L;
if (!L) {
	throw new Error('bustrack: Leaflet (global L) is not loaded; check the leaflet.js <script>');
}

export default L;
