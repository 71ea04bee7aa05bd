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
