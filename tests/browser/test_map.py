"""The page in a real Chromium against a real server process."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.conftest import timeout

SCREEN_POSITIONS = "() => window.bustrack.markerScreenPositions()"

# Centre the map at `zoom` on the bus with the most others within 1 km, without animation.
ZOOM_TO_BUSIEST = """(zoom) => {
    const b = window.bustrack;
    const all = [...b.fleet.values()];
    let best = all[0];
    let most = -1;
    for (const v of all.filter((_, i) => i % 10 === 0)) {
        const near = all.filter((w) => Math.abs(w.lat - v.lat) < 0.009
            && Math.abs(w.lon - v.lon) < 0.009).length;
        if (near > most) { most = near; best = v; }
    }
    b.map.setView([best.lat, best.lon], zoom, {animate: false});
}"""


def _positions(page: Page) -> dict[str, tuple[float, float]]:
    return {p["id"]: (p["x"], p["y"]) for p in page.evaluate(SCREEN_POSITIONS)}


@pytest.mark.parametrize("renderer", ["canvas", "dom"])
def test_buses_appear_on_the_map_and_move(page: Page, server: Server, renderer: str) -> None:
    page.goto(server.url + ("/?markers=dom" if renderer == "dom" else "/"))
    expect(page.locator("#status")).to_contain_text("live", timeout=timeout(20_000))
    assert page.evaluate("() => window.bustrack.busRenderer()") == renderer
    page.wait_for_function("() => window.bustrack.shownMarkerCount() > 50", timeout=timeout(20_000))
    if renderer == "canvas":
        # Two canvases: the buses' and the clusters' (they crossfade by opacity).
        assert page.locator(".leaflet-bustrackBuses-pane canvas").count() == 2
        assert page.locator(".leaflet-bustrackBuses-pane canvas.bus-canvas").count() == 1
        assert page.locator(".bus-marker").count() == 0
    else:
        # One marker per bus shown (those fading out have no vehicle id any more).
        assert page.evaluate(
            """() => document.querySelectorAll('.bus-marker[data-vehicle-id]').length
                === window.bustrack.shownMarkerCount()"""
        )
    before = _positions(page)
    page.wait_for_timeout(timeout(4000))
    after = _positions(page)
    common = before.keys() & after.keys()
    assert len(common) > 50
    moved = [vid for vid in common if before[vid] != after[vid]]
    # Most buses are between stops at any moment; many must have moved on screen.
    assert len(moved) > len(common) // 4, (len(moved), len(common))
    # Zoomed in, buses show their route number.
    page.evaluate(ZOOM_TO_BUSIEST, 15)
    page.wait_for_function("() => window.bustrack.busLabels().length > 3", timeout=timeout(10_000))
    labels = page.evaluate("() => window.bustrack.busLabels()")
    routes = page.evaluate(
        "(ids) => ids.map((id) => window.bustrack.vehicle(id).route)", [x["id"] for x in labels]
    )
    assert [x["text"] for x in labels] == routes
    assert all(routes)
    if renderer == "dom":
        assert page.locator(".bus-marker").first.inner_text().strip() != ""


def test_page_reconnects_after_a_server_restart(page: Page) -> None:
    first = Server("--tick", "0.5")
    try:
        page.goto(first.url + "/")
        expect(page.locator("#status")).to_contain_text("live", timeout=timeout(20_000))
        snapshots = page.evaluate("() => window.bustrack.frameCounts().snapshots")
        assert snapshots == 1
    finally:
        first.stop()
    expect(page.locator("#status")).to_contain_text("reconnecting", timeout=timeout(10_000))
    second = Server("--tick", "0.5", port=first.port)
    try:
        expect(page.locator("#status")).to_contain_text("live", timeout=timeout(30_000))
        # The page resynced from the new server's snapshot and buses move again.
        assert page.evaluate("() => window.bustrack.frameCounts().snapshots") == 2
        page.wait_for_function(
            "() => window.bustrack.frameCounts().updates > 2", timeout=timeout(10_000)
        )
        assert page.evaluate("() => window.bustrack.vehicleCount()") > 50
    finally:
        second.stop()


def test_popup_shows_route_headsign_and_age(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    page.wait_for_function("() => window.bustrack.vehicleCount() > 0", timeout=timeout(20_000))
    vid = page.evaluate("() => window.bustrack.vehicleIds()[0]")
    vehicle = page.evaluate("(id) => window.bustrack.vehicle(id)", vid)
    assert page.evaluate("(id) => window.bustrack.openPopup(id)", vid)
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(vehicle["route"])
    expect(popup).to_contain_text(vehicle["headsign"])
    expect(popup).to_contain_text("ago")


# The status line's count, and the buses drawn inside the map's box, both read in the page.
STATUS_COUNT_AND_IN_VIEW = """() => {
    const b = window.bustrack;
    const m = b.statusText().match(/([\\d,]+) bus(es)? in view/);
    const rect = b.map.getContainer().getBoundingClientRect();
    const inView = b.markerScreenPositions().filter((p) => p.x >= rect.left
        && p.x <= rect.right && p.y >= rect.top && p.y <= rect.bottom).length;
    return {said: m ? Number(m[1].replace(/,/g, '')) : null, inView, known: b.vehicleCount()};
}"""


def test_the_status_line_counts_the_buses_in_view(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    expect(page.locator("#status")).to_contain_text("in view", timeout=timeout(20_000))
    # Zoomed in, the page knows the buses of whole tiles around the view, more than it shows:
    # the status line counts those in view.
    page.evaluate(ZOOM_TO_BUSIEST, 15)
    page.wait_for_function(
        f"() => {{ const c = ({STATUS_COUNT_AND_IN_VIEW})(); "
        "return c.said !== null && c.said === c.inView && c.inView > 0 && c.known > c.inView; }",
        timeout=timeout(20_000),
    )


# Before the page's scripts: remember every WebSocket the page opens.
RECORD_SOCKETS = """(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
        constructor(...args) { super(...args); window.__sockets.push(this); }
    };
})();"""


def test_the_page_gets_its_frames_compressed(page: Page, server: Server) -> None:
    # Chromium offers permessage-deflate, as every browser does; the server accepts it, and
    # the page decodes the compressed snapshot and updates (buses drawn, then moving).
    page.add_init_script(RECORD_SOCKETS)
    page.goto(server.url + "/")
    expect(page.locator("#status")).to_contain_text("live", timeout=timeout(20_000))
    extensions = page.evaluate("() => window.__sockets.map((s) => s.extensions)")
    assert extensions and extensions[-1].startswith("permessage-deflate"), extensions
    page.wait_for_function("() => window.bustrack.shownMarkerCount() > 50", timeout=timeout(20_000))
    first = page.evaluate("() => window.bustrack.frameCounts().updates")
    page.wait_for_function(
        "(n) => window.bustrack.frameCounts().updates >= n + 2", arg=first, timeout=timeout(20_000)
    )
