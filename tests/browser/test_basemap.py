"""``--basemap tiny.pmtiles``: the page draws the app's own vector basemap, offline.

The archive (tests/pmtiles_tiny.py) has the sea west of 72.84 E and a highway along 19 N; the
page reads it from /basemap.pmtiles with range requests (nothing leaves 127.0.0.1) and paints
them on the tiles' canvases: the test reads those pixels back. Without --basemap the page keeps
its raster tiles. The service worker keeps the ranges read (sw.basemap.js): without a network
the area seen before still draws after a reload, and a new file replaces what it kept.
"""

from __future__ import annotations

import os
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request

from tests.browser.conftest import Server, offline_page
from tests.browser.test_csp import COLLECT, VIOLATIONS
from tests.conftest import timeout
from tests.pmtiles_tiny import COAST_LON, MAX_ZOOM, ROAD_LAT, write_tiny_basemap

SCREENSHOT = Path(os.environ.get("TMPDIR", "/tmp")) / "bustrack-basemap.png"
OFFLINE_SCREENSHOT = Path(os.environ.get("TMPDIR", "/tmp")) / "bustrack-basemap-offline.png"
# The basemap's caches in the service worker: [{name, keys}].
BASEMAP_CACHES = """async () => {
    const found = [];
    for (const name of await caches.keys()) {
        if (name.startsWith('bustrack-basemap ')) {
            const keys = (await (await caches.open(name)).keys()).map((r) => r.url);
            found.push({name, keys});
        }
    }
    return found;
}"""
CONTROLLED = "() => navigator.serviceWorker.controller !== null"

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


def _look_at_the_coast(page: Page) -> None:
    page.wait_for_function("() => Boolean(window.bustrack?.map)", timeout=timeout(20_000))
    page.evaluate(
        "([lat, lon, z]) => { window.bustrack.map.setView([lat, lon], z, {animate: false}); }",
        [ROAD_LAT, COAST_LON + 0.03, MAX_ZOOM + 1],
    )


def _is_sea(rgba: list[int] | None) -> bool:
    assert rgba is not None, "no tile drawn there"
    red, _green, blue, alpha = rgba
    return alpha == 255 and blue > red + 20


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


@pytest.fixture
def basemap_file(tmp_path: Path) -> Path:
    return write_tiny_basemap(tmp_path / "city.pmtiles")


@pytest.fixture
def own_basemap_server(basemap_file: Path) -> Iterator[Server]:
    srv = Server("--basemap", str(basemap_file), "--source", "none")
    yield srv
    srv.stop()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context
    context.close()


def _etag(server: Server) -> str:
    request = urllib.request.Request(server.url + "/basemap.pmtiles", method="HEAD")
    with urllib.request.urlopen(request, timeout=timeout(10)) as answer:
        return str(answer.headers["ETag"])


def _wait_kept(page: Page, server: Server) -> list[str]:
    """The keys of the worker's one basemap cache, once it is the file's version's and holds
    the header and some tiles (the worker keeps them as it answers, a moment later)."""
    wanted = f"bustrack-basemap {_etag(server)}"
    deadline = time.monotonic() + timeout(10)
    while True:
        kept = page.evaluate(BASEMAP_CACHES)
        keys: list[str] = kept[0]["keys"] if len(kept) == 1 else []
        header = any(k.endswith("?bytes=0-16383") for k in keys)
        if [c["name"] for c in kept] == [wanted] and header and len(keys) > 1:
            return keys
        assert time.monotonic() < deadline, (wanted, kept)
        page.wait_for_timeout(100)


def test_offline_the_area_seen_before_still_draws_and_a_new_file_replaces_it(
    context: BrowserContext, own_basemap_server: Server, basemap_file: Path
) -> None:
    server = own_basemap_server
    errors: list[str] = []
    page = offline_page(context, errors)
    page.goto(server.url + "/")
    page.evaluate("() => navigator.serviceWorker.ready")
    page.wait_for_function(CONTROLLED, timeout=timeout(20_000))
    # Seen once with the worker in charge: it keeps the ranges read, in the file's version.
    page.reload()
    _look_at_the_coast(page)
    _wait_drawn(page)
    _wait_kept(page, server)  # the header and the tiles read

    # In a tunnel: the page reloads from the worker's copies, the basemap with it.
    context.set_offline(True)
    page.reload()
    _look_at_the_coast(page)
    _wait_drawn(page)
    sea = page.evaluate(PIXEL_AT, [ROAD_LAT + 0.01, COAST_LON - 0.02])
    land = page.evaluate(PIXEL_AT, [ROAD_LAT + 0.01, COAST_LON + 0.03])
    road = page.evaluate(PIXEL_AT, [ROAD_LAT, COAST_LON + 0.03])
    page.screenshot(path=str(OFFLINE_SCREENSHOT))
    assert _is_sea(sea), f"the sea is not blue offline: {sea}"
    assert not _is_sea(land) and land != road, (land, road)

    # The operator replaces the file (the coast 0.05 degrees further east): back online, the
    # page draws the new one, and the worker keeps it instead of the old ranges.
    context.set_offline(False)
    write_tiny_basemap(basemap_file, coast_lon=COAST_LON + 0.05)
    page.reload()
    _look_at_the_coast(page)
    _wait_drawn(page)
    assert _is_sea(page.evaluate(PIXEL_AT, [ROAD_LAT + 0.01, COAST_LON + 0.03])), "new coast"
    _wait_kept(page, server)  # the new version's, the old one's gone
    context.set_offline(True)
    page.reload()
    _look_at_the_coast(page)
    _wait_drawn(page)
    assert _is_sea(page.evaluate(PIXEL_AT, [ROAD_LAT + 0.01, COAST_LON + 0.03])), "kept offline"
    assert not errors, errors
