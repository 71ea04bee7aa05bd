/**
 * The canvas bus layer's view (busCanvasLayer.js) and what it does when the zoom changes, added
 * to BusCanvasLayer with `include`.
 *
 * A view maps the world plane to the map's container (busView.js): the map's own, or mid-zoom
 * the zoom animation's. During Leaflet's zoom animation the canvas is not redrawn at all: as
 * Leaflet's own renderers do, it is given the CSS transform that takes it to the new view
 * (busView.js), the browser animates it with the tiles and the other layers (the buses grow or
 * shrink with the map for that quarter second and stop gliding), and it is redrawn once, at the
 * new zoom, when the animation ends. (Redrawing 3,000 sprites every frame of the animation cost
 * too much with software rendering.)
 *
 * Crossing `clusterBelowZoom` (busClusters.js), the clusters and the buses crossfade
 * (`crossfadeMs`) once Leaflet's zoom animation has ended: each is drawn once on its own canvas
 * (busCanvasDraw.js) and the two canvases' CSS opacity changes (composited by the browser), so a
 * crossfade costs no more than standing still. A route shown alone (`setRouteFilter`) is never
 * clustered: its few buses are what the user asked to see. With `prefers-reduced-motion` the
 * two swap at once.
 */

import L from './leafletGlobal.js';
import {ZOOM_ANIM_MS, lerpView, zoomEase, zoomTransform} from './busView.js';
import {clamp01} from './geo.js';

/** The user's `prefers-reduced-motion` (also the layer's, busCanvasLayer.js). */
export const reducedMotion = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)') ?? {matches: false};

// Methods of BusCanvasLayer, added by busCanvasLayer.js with `include`. (No getters in here:
// include copies properties by value, which would call them.)
export const zoomMethods = {
	// The view.

	/** The view drawn at time `now`: the map's, or the zoom animation's. */
	_view(now) {
		const anim = this._anim;
		if (!anim) { return this._mapView(); }
		return lerpView(anim.from, anim.to, zoomEase(clamp01((now - anim.start) / ZOOM_ANIM_MS)));
	},

	_mapView() {
		const map = this._map;
		const origin = map.getPixelOrigin();
		const topLeft = map.containerPointToLayerPoint([0, 0]);
		return {scale: map.getZoomScale(map.getZoom(), 0), ox: origin.x + topLeft.x, oy: origin.y + topLeft.y};
	},

	_onZoomAnim(e) {
		// Leaflet is about to CSS-scale the other layers to zoom `e.zoom` about `e.center`; the
		// map's own state jumps there right after this event.
		const map = this._map;
		const now = performance.now();
		const from = this._view(now);
		const panePos = map.containerPointToLayerPoint([0, 0]).multiplyBy(-1);
		// Leaflet's own _getNewPixelOrigin, with public methods.
		const origin = map.project(e.center, e.zoom).subtract(map.getSize().divideBy(2)).add(panePos).round();
		const to = {scale: map.getZoomScale(e.zoom, 0), ox: origin.x - panePos.x, oy: origin.y - panePos.y};
		this._anim = {start: now, from, to};
		// What is drawn goes where the other layers go, CSS-animated (leaflet.css), as Leaflet's
		// renderers do (Renderer._updateTransform); nothing is drawn until zoomend.
		const drawn = this._drawnView;
		if (drawn !== null) {
			const t = zoomTransform(drawn, this._pad, to, origin);
			for (const canvas of [this._canvas, this._clusterCanvas]) {
				L.DomUtil.setTransform(canvas, L.point(t.x, t.y), t.scale);
			}
		}
		this._setHover(-1);
		this.hoverCluster(false);
		this._changed();
	},

	_onZoomEnd() {
		this._anim = null;
		// Redrawn at the new zoom by the next frame (only once: drawing here as well would draw
		// twice in that frame, since the buses glide).
		this._changed();
	},

	_onMove() {
		// Drawn at once, so that the buses move with the map pane in the same frame.
		this._drawNow();
	},

	// Clusters and buses.

	/** How opaque the clusters are at time `now` (the buses: 1 minus that). */
	_clusterAlpha(now) {
		const fade = this._crossfade;
		if (!fade) { return this._mode === 'clusters' ? 1 : 0; }
		const t = clamp01((now - fade.start) / this.options.crossfadeMs);
		return fade.toClusters ? t : 1 - t;
	},

	/**
	 * The canvases' opacities at time `now`, from the crossfade (CSS opacity: nothing is drawn
	 * again for it); once it is over, the canvas faded out is drawn empty by the next frame.
	 */
	_fade(now) {
		if (!this._canvas) { return; }
		const fade = this._crossfade;
		if (fade && now - fade.start >= this.options.crossfadeMs) {
			this._crossfade = null;
			this._changed();
		}
		const clusters = this._clusterAlpha(now);
		// Fully shown: no inline opacity, so that the page's own (greyed when not live) applies.
		this._canvas.style.opacity = clusters > 0 ? String(1 - clusters) : '';
		this._clusterCanvas.style.opacity = clusters < 1 ? String(clusters) : '';
		// One that shows nothing is not composited at all.
		this._canvas.style.visibility = clusters === 1 ? 'hidden' : '';
		this._clusterCanvas.style.visibility = clusters === 0 ? 'hidden' : '';
	},

	/** Clusters at the map's zoom now, or buses: start the crossfade when that changes. */
	_updateMode(now) {
		const clustered = this._map.getZoom() < this.options.clusterBelowZoom && this._routeFilter === null;
		const mode = clustered ? 'clusters' : 'buses';
		if (mode === this._mode) { return; }
		if (this._mode !== null && this.options.crossfadeMs > 0 && !reducedMotion.matches) {
			// From where a crossfade under way has got to.
			const a = this._clusterAlpha(now);
			const done = clustered ? a : 1 - a;
			this._crossfade = {start: now - done * this.options.crossfadeMs, toClusters: clustered};
		} else {
			this._crossfade = null;
		}
		this._mode = mode;
		this._setHover(-1);
		this._dirty = true;
	},
};
