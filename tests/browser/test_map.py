"""The page in a real Chromium against a real server process."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.conftest import timeout

SCREEN_POSITIONS = "() => window.bustrack.markerScreenPositions()"


def _positions(page: Page) -> dict[str, tuple[float, float]]:
    return {p["id"]: (p["x"], p["y"]) for p in page.evaluate(SCREEN_POSITIONS)}


def test_buses_appear_on_the_map_and_move(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    expect(page.locator("#status")).to_contain_text("live", timeout=timeout(20_000))
    page.wait_for_function(
        "() => document.querySelectorAll('.bus-marker').length > 50", timeout=timeout(20_000)
    )
    before = _positions(page)
    page.wait_for_timeout(4000)
    after = _positions(page)
    common = before.keys() & after.keys()
    assert len(common) > 50
    moved = [vid for vid in common if before[vid] != after[vid]]
    # Most buses are between stops at any moment; many must have moved on screen.
    assert len(moved) > len(common) // 4, (len(moved), len(common))
    # A marker shows its route number.
    first = page.locator(".bus-marker").first
    assert first.inner_text().strip() != ""


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
