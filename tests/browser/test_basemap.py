"""``--basemap tiny.pmtiles``: the page draws the app's own vector basemap, offline.

The archive (tests/pmtiles_tiny.py) has the sea west of 72.84 E and a highway along 19 N; the
page reads it from /basemap.pmtiles with range requests (nothing leaves 127.0.0.1) and paints
them on the tiles' canvases: the test reads those pixels back. Without --basemap the page keeps
its raster tiles.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request

from tests.browser.conftest import Server
from tests.browser.test_csp import COLLECT, VIOLATIONS
from tests.conftest import timeout
from tests.pmtiles_tiny import COAST_LON, MAX_ZOOM, ROAD_LAT, write_tiny_basemap

SCREENSHOT = Path(os.environ.get("TMPDIR", "/tmp")) / "bustrack-basemap.png"

# The map's base layer: protomaps-leaflet's (a GridLayer with `views`) or Leaflet's TileLayer.
BASE_LAYER = """() => {
    let found = null;
    window.bustrack.map.eachLayer((layer) => {
        if (layer instanceof L.GridLayer && !found) { found = layer; }
    });
    return found && {
        vector: Boolean(found.views),
        url: found._url ?? null,
        loading: found.isLoading(),
        tiles: Object.keys(found._tiles).length,
        attribution: found.getAttribution(),
    };
}"""

# The RGBA of the base layer's tile canvas at a place, on the current zoom's level of tiles.
PIXEL_AT = """([lat, lon]) => {
    const map = window.bustrack.map;
    const p = map.latLngToContainerPoint([lat, lon]);
    const box = map.getContainer().getBoundingClientRect();
    const x = box.left + p.x;
    const y = box.top + p.y;
    const levels = [...document.querySelectorAll('.leaflet-tile-pane .leaflet-tile-container')];
    const top = levels.sort((a, b) => Number(b.style.zIndex) - Number(a.style.zIndex))[0];
    for (const canvas of top.querySelectorAll('canvas.leaflet-tile-loaded')) {
        const r = canvas.getBoundingClientRect();
        if (x >= r.left && x < r.right && y >= r.top && y < r.bottom) {
            const px = Math.floor((x - r.left) * canvas.width / r.width);
            const py = Math.floor((y - r.top) * canvas.height / r.height);
            return [...canvas.getContext('2d').getImageData(px, py, 1, 1).data];
        }
    }
    return null;
}"""


@pytest.fixture(scope="module")
def basemap_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tiny = write_tiny_basemap(tmp_path_factory.mktemp("basemap") / "tiny.pmtiles")
    srv = Server("--basemap", str(tiny), "--source", "none")
    yield srv
    srv.stop()


def _wait_drawn(page: Page) -> None:
    page.wait_for_function(
        f"() => {{ const b = ({BASE_LAYER})(); return b && b.tiles > 0 && !b.loading; }}",
        timeout=timeout(20_000),
    )
    page.wait_for_timeout(timeout(500))  # Leaflet's fade-in of the last tiles


def test_the_page_draws_the_vector_basemap_offline(page: Page, basemap_server: Server) -> None:
    page.add_init_script(f"({COLLECT})()")
    basemap_requests: list[Request] = []
    page.on(
        "request",
        lambda r: basemap_requests.append(r) if r.url.endswith("/basemap.pmtiles") else None,
    )
    page.goto(basemap_server.url + "/")
    page.wait_for_function("() => Boolean(window.bustrack?.map)", timeout=timeout(20_000))
    page.evaluate(
        "([lat, lon, z]) => { window.bustrack.map.setView([lat, lon], z, {animate: false}); }",
        [ROAD_LAT, COAST_LON + 0.03, MAX_ZOOM + 1],
    )
    _wait_drawn(page)
    base = page.evaluate(BASE_LAYER)
    assert base["vector"] and base["url"] is None
    assert "Protomaps" in base["attribution"] and "OpenStreetMap" in base["attribution"]
    credits = page.locator(".leaflet-control-attribution").inner_text()
    assert "Protomaps" in credits and "OpenStreetMap" in credits

    # The archive was read in pieces: the header first, then directories and tiles.
    assert basemap_requests, "the page never asked for /basemap.pmtiles"
    ranges = [r.all_headers().get("range", "") for r in basemap_requests]
    assert all(r.startswith("bytes=") for r in ranges), ranges
    assert ranges[0].startswith("bytes=0-"), ranges
    responses = [r.response() for r in basemap_requests]
    statuses = {r.status for r in responses if r is not None}
    assert statuses <= {206, 304} and statuses, statuses

    sea = page.evaluate(PIXEL_AT, [ROAD_LAT + 0.01, COAST_LON - 0.02])
    land = page.evaluate(PIXEL_AT, [ROAD_LAT + 0.01, COAST_LON + 0.03])
    road = page.evaluate(PIXEL_AT, [ROAD_LAT, COAST_LON + 0.03])
    page.screenshot(path=str(SCREENSHOT))
    assert sea and land and road, (sea, land, road)
    red, _green, blue, alpha = sea
    assert alpha == 255 and blue > red + 20, f"the sea is not blue: {sea}"
    assert land != sea, f"land and sea look alike: {land}"
    assert road != land, f"the highway is not drawn: {road} on {land}"
    assert page.evaluate(VIOLATIONS) == []


def test_labels_follow_the_page_language(page: Page, basemap_server: Server) -> None:
    page.goto(basemap_server.url + "/")
    _wait_drawn(page)
    page.locator("#language").select_option("mr")
    page.wait_for_function(
        """() => { let n = 0; window.bustrack.map.eachLayer((l) => { if (l.views) { n += 1; } });
                   return n === 1; }""",
        timeout=timeout(5_000),
    )
    _wait_drawn(page)
    lang = """() => { let lang; window.bustrack.map.eachLayer((l) => {
                  if (l.views) { lang = l.lang; } }); return lang; }"""
    assert page.evaluate(lang) == "mr"


def test_without_a_basemap_the_raster_tiles_are_used(page: Page, server: Server) -> None:
    with page.expect_request(lambda r: r.url.startswith("https://tile.openstreetmap.org/")):
        page.goto(server.url + "/")
    page.wait_for_function(f"() => window.bustrack && ({BASE_LAYER})()", timeout=timeout(20_000))
    base = page.evaluate(BASE_LAYER)
    assert not base["vector"]
    assert base["url"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert page.evaluate("() => typeof window.protomapsL") == "undefined"
