"""Route lines, stops and the search box, driven like a user in a real Chromium.

The server is the real one (``python -m bustrack.web``) with the bundled Mumbai feed;
the page reads docs/api.md's endpoints. Hooks on ``window.bustrack`` (see main.js)
only observe; every action goes through the keyboard, the mouse or the map.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import Server
from tests.conftest import timeout

LOADED = """() => window.bustrack && window.bustrack.routeCount() > 0
    && window.bustrack.routeLineCount() === window.bustrack.routeCount()
    && window.bustrack.vehicleCount() > 20"""

# The route with the most buses on the road right now: {id, label, count}.
BUSIEST_ROUTE = """() => {
    const counts = new Map();
    for (const v of window.bustrack.fleet.values()) {
        const entry = counts.get(v.routeId) ?? {id: v.routeId, label: v.route, count: 0};
        entry.count += 1;
        counts.set(v.routeId, entry);
    }
    return [...counts.values()].sort((a, b) => b.count - a.count)[0];
}"""

# Every bus drawn on the map belongs to route `id`, and there is at least one.
ONLY_ROUTE_MARKERS = """(id) => {
    const ids = window.bustrack.shownVehicleIds();
    return ids.length > 0 && ids.every((vid) => window.bustrack.vehicle(vid)?.routeId === id);
}"""

# Some bus drawn on the map belongs to another route than `id`.
OTHER_ROUTE_MARKERS = """(id) => window.bustrack.shownVehicleIds()
    .some((vid) => { const v = window.bustrack.vehicle(vid); return v && v.routeId !== id; })"""

# The map's view holds the route's whole extent, and the route fills a good part of it.
FITS_ROUTE = """(id) => {
    const [w, s, e, n] = window.bustrack.routeBox(id);
    const [vw, vs, ve, vn] = window.bustrack.mapBox();
    const eps = 1e-6;
    const inside = w >= vw - eps && s >= vs - eps && e <= ve + eps && n <= vn + eps;
    const share = Math.max((e - w) / (ve - vw), (n - s) / (vn - vs));
    return inside && share > 0.35;
}"""

# A stop drawn in the view with no bus marker near it (so that a click hits the stop).
CLEAR_STOP = """() => {
    const buses = window.bustrack.markerScreenPositions();
    const rect = document.getElementById('map').getBoundingClientRect();
    return window.bustrack.stopScreenPositions().find((s) =>
        s.routes.length > 0
        && s.x > rect.left + 60 && s.x < rect.right - 60
        && s.y > rect.top + 120 && s.y < rect.bottom - 60
        && buses.every((b) => Math.hypot(b.x - s.x, b.y - s.y) > 40)
        && document.elementFromPoint(s.x, s.y)?.closest('.leaflet-bustrackStops-pane')) ?? null;
}"""

# Afghan Church, Colaba: a stop served by many routes.
STOP_NAME = "Afghan Church"
STOP_LATLON = (18.90718, 72.81698)


def _open(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    page.wait_for_function(LOADED, timeout=timeout(30_000))


def _search_box(page: Page) -> Any:
    return page.get_by_role("combobox", name="Search routes and stops")


def _active_option_name(page: Page) -> str:
    active = page.evaluate("() => document.activeElement.getAttribute('aria-activedescendant')")
    if not active:
        return ""
    return str(page.locator(f"#{active}").get_attribute("aria-label"))


def test_route_lines_drawn_and_no_stops_at_the_opening_zoom(page: Page, server: Server) -> None:
    _open(page, server)
    routes = page.evaluate("() => window.bustrack.routeCount()")
    assert routes > 100
    assert page.evaluate("() => window.bustrack.routeLineCount()") == routes
    assert page.evaluate("() => window.bustrack.map.getZoom()") < 15
    assert page.evaluate("() => window.bustrack.stopCount()") == 0
    # The route lines are on a canvas beneath the buses.
    assert page.locator(".leaflet-bustrackRoutes-pane canvas").count() == 1


def test_choose_a_route_with_the_keyboard_then_clear(page: Page, server: Server) -> None:
    _open(page, server)
    route = page.evaluate(BUSIEST_ROUTE)
    route_id, label = route["id"], route["label"]
    box = _search_box(page)
    expect(box).to_have_attribute("aria-expanded", "false")

    box.click()
    box.press_sequentially(label, delay=40)
    listbox = page.get_by_role("listbox", name="Routes and stops")
    expect(listbox).to_be_visible(timeout=timeout(10_000))
    expect(box).to_have_attribute("aria-expanded", "true")
    # Arrow down through the results to the route, as a user would.
    for _ in range(12):
        box.press("ArrowDown")
        if _active_option_name(page).startswith(f"Route {label}:"):
            break
    assert _active_option_name(page).startswith(f"Route {label}:")
    box.press("Enter")

    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value(re.compile(rf"^{re.escape(label)}\b"))
    assert page.evaluate("() => window.bustrack.routeFilter()") == route_id
    assert page.evaluate("() => window.bustrack.routeLineCount()") == 1
    # Only that route's buses remain, and the map fits the route.
    page.wait_for_function(ONLY_ROUTE_MARKERS, arg=route_id, timeout=timeout(10_000))
    visible = page.evaluate("() => window.bustrack.visibleVehicleIds()")
    assert visible
    routes_of_visible = page.evaluate(
        "(ids) => ids.map((id) => window.bustrack.vehicle(id).routeId)", visible
    )
    assert set(routes_of_visible) == {route_id}
    page.wait_for_function(FITS_ROUTE, arg=route_id, timeout=timeout(10_000))
    # The status line counts that route's buses, by name.
    page.wait_for_function(
        """({id, label}) => {
            const b = window.bustrack;
            const n = [...b.fleet.values()].filter((v) => v.routeId === id).length;
            const said = b.statusText().match(/([\\d,]+) bus(es)? on route /);
            return n > 0 && said !== null && Number(said[1]) === n
                && b.statusText().includes(`on route ${label}`);
        }""",
        arg={"id": route_id, "label": label},
        timeout=timeout(10_000),
    )

    # The visible clear control brings everything back.
    clear = page.get_by_role("button", name="Clear search and show all routes")
    expect(clear).to_be_visible()
    clear.click()
    expect(box).to_have_value("")
    expect(box).to_be_focused()
    assert page.evaluate("() => window.bustrack.routeFilter()") is None
    assert page.evaluate("() => window.bustrack.routeLineCount() === window.bustrack.routeCount()")
    page.wait_for_function(OTHER_ROUTE_MARKERS, arg=route_id, timeout=timeout(10_000))
    page.wait_for_function(
        """() => window.bustrack.visibleVehicleIds().length === window.bustrack.vehicleCount()
            && window.bustrack.vehicleCount() > 0""",
        timeout=timeout(10_000),
    )

    # Enter straight after typing takes the best match; Escape (list closed) clears it.
    box.press_sequentially(label, delay=20)
    box.press("Enter")
    page.wait_for_function(
        "(id) => window.bustrack.routeFilter() === id", arg=route_id, timeout=timeout(10_000)
    )
    expect(listbox).to_be_hidden()
    box.press("Escape")
    expect(box).to_have_value("")
    assert page.evaluate("() => window.bustrack.routeFilter()") is None
    assert page.evaluate("() => window.bustrack.routeLineCount() === window.bustrack.routeCount()")


# Route `id`'s box, in map-container pixels, lies right of the panel and below the status line.
ROUTE_CLEAR_OF_PANEL = """(id) => {
    const b = window.bustrack;
    const [w, s, e, n] = b.routeBox(id);
    const map = b.map.getContainer().getBoundingClientRect();
    const sw = b.map.latLngToContainerPoint([s, w]);
    const ne = b.map.latLngToContainerPoint([n, e]);
    const panel = document.getElementById('sheet').getBoundingClientRect();
    const status = document.getElementById('status').getBoundingClientRect();
    return !document.getElementById('sheet').hidden
        && sw.x >= panel.right - map.left && ne.y >= status.bottom - map.top
        && ne.x <= map.width && sw.y <= map.height;
}"""


def test_a_chosen_route_is_fitted_clear_of_the_open_panel(page: Page, server: Server) -> None:
    _open(page, server)
    page.get_by_role("button", name="List", exact=True).click()
    expect(page.locator("#sheet")).to_be_visible()
    route = page.evaluate(BUSIEST_ROUTE)
    box = _search_box(page)
    box.click()
    box.press_sequentially(route["label"], delay=20)
    box.press("Enter")
    page.wait_for_function(
        "(id) => window.bustrack.routeFilter() === id", arg=route["id"], timeout=timeout(10_000)
    )
    page.wait_for_function(ROUTE_CLEAR_OF_PANEL, arg=route["id"], timeout=timeout(10_000))


def test_stops_of_the_same_name_in_two_places_are_told_apart(page: Page, server: Server) -> None:
    # Bandra (E) Phatak: two stops of that name 2 km apart, served by different routes.
    _open(page, server)
    box = _search_box(page)
    box.click()
    box.press_sequentially("bandra e phatak", delay=20)
    options = page.get_by_role("option", name=re.compile(r"^Stop Bandra \(E\) Phatak, routes "))
    expect(options).to_have_count(2, timeout=timeout(10_000))
    names = [options.nth(i).get_attribute("aria-label") for i in range(2)]
    shown = [options.nth(i).locator(".search__routes").inner_text() for i in range(2)]
    assert names[0] != names[1] and shown[0] != shown[1]
    # Routes are named by their number, as on the buses.
    labels = page.evaluate("() => [...window.bustrack.network.routes.values()].map((r) => r.label)")
    for text in shown:
        assert all(part in labels for part in text.rstrip(" …").split(", ")), text


def test_choose_a_stop_with_the_mouse(page: Page, server: Server) -> None:
    _open(page, server)
    box = _search_box(page)
    box.click()
    box.press_sequentially("afghan chu", delay=40)
    option = page.get_by_role("option", name=f"Stop {STOP_NAME}").first
    expect(option).to_be_visible(timeout=timeout(10_000))
    option.hover()
    expect(option).to_have_attribute("aria-selected", "true")
    option.click()

    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(STOP_NAME)
    expect(box).to_have_value(STOP_NAME)
    assert page.evaluate("() => window.bustrack.map.getZoom()") >= 15
    # The routes serving it arrive with the stops of the new view.
    chips = popup.locator(".route-chip")
    expect(chips.first).to_be_visible(timeout=timeout(10_000))
    page.wait_for_function("() => window.bustrack.stopCount() > 0", timeout=timeout(10_000))

    # A route chip in the popup shows that route alone, and the search box says so.
    label = chips.first.inner_text()
    chips.first.click()
    page.wait_for_function("() => window.bustrack.routeFilter() !== null", timeout=timeout(10_000))
    route_id = page.evaluate("() => window.bustrack.routeFilter()")
    assert page.evaluate("(id) => window.bustrack.network.routes.get(id).label", route_id) == label
    expect(box).to_have_value(re.compile(rf"^{re.escape(label)}\b"))
    assert page.evaluate("() => window.bustrack.routeLineCount()") == 1


def test_stops_from_zoom_15_with_a_popup_listing_routes(page: Page, server: Server) -> None:
    stop_requests: list[str] = []

    def on_request(request: Request) -> None:
        if "/api/stops" in request.url:
            stop_requests.append(request.url)

    page.on("request", on_request)
    _open(page, server)
    page.wait_for_timeout(timeout(500))
    assert page.evaluate("() => window.bustrack.stopCount()") == 0
    assert stop_requests == [], "no stops are asked for at the opening zoom"

    page.evaluate("([lat, lon]) => { window.bustrack.map.setView([lat, lon], 16); }", STOP_LATLON)
    page.wait_for_function("() => window.bustrack.stopCount() > 5", timeout=timeout(10_000))
    assert len(stop_requests) == 1
    assert "bbox=" in stop_requests[0]

    # Click a stop (one no bus stands on) and read its popup.
    stop = page.evaluate(CLEAR_STOP)
    assert stop is not None, "no stop free of buses in view"
    page.mouse.click(stop["x"], stop["y"])
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(stop["name"])
    labels = page.evaluate(
        "(ids) => ids.map((id) => window.bustrack.network.routes.get(id).label)", stop["routes"]
    )
    chips = popup.locator(".route-chip")
    expect(chips).to_have_count(len(labels))
    assert chips.all_inner_texts() == labels
    popup.page.keyboard.press("Escape")

    # A small pan stays inside the box already fetched: no new request.
    page.evaluate("() => { window.bustrack.map.panBy([120, 80], {animate: false}); }")
    page.wait_for_timeout(timeout(600))
    assert len(stop_requests) == 1, stop_requests

    # Zoomed out again, the stops go away.
    page.evaluate("() => { window.bustrack.map.setZoom(14, {animate: false}); }")
    page.wait_for_function("() => window.bustrack.stopCount() === 0", timeout=timeout(10_000))


# In one task, so that no frame from the server comes in between: filter, look, unfilter.
FILTER_ROUND_TRIP = """(route) => {
    const b = window.bustrack;
    const markerRoutes = () => b.shownVehicleIds().map((id) => b.vehicle(id).routeId);
    const before = {markers: markerRoutes().length, visible: b.visibleVehicleIds().length};
    b.buses.setRouteFilter(route);
    const during = {routes: [...new Set(markerRoutes())],
                    visible: b.visibleVehicleIds().map((id) => b.vehicle(id).routeId)};
    b.buses.setRouteFilter(null);
    const after = {markers: markerRoutes().length, visible: b.visibleVehicleIds().length};
    return {before, during, after, total: b.vehicleCount()};
}"""


def test_bus_layer_route_filter_hides_other_routes_buses(page: Page, server: Server) -> None:
    # The server also narrows what it sends to the chosen route (docs/protocol.md,
    # "subscribe"); this checks the page's own filter, which holds before and without that.
    _open(page, server)
    route = page.evaluate(BUSIEST_ROUTE)
    result = page.evaluate(FILTER_ROUND_TRIP, {"id": route["id"], "label": route["label"]})
    assert result["before"]["visible"] == result["total"]
    assert result["during"]["routes"] == [route["id"]]
    assert set(result["during"]["visible"]) == {route["id"]}
    assert len(result["during"]["visible"]) == route["count"]
    assert result["after"] == result["before"]
