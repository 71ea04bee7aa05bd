"""A stop's next buses, the bus popup's details and "Follow", in a real Chromium against the
real server (pinned to 09:00 service time, so the morning's buses run whatever the hour).

Hooks on ``window.bustrack`` (see main.js) only observe; every action goes through the
keyboard, the mouse or the map.
"""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.browser.test_map import ZOOM_TO_BUSIEST
from tests.conftest import timeout

# Afghan Church, Colaba: many routes pass; at 09:00 buses are on their way to it.
STOP_ID = "BEST_01001"
STOP_NAME = "Afghan Church"
STOP_LATLON = (18.90718, 72.81698)
# Borivali, far north of it: none of its buses are in the page's box there.
FAR_AWAY = (19.2307, 72.8567)

PANEL = "() => window.bustrack.stopPanelState()"
OCCUPANCY_WORDS = r"Empty|Many seats free|Few seats free|Standing room only|Crowded|Full"
HAS_ROWS = "() => window.bustrack.stopPanelState().rows.length > 0"
HAS_BUS_ROW = "() => window.bustrack.stopPanelState().rows.some((r) => r.vehicle)"

# A bus in the inner part of the map, in sight (clear of the panel and the edges), moving.
MOVING_BUS = """() => {
    const b = window.bustrack;
    const rect = document.getElementById('map').getBoundingClientRect();
    const shown = new Set(b.shownVehicleIds());
    return b.markerScreenPositions().find((p) => shown.has(p.id)
        && p.x > rect.left + 200 && p.x < rect.right - 200
        && p.y > rect.top + 200 && p.y < rect.bottom - 200
        && (b.displayedPosition(p.id).lat !== b.vehicle(p.id).lat
            || b.displayedPosition(p.id).lon !== b.vehicle(p.id).lon)) ?? null;
}"""

# Where bus `id` is drawn, in map container pixels, and the map's centre.
BUS_AND_CENTRE = """(id) => {
    const b = window.bustrack;
    const at = b.displayedPosition(id);
    if (!at) { return null; }
    const p = b.map.latLngToContainerPoint([at.lat, at.lon]);
    const size = b.map.getSize();
    return {x: p.x, y: p.y, cx: size.x / 2, cy: size.y / 2, lat: at.lat, lon: at.lon};
}"""


def _open(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    page.wait_for_function(
        "() => window.bustrack && window.bustrack.vehicleCount() > 20", timeout=timeout(30_000)
    )


def _search_stop(page: Page, text: str = "afghan chu") -> None:
    box = page.get_by_role("combobox", name="Search routes and stops")
    box.click()
    box.press_sequentially(text, delay=30)
    box.press("Enter")
    page.wait_for_function(HAS_ROWS, timeout=timeout(15_000))


def _panel_state(page: Page) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(PANEL)
    return state


def test_keyboard_only_path_to_a_stops_next_buses(page: Page, server: Server) -> None:
    _open(page, server)
    # From the top of the page, the first Tab reaches the search box.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "search-input"
    page.keyboard.type("afghan chu", delay=30)
    page.keyboard.press("Enter")

    panel = page.get_by_role("region", name=STOP_NAME)
    expect(panel).to_be_visible(timeout=timeout(10_000))
    expect(panel.get_by_role("heading", name=STOP_NAME)).to_be_visible()
    arrivals = panel.get_by_role("list", name=f"Next buses at {STOP_NAME}")
    page.wait_for_function(HAS_BUS_ROW, timeout=timeout(15_000))
    expect(arrivals.get_by_role("listitem").first).to_be_visible()
    assert page.evaluate("() => window.bustrack.subscriptionState().stop") == STOP_ID
    # The choice left the focus in the search box; a few Tabs bring it into the list.
    assert page.evaluate("() => document.activeElement.id") == "search-input"
    presses = 0
    while presses < 9 and not page.evaluate(
        "() => Boolean(document.activeElement.closest('.arrivals'))"
    ):
        page.keyboard.press("Tab")
        presses += 1
    assert page.evaluate("() => Boolean(document.activeElement.closest('.arrivals'))")
    assert presses <= 8, presses  # 8: the My stops star in the panel, Near me in the toolbar
    # Its name says the route, where it goes, when and whether that is live.
    name = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    assert re.search(r"^\S+ to .+: (in \d+ min|now|due|no signal.*), (Live|Scheduled)", name), name
    key = page.evaluate("() => document.activeElement.dataset.key")
    vehicle = next(r["vehicle"] for r in _panel_state(page)["rows"] if r["key"] == key)

    # Enter shows that bus: its popup opens (and rings it), with the server's details.
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(id) => window.bustrack.popupVehicle() === id", arg=vehicle, timeout=timeout(10_000)
    )
    popup = page.locator(".bus-popup")
    expect(popup).to_contain_text("Next stop", timeout=timeout(10_000))
    assert page.evaluate("() => window.bustrack.subscriptionState().vehicle") == vehicle
    # Its row is marked as the one shown on the map.
    chosen = page.locator(".arrivals [aria-current='true']")
    expect(chosen).to_have_count(1)
    assert chosen.get_attribute("data-key") == key

    # Escape closes the panel, unsubscribes from the stop and gives the focus back.
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert page.evaluate("() => window.bustrack.subscriptionState().stop") is None
    assert page.evaluate("() => document.activeElement.id") == "search-input"


def test_the_panel_keeps_current_without_a_reload(page: Page, server: Server) -> None:
    _open(page, server)
    page.evaluate("() => { window.sameDocument = true; }")
    _search_stop(page)
    page.evaluate("() => { document.querySelector('.stop-panel').marked = true; }")
    first = _panel_state(page)
    assert first["open"] and first["stopId"] == STOP_ID and first["name"] == STOP_NAME
    assert all(r["text"] for r in first["rows"])
    # Each row says Live or Scheduled in words, and when.
    for row in first["rows"]:
        assert re.search(r"Live|Scheduled", row["text"]), row
        assert re.search(r"in \d+ min|now|due|no signal", row["text"]), row
    # A live bus says how full it is (the simulation's occupancy at 09:00, a peak).
    live = [r["text"] for r in first["rows"] if "Live" in r["text"]]
    assert live and all(re.search(OCCUPANCY_WORDS, text) for text in live), live
    before = json.dumps([[r["key"], r["eta"]] for r in first["rows"]])
    # Over the next ticks new boards come over the same socket and the predictions move.
    page.wait_for_function(
        """([boards, before]) => {
            const s = window.bustrack.stopPanelState();
            return s.boards >= boards + 3
                && JSON.stringify(s.rows.map((r) => [r.key, r.eta])) !== before;
        }""",
        arg=[first["boards"], before],
        timeout=timeout(20_000),
    )
    assert page.evaluate("() => window.sameDocument === true")
    assert page.evaluate("() => document.querySelector('.stop-panel').marked === true")
    assert page.evaluate("() => window.bustrack.frameCounts().snapshots") <= 3
    # A reconnection would ask for the stop from the start: it is in the socket's URL.
    assert f"stop={STOP_ID}" in page.evaluate("() => window.bustrack.subscription.query()")


def test_a_stop_clicked_on_the_map_opens_its_next_buses(page: Page, server: Server) -> None:
    _open(page, server)
    page.evaluate(
        "([lat, lon]) => { window.bustrack.map.setView([lat, lon], 17, {animate: false}); }",
        STOP_LATLON,
    )
    page.wait_for_function("() => window.bustrack.stopCount() > 0", timeout=timeout(10_000))
    # A stop clear of buses (so that the click finds the stop), preferably this one. Looked
    # for until one is: the stops of the new view may still be coming, buses passing.
    found = page.wait_for_function(
        """(id) => {
            const buses = window.bustrack.markerScreenPositions();
            const rect = document.getElementById('map').getBoundingClientRect();
            const clear = window.bustrack.stopScreenPositions().filter((s) =>
                s.routes.length > 0 && s.x > rect.left + 420 && s.x < rect.right - 60
                && s.y > rect.top + 120 && s.y < rect.bottom - 60
                && buses.every((b) => Math.hypot(b.x - s.x, b.y - s.y) > 30)
                && document.elementFromPoint(s.x, s.y)?.closest('.leaflet-bustrackStops-pane'));
            return clear.find((s) => s.id === id) ?? clear[0] ?? null;
        }""",
        arg=STOP_ID,
        timeout=timeout(10_000),
    )
    stop = found.json_value()
    assert stop is not None, "no stop clear of buses in view"
    page.mouse.click(stop["x"], stop["y"])
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(stop["name"])
    # (Two stops may lie within a click of each other, across a road: the popup says which.)
    stop_id = page.evaluate("() => window.bustrack.network.stops.getPopup().stopId")
    assert stop_id
    popup.get_by_role("button", name="Arrivals").click()

    panel = page.get_by_role("region", name=stop["name"])
    expect(panel).to_be_visible()
    # The keyboard focus went to the panel's heading.
    assert page.evaluate("() => document.activeElement.classList.contains('view__title')")
    page.wait_for_function(
        "() => window.bustrack.stopPanelState().boards > 0", timeout=timeout(10_000)
    )
    assert page.evaluate("() => window.bustrack.subscriptionState().stop") == stop_id
    expect(panel.locator(".arrivals, .stop-panel__empty").first).to_be_visible()

    panel.get_by_role("button", name="Close the next buses").click()
    expect(panel).to_be_hidden()
    assert page.evaluate("() => window.bustrack.subscriptionState().stop") is None


def test_choosing_an_arrival_far_from_the_view_finds_and_shows_its_bus(
    page: Page, server: Server
) -> None:
    _open(page, server)
    _search_stop(page)
    page.wait_for_function(HAS_BUS_ROW, timeout=timeout(15_000))
    # Far away, the page's box holds none of the stop's buses.
    page.evaluate(
        "([lat, lon]) => { window.bustrack.map.setView([lat, lon], 15, {animate: false}); }",
        FAR_AWAY,
    )
    # (The new view's snapshot replaces the fleet after the debounced subscribe; on a loaded
    # machine this once took longer than 10 s.)
    page.wait_for_function(
        """() => window.bustrack.stopPanelState().rows.some((r) => r.vehicle
            && !window.bustrack.vehicle(r.vehicle))""",
        timeout=timeout(25_000),
    )
    row = page.evaluate(
        """() => window.bustrack.stopPanelState().rows.find((r) => r.vehicle
            && !window.bustrack.vehicle(r.vehicle))"""
    )
    page.locator(f'.arrivals button[data-key="{row["key"]}"]').click()
    # The page asks for the bus's route for a moment, goes to the bus, opens its popup...
    page.wait_for_function(
        "(id) => window.bustrack.popupVehicle() === id", arg=row["vehicle"], timeout=timeout(15_000)
    )
    # ... and is back to asking for its view.
    assert page.evaluate("() => window.bustrack.subscriptionState().finding") is None
    at = page.evaluate(BUS_AND_CENTRE, row["vehicle"])
    size = page.evaluate("() => window.bustrack.map.getSize()")
    panel_right = page.evaluate(
        "() => document.getElementById('sheet').getBoundingClientRect().right"
    )
    assert panel_right < at["x"] < size["x"] and 0 < at["y"] < size["y"], (at, panel_right)
    page.wait_for_function(
        "(id) => window.bustrack.subscriptionState().vehicle === id",
        arg=row["vehicle"],
        timeout=timeout(5_000),
    )


def test_follow_keeps_the_map_on_the_bus_until_the_user_drags(page: Page, server: Server) -> None:
    _open(page, server)
    page.evaluate(ZOOM_TO_BUSIEST, 16)
    page.wait_for_function(f"() => ({MOVING_BUS})() !== null", timeout=timeout(15_000))
    bus = page.evaluate(MOVING_BUS)
    assert page.evaluate("(id) => window.bustrack.openPopup(id)", bus["id"])
    follow = page.locator(".bus-popup").get_by_role("button", name="Follow")
    expect(follow).to_have_attribute("aria-pressed", "false")
    follow.click()
    expect(follow).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("() => window.bustrack.followedVehicle()") == bus["id"]

    start = page.evaluate(BUS_AND_CENTRE, bus["id"])
    # The bus moves on, and the map with it: it stays at the centre.
    page.wait_for_function(
        """([id, start]) => {
            const b = window.bustrack;
            const at = b.displayedPosition(id);
            const p = b.map.latLngToContainerPoint([at.lat, at.lon]);
            const size = b.map.getSize();
            return Math.hypot(at.lat - start.lat, at.lon - start.lon) > 2e-5
                && Math.abs(p.x - size.x / 2) <= 1.5 && Math.abs(p.y - size.y / 2) <= 1.5;
        }""",
        arg=[bus["id"], start],
        timeout=timeout(30_000),
    )

    # The user drags the map: following ends, and the toggle says so.
    map_box = page.locator("#map").bounding_box()
    assert map_box is not None
    x, y = map_box["x"] + map_box["width"] * 0.75, map_box["y"] + map_box["height"] * 0.8
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 120, y - 60, steps=6)
    page.mouse.up()
    expect(follow).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("() => window.bustrack.followedVehicle()") is None
    page.wait_for_timeout(timeout(1000))  # the drag's inertia
    centre = page.evaluate("() => window.bustrack.map.getCenter()")
    page.wait_for_timeout(timeout(1500))
    assert page.evaluate("() => window.bustrack.map.getCenter()") == centre


def test_reduced_motion_snaps_buses_instead_of_gliding(page: Page, server: Server) -> None:
    page.emulate_media(reduced_motion="reduce")
    _open(page, server)
    page.evaluate(ZOOM_TO_BUSIEST, 16)
    updates = page.evaluate("() => window.bustrack.frameCounts().updates")
    before = page.evaluate("() => window.bustrack.markerScreenPositions()")
    moving = []
    for _ in range(10):
        page.wait_for_timeout(timeout(250))
        moving.append(page.evaluate("() => window.bustrack.movingCount()"))
    assert page.evaluate("() => window.bustrack.frameCounts().updates") > updates
    after = {p["id"]: p for p in page.evaluate("() => window.bustrack.markerScreenPositions()")}
    assert any(
        p["id"] in after and (after[p["id"]]["x"], after[p["id"]]["y"]) != (p["x"], p["y"])
        for p in before
    ), "buses moved"
    assert moving == [0] * 10


def test_the_list_view_by_keyboard_keeps_the_focus_while_it_updates(
    page: Page, server: Server
) -> None:
    _open(page, server)
    page.evaluate(
        "([lat, lon]) => { window.bustrack.map.setView([lat, lon], 16, {animate: false}); }",
        STOP_LATLON,
    )
    page.wait_for_function("() => window.bustrack.stopCount() > 0", timeout=timeout(10_000))
    # Tab to the toolbar's List button, press it: the list opens with the focus on its heading.
    page.keyboard.press("Tab")
    for _ in range(4):
        if page.evaluate("() => document.activeElement.classList.contains('toolbar__list')"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    listing = page.get_by_role("region", name="In view")
    expect(listing).to_be_visible()
    expect(page.get_by_role("button", name="List", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.evaluate("() => document.activeElement.classList.contains('view__title')")
    buses = listing.get_by_role("list", name=re.compile(r"\d+ bus(es)? in view"))
    expect(buses.get_by_role("listitem").first).to_be_visible(timeout=timeout(5000))
    expect(listing.get_by_role("list", name="Stops in view")).to_contain_text(STOP_NAME)

    # Into the buses: the row keeps the focus while the list is redrawn every second.
    page.keyboard.press("Tab")  # the close button
    page.keyboard.press("Tab")  # the first bus
    focused = page.evaluate("() => document.activeElement.dataset.id")
    assert focused in page.evaluate("() => window.bustrack.listState().buses")
    page.wait_for_timeout(timeout(2500))
    assert page.evaluate("() => document.activeElement.dataset.id") == focused
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(id) => window.bustrack.popupVehicle() === id", arg=focused, timeout=timeout(5000)
    )

    # A stop's row opens its next buses; closing them goes back to the list.
    listing.get_by_role("button", name=re.compile(STOP_NAME)).first.click()
    panel = page.get_by_role("region", name=STOP_NAME)
    expect(panel).to_be_visible()
    expect(panel.locator("[aria-live='polite']")).to_have_count(1)
    panel.get_by_role("button", name="Close the next buses").click()
    expect(listing).to_be_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('view__title')")
