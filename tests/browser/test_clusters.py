"""At city zoom the buses are counted per area (frontend/src/busClusters.js): below zoom 11 the
canvas draws one circle per area with its number of buses, from 11 on the buses one by one,
crossfading in between; a click on a cluster zooms in to it.

Positions and counts come from the test hooks (``window.bustrack.shownClusters()``,
``clusterCount()``, ``shownSpriteCount()``); the click goes through the mouse.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server, _offline
from tests.conftest import timeout

LIVE = "() => window.bustrack.shownMarkerCount() > 50"
CLUSTERS_ONLY = (
    "() => window.bustrack.clusterCount() > 0 && window.bustrack.shownSpriteCount() === 0"
)
SPRITES_ONLY = (
    "() => window.bustrack.clusterCount() === 0 && window.bustrack.shownSpriteCount() > 0"
)
CLUSTER_FILL = (0x1A, 0x4F, 0x7A)
# The zoom from which buses are drawn one by one (busClusters.js CLUSTER_BELOW_ZOOM).
BUSES_FROM = 12

# The colour drawn on the clusters' canvas at viewport point (x, y): [r, g, b, a].
PIXEL_AT = """([x, y]) => {
    const canvas = document.querySelector('.bus-clusters');
    const box = canvas.getBoundingClientRect();
    const k = canvas.width / box.width;
    return [...canvas.getContext('2d').getImageData(
        Math.round((x - box.left) * k), Math.round((y - box.top) * k), 1, 1).data];
}"""

# After zooming to `zoom` (animated), what each frame drew for about a second, and the
# opacity of the buses' and the clusters' canvases: [[clusters, sprites, buses', clusters']].
ZOOM_AND_RECORD = """async (zoom) => {
    const b = window.bustrack;
    const frames = [];
    b.map.setZoom(zoom);
    const start = performance.now();
    await new Promise((resolve) => {
        const frame = (now) => {
            const opacity = (c) => Number(getComputedStyle(document.querySelector(c)).opacity);
            frames.push([b.clusterCount(), b.shownSpriteCount(),
                opacity('.bus-canvas'), opacity('.bus-clusters')]);
            if (now - start < 1000) { requestAnimationFrame(frame); } else { resolve(); }
        };
        requestAnimationFrame(frame);
    });
    return frames;
}"""


def _open(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    expect(page.locator("#status")).to_contain_text("live", timeout=timeout(20_000))
    page.wait_for_function(LIVE, timeout=timeout(20_000))


def _zoom(page: Page, zoom: int) -> None:
    page.evaluate("(z) => { window.bustrack.map.setZoom(z, {animate: false}); }", zoom)


def test_at_city_zoom_buses_are_counted_per_area_and_zooming_in_shows_them(
    page: Page, server: Server
) -> None:
    _open(page, server)
    # The page opens at zoom 11 on a desktop, the whole city in view: no sprite, only clusters,
    # which count every bus in view once.
    assert page.evaluate("() => window.bustrack.map.getZoom()") == 11
    page.wait_for_function(CLUSTERS_ONLY, timeout=timeout(5_000))
    # The clusters drawn and the buses in view, once both are of the same tick (a frame that
    # arrives between the draw and this look changes the buses before the next draw).
    seen = page.wait_for_function(
        """() => { const b = window.bustrack;
                   const clusters = b.shownClusters(), inView = b.shownVehicleIds();
                   const counted = new Set(clusters.flatMap((c) => c.ids));
                   const same = counted.size === inView.length
                       && inView.every((id) => counted.has(id));
                   return same ? {clusters, inView, all: b.vehicleCount()} : null; }""",
        timeout=timeout(10_000),
    ).json_value()
    clusters = seen["clusters"]
    counted = [vid for c in clusters for vid in c["ids"]]
    assert sum(c["count"] for c in clusters) == len(counted)
    assert all(c["count"] == len(c["ids"]) for c in clusters)
    assert len(set(counted)) == len(counted), "no bus in two clusters"
    # The whole city is in view at zoom 11: the clusters count every bus in it, and only those.
    assert set(counted) == set(seen["inView"])
    assert len(counted) > 2000
    assert len(clusters) < len(counted) / 20, "counts per area, not a blob"
    # The status line still counts the buses in view.
    expect(page.locator("#status")).to_contain_text(re.compile(r"[\d,]+ buses in view"))
    # Bigger counts are bigger circles; no two circles overlap.
    by_count = sorted(clusters, key=lambda c: c["count"])
    assert by_count[0]["radius"] <= by_count[-1]["radius"]
    for i, a in enumerate(clusters):
        for b in clusters[i + 1 :]:
            d = ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5
            assert d >= a["radius"] + b["radius"], (a["count"], b["count"], d)
    # The biggest is drawn in the clusters' blue (below its number).
    big = by_count[-1]
    r, g, b, a = page.evaluate(PIXEL_AT, [big["x"], big["y"] + big["radius"] - 4])
    assert a > 200
    assert all(abs(p - q) < 24 for p, q in zip((r, g, b), CLUSTER_FILL, strict=True)), (r, g, b)

    # Zooming in (animated) crossfades to the buses: frames with both, then only buses. The
    # crossfade is the two canvases' opacity: the buses' rises while the clusters' falls.
    frames = page.evaluate(ZOOM_AND_RECORD, BUSES_FROM)
    both = [(bo, co) for c, s, bo, co in frames if c > 0 and s > 0]
    assert both, frames
    assert any(0 < bo < 1 and 0 < co < 1 for bo, co in both), both
    rising = [bo for bo, _ in both]
    assert rising == sorted(rising) and rising[0] < rising[-1], rising
    page.wait_for_function(SPRITES_ONLY, timeout=timeout(5_000))
    assert page.evaluate("() => window.bustrack.map.getZoom()") == BUSES_FROM
    # And back out: only clusters again.
    page.evaluate(ZOOM_AND_RECORD, 11)
    page.wait_for_function(CLUSTERS_ONLY, timeout=timeout(5_000))


def test_a_click_on_a_cluster_zooms_in_to_it(page: Page, server: Server) -> None:
    _open(page, server)
    _zoom(page, 9)
    page.wait_for_function(CLUSTERS_ONLY, timeout=timeout(5_000))
    rect = page.evaluate(
        "() => { const r = document.getElementById('map').getBoundingClientRect();"
        " return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }"
    )
    # The biggest cluster clear of the controls.
    clusters = [
        c
        for c in page.evaluate("() => window.bustrack.shownClusters()")
        if rect["left"] + 80 < c["x"] < rect["right"] - 80
        and rect["top"] + 140 < c["y"] < rect["bottom"] - 60
    ]
    assert clusters
    big = max(clusters, key=lambda c: c["count"])
    page.mouse.move(big["x"] + 2, big["y"] + 2)
    expect(page.locator("#map")).to_have_class(re.compile(r"\bbus-pointer\b"))
    target = page.evaluate(
        "([x, y]) => { const r = document.getElementById('map').getBoundingClientRect();"
        " const ll = window.bustrack.map.containerPointToLatLng([x - r.left, y - r.top]);"
        " return {lat: ll.lat, lng: ll.lng}; }",
        [big["x"], big["y"]],
    )
    page.mouse.click(big["x"] + 2, big["y"] + 2)
    page.wait_for_function(
        f"() => window.bustrack.map.getZoom() === {BUSES_FROM}"
        " && !window.bustrack.map._animatingZoom",
        timeout=timeout(5_000),
    )
    centre = page.evaluate("() => window.bustrack.map.getCenter()")
    assert abs(centre["lat"] - target["lat"]) < 0.01 and abs(centre["lng"] - target["lng"]) < 0.01
    page.wait_for_function(SPRITES_ONLY, timeout=timeout(5_000))
    # The cluster's buses are drawn one by one now, in view.
    shown = set(page.evaluate("() => window.bustrack.shownVehicleIds()"))
    assert len(shown & set(big["ids"])) > big["count"] * 0.9


def test_a_route_shown_alone_is_never_clustered(page: Page, server: Server) -> None:
    _open(page, server)
    _zoom(page, 10)
    page.wait_for_function(CLUSTERS_ONLY, timeout=timeout(5_000))
    vid = page.evaluate("() => window.bustrack.vehicleIds()[0]")
    route = page.evaluate(
        "(id) => { const v = window.bustrack.vehicle(id);"
        " return {id: v.routeId, label: v.route}; }",
        vid,
    )
    page.evaluate("(route) => { window.bustrack.buses.setRouteFilter(route); }", route)
    page.wait_for_function(SPRITES_ONLY, timeout=timeout(5_000))
    page.evaluate("() => { window.bustrack.buses.setRouteFilter(null); }")
    page.wait_for_function(CLUSTERS_ONLY, timeout=timeout(5_000))


def test_a_phone_opens_on_clusters(browser: Browser, server: Server) -> None:
    # 360 px wide, the page opens at zoom 10 over Mumbai: 3,000 teardrops would be one blob.
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.route("**/*", _offline)
        _open(page, server)
        assert page.evaluate("() => window.bustrack.map.getZoom()") == 10
        page.wait_for_function(CLUSTERS_ONLY, timeout=timeout(5_000))
        total = page.evaluate(
            "() => window.bustrack.shownClusters().reduce((s, c) => s + c.count, 0)"
        )
        assert total >= page.evaluate("() => window.bustrack.shownMarkerCount()")
        page.unroute_all(behavior="ignoreErrors")
    finally:
        context.close()
