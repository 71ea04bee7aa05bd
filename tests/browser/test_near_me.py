"""Near me (issue 15): the toolbar's button asks for the location; granted, the panel lists the
5 nearest stops with their walking distance and minutes and the map centres there; refused, a
clear message and the most used stops of the feed."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server, offline_page
from tests.conftest import timeout

DADAR = {"latitude": 19.0176, "longitude": 72.8562}
LOADED = "() => window.bustrack && window.bustrack.routeCount() > 0"
NEAR = "() => window.bustrack.nearPanel.state()"


@pytest.fixture
def located(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, geolocation=DADAR, permissions=["geolocation"]
    )
    errors: list[str] = []
    yield offline_page(context, errors), errors
    context.close()
    assert not errors, errors


@pytest.fixture
def refused(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    errors: list[str] = []
    yield offline_page(context, errors), errors
    context.close()
    assert not errors, errors


def test_near_me_lists_the_nearest_stops_and_centres_the_map(
    located: tuple[Page, list[str]], server: Server
) -> None:
    page, _ = located
    page.goto(server.url + "/")
    page.wait_for_function(LOADED, timeout=timeout(30_000))
    page.get_by_role("button", name="Near me").click()
    page.wait_for_function(
        "() => window.bustrack.nearPanel.state().mode === 'near'", timeout=timeout(15_000)
    )
    panel = page.locator(".near-panel")
    expect(panel.locator(".view__title")).to_have_text("Near you")
    state = page.evaluate(NEAR)
    assert len(state["stops"]) == 5
    walks = [s["walkM"] for s in state["stops"]]
    assert walks == sorted(walks)
    assert walks[0] < 600, state  # Dadar has stops close by
    for stop in state["stops"]:
        assert re.search(r"\d+ (m|km) · \d+ min on foot", stop["text"]), stop
        assert "Routes " in stop["text"], stop
    expect(panel.locator(".near-panel__note")).to_contain_text(
        "straight line \u00d7 1.3, at 4.8 km/h"
    )
    centre = page.evaluate("() => window.bustrack.map.getCenter()")
    assert abs(centre["lat"] - DADAR["latitude"]) < 1e-3
    assert abs(centre["lng"] - DADAR["longitude"]) < 1e-3
    assert page.evaluate("() => window.bustrack.map.getZoom()") >= 16
    expect(page.locator("path.near-me-marker")).to_have_count(1)
    page.screenshot(path="/tmp/near_me_desktop.png")
    # A stop chosen from the list opens its next buses.
    first = state["stops"][0]
    panel.get_by_role("button", name=re.compile("^" + re.escape(first["name"]))).first.click()
    page.wait_for_function(
        "(id) => window.bustrack.stopPanelState().stopId === id",
        arg=first["id"],
        timeout=timeout(10_000),
    )
    page.wait_for_function(
        "() => window.bustrack.stopPanelState().boards > 0", timeout=timeout(15_000)
    )


def test_refused_location_says_so_and_lists_the_most_used_stops(
    refused: tuple[Page, list[str]], server: Server
) -> None:
    page, _ = refused
    page.goto(server.url + "/")
    page.wait_for_function(LOADED, timeout=timeout(30_000))
    page.get_by_role("button", name="Near me").click()
    page.wait_for_function(
        "() => window.bustrack.nearPanel.state().mode === 'busiest'", timeout=timeout(20_000)
    )
    panel = page.locator(".near-panel")
    expect(panel.get_by_role("alert")).to_contain_text("Location is not allowed for this page")
    expect(panel.locator(".view__title")).to_have_text("Most used stops")
    state = page.evaluate(NEAR)
    assert len(state["stops"]) == 5
    assert all(s["walkM"] is None for s in state["stops"])
    counts = page.evaluate(
        """(ids) => ids.map((id) => window.bustrack.nearPanel._state.stops
            .find((s) => s.id === id).routes.length)""",
        [s["id"] for s in state["stops"]],
    )
    assert counts == sorted(counts, reverse=True) and counts[0] > 10, counts
    expect(page.locator("path.near-me-marker")).to_have_count(0)
    page.screenshot(path="/tmp/near_me_phone_refused.png")
    # In Marathi too.
    page.select_option("#language", "mr")
    expect(panel.locator(".view__title")).to_have_text("सर्वाधिक वापरले जाणारे थांबे")
