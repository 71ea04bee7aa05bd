"""The buses drawn on one canvas (frontend/src/busCanvasLayer.js), used as a user would.

Positions come from the test hook (``window.bustrack.markerScreenPositions()``); every
action goes through the mouse, the keyboard or the socket.
"""

from __future__ import annotations

import json
import re
import time

from playwright.sync_api import Page, WebSocketRoute, expect

from tests.browser.conftest import Server
from tests.browser.test_map import ZOOM_TO_BUSIEST
from tests.conftest import timeout

SHOWN = "() => window.bustrack.shownMarkerCount() > 50"

# A bus in the inner part of the map (clear of the search box, the status line and the
# zoom buttons) with no other bus within 30 px, preferably one gliding now: {id, x, y}.
CLEAR_BUS = """() => {
    const b = window.bustrack;
    const rect = document.getElementById('map').getBoundingClientRect();
    const all = b.markerScreenPositions();
    const clear = all.filter((p) => p.x > rect.left + 80 && p.x < rect.right - 80
        && p.y > rect.top + 140 && p.y < rect.bottom - 60
        && all.every((q) => q === p || Math.hypot(q.x - p.x, q.y - p.y) > 30));
    const gliding = clear.filter((p) => {
        const shown = b.displayedPosition(p.id);
        const target = b.vehicle(p.id);
        return shown.lat !== target.lat || shown.lon !== target.lon;
    });
    return gliding[0] ?? clear[0] ?? null;
}"""

# A point in the inner part of the map with no bus within 30 px: {x, y}.
FREE_SPOT = """() => {
    const rect = document.getElementById('map').getBoundingClientRect();
    const all = window.bustrack.markerScreenPositions();
    for (let y = rect.top + 160; y < rect.bottom - 60; y += 10) {
        for (let x = rect.left + 80; x < rect.right - 80; x += 10) {
            if (all.every((p) => Math.hypot(p.x - x, p.y - y) > 30)) { return {x, y}; }
        }
    }
    return null;
}"""

POPUP_AT = """() => {
    const popup = window.bustrack.buses.getPopup().popup;
    return popup.isOpen() ? {lat: popup.getLatLng().lat, lon: popup.getLatLng().lng} : null;
}"""


def _open(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    expect(page.locator("#status")).to_contain_text("live", timeout=timeout(20_000))
    page.wait_for_function(SHOWN, timeout=timeout(20_000))


def test_click_on_a_bus_opens_its_popup_which_follows_the_bus(page: Page, server: Server) -> None:
    _open(page, server)
    # Zoomed in, buses glide (and the stops beneath them are drawn too).
    page.evaluate(ZOOM_TO_BUSIEST, 16)
    page.wait_for_timeout(timeout(1500))
    bus = page.evaluate(CLEAR_BUS)
    assert bus is not None, "no bus clear of others in view"
    vehicle = page.evaluate("(id) => window.bustrack.vehicle(id)", bus["id"])

    # Over a bus the pointer is a hand; away from buses it is not.
    page.mouse.move(bus["x"] + 3, bus["y"] - 2)
    map_el = page.locator("#map")
    expect(map_el).to_have_class(re.compile(r"\bbus-pointer\b"))
    assert page.evaluate("() => getComputedStyle(document.getElementById('map')).cursor") == (
        "pointer"
    )

    page.mouse.click(bus["x"] + 3, bus["y"] - 2)
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator(".bus-popup")).to_be_visible()
    expect(popup).to_contain_text(vehicle["route"])
    expect(popup).to_contain_text(vehicle["headsign"])
    expect(popup).to_contain_text("ago")
    expect(popup).to_contain_text(
        re.compile(r"Empty|Many seats free|Few seats free|Standing room only|Crowded|Full")
    )
    assert page.evaluate("() => window.bustrack.buses.getPopup().vehicleId") == bus["id"]
    # A double click on the bus does not zoom the map (the bus is on top of it).
    zoom = page.evaluate("() => window.bustrack.map.getZoom()")
    now_at = page.evaluate(
        "(id) => window.bustrack.markerScreenPositions().find((p) => p.id === id)", bus["id"]
    )  # where the bus is now: it may have glided since the click
    page.mouse.dblclick(now_at["x"] + 1, now_at["y"])
    page.wait_for_timeout(timeout(400))
    assert page.evaluate("() => window.bustrack.map.getZoom()") == zoom
    assert page.evaluate("() => window.bustrack.buses.getPopup().vehicleId") == bus["id"]

    # The popup stays on its bus while it moves.
    start = page.evaluate(POPUP_AT)
    page.wait_for_function(
        """([id, start]) => {
            const popup = window.bustrack.buses.getPopup().popup.getLatLng();
            const bus = window.bustrack.displayedPosition(id);
            return (popup.lat !== start.lat || popup.lng !== start.lon)
                && Math.abs(popup.lat - bus.lat) < 1e-5 && Math.abs(popup.lng - bus.lon) < 1e-5;
        }""",
        arg=[bus["id"], start],
        timeout=timeout(30_000),
    )

    spot = page.evaluate(FREE_SPOT)
    page.mouse.move(spot["x"], spot["y"])
    expect(map_el).not_to_have_class(re.compile(r"\bbus-pointer\b"))


def test_a_click_beside_the_buses_reaches_the_map(page: Page, server: Server) -> None:
    _open(page, server)
    vid = page.evaluate("() => window.bustrack.vehicleIds()[0]")
    assert page.evaluate("(id) => window.bustrack.openPopup(id)", vid)
    expect(page.locator(".leaflet-popup")).to_have_count(1)
    # Far from any bus: the map gets the click, which closes the popup.
    spot = page.evaluate(FREE_SPOT)
    page.mouse.click(spot["x"], spot["y"])
    expect(page.locator(".leaflet-popup")).to_have_count(0)


def test_keyboard_enter_steps_through_the_buses_nearest_the_centre(
    page: Page, server: Server
) -> None:
    _open(page, server)
    map_el = page.locator("#map")
    help_id = map_el.get_attribute("aria-describedby")
    assert help_id
    expect(page.locator(f"#{help_id}")).to_contain_text("Enter")
    map_el.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator(".bus-popup")).to_be_visible()
    first = page.evaluate("() => window.bustrack.buses.getPopup().vehicleId")
    route = page.evaluate("(id) => window.bustrack.vehicle(id).route", first)
    expect(popup).to_contain_text(route)
    # It is the bus drawn nearest to the centre of the map (give or take a pixel of motion).
    nearest = page.evaluate(
        """(first) => {
            const rect = document.getElementById('map').getBoundingClientRect();
            const cx = rect.left + rect.width / 2, cy = rect.top + rect.height / 2;
            const shown = new Set(window.bustrack.shownVehicleIds());
            const d = (p) => Math.hypot(p.x - cx, p.y - cy);
            const all = window.bustrack.markerScreenPositions().filter((p) => shown.has(p.id));
            const mine = all.find((p) => p.id === first);
            return d(mine) <= Math.min(...all.map(d)) + 1;
        }""",
        first,
    )
    assert nearest
    expect(page.locator("#map [aria-live]")).to_contain_text(f"Bus {route}")
    expect(page.locator("#map [aria-live]")).to_contain_text("1 of")
    assert page.evaluate("() => document.activeElement.id") == "map"

    page.keyboard.press("Enter")
    page.wait_for_function(
        "(first) => window.bustrack.buses.getPopup().vehicleId !== first", arg=first
    )
    expect(page.locator("#map [aria-live]")).to_contain_text("2 of")
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        "(first) => window.bustrack.buses.getPopup().vehicleId === first", arg=first
    )
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)


def test_protocol_version_mismatch_stops_and_asks_for_a_reload(page: Page, server: Server) -> None:
    connections: list[str] = []

    def newer_server(ws: WebSocketRoute) -> None:
        # Not connected to the real server: this one speaks a protocol from the future.
        connections.append(ws.url)
        bus = [1, "X_1@0", "X", "1", "Nowhere", "#c62828", 1900000, 7285000, 0]
        ws.send(
            json.dumps(
                {
                    "type": "snapshot",
                    "v": 999,
                    "ts": int(time.time() * 1000),
                    "clock": {"service_time": "09:00:00", "mode": "fixed", "note": ""},
                    "parts": [{"c": "all", "e": [bus], "m": [], "l": []}],
                }
            )
        )

    page.route_web_socket(re.compile(r"/ws(\?.*)?$"), newer_server)
    page.goto(server.url + "/")
    status = page.locator("#status")
    expect(status).to_contain_text("reload the page", timeout=timeout(20_000))
    expect(status.get_by_role("button")).to_be_visible()
    assert page.evaluate("() => window.bustrack.statusState()") == "outdated"
    assert page.evaluate("() => window.bustrack.connectionState()") == "stopped"
    # Nothing of that snapshot is shown, and what is shown is greyed out.
    assert page.evaluate("() => window.bustrack.vehicleCount()") == 0
    expect(page.locator("#map")).to_have_class(re.compile(r"\bbus-stale\b"))
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.querySelector('.bus-canvas'));
                   return {opacity: s.opacity, filter: s.filter}; }"""
    )
    assert float(style["opacity"]) < 0.5
    assert "grayscale" in style["filter"]
    # Longer than the first reconnection delay (about a second): it does not try again.
    page.wait_for_timeout(timeout(3000))
    assert len(connections) == 1, connections
    assert page.evaluate("() => window.bustrack.connectionState()") == "stopped"


# Remove the bus layer from the map and add it back, noting the DOM each time.
REMOVE_AND_ADD = """() => {
    const b = window.bustrack;
    const container = b.map.getContainer();
    const note = () => ({
        canvases: document.querySelectorAll('.bus-canvas, .bus-clusters').length,
        paneChildren: b.map.getPane('bustrackBuses').children.length,
        describedBy: container.getAttribute('aria-describedby'),
        containerChildren: container.children.length,
        onMap: b.map.hasLayer(b.buses),
    });
    const before = note();
    b.map.removeLayer(b.buses);
    const removed = note();
    b.buses.addTo(b.map);
    return {before, removed, after: note()};
}"""


def test_removing_the_layer_undoes_its_dom(page: Page, server: Server) -> None:
    _open(page, server)
    result = page.evaluate(REMOVE_AND_ADD)
    before, removed, after = result["before"], result["removed"], result["after"]
    # The buses' canvas and the clusters' (busCanvasLayer.js), nothing else in the pane.
    assert before["canvases"] == before["paneChildren"] == 2
    assert before["describedBy"]
    assert removed == {
        "canvases": 0,
        "paneChildren": 0,
        "describedBy": None,
        # The help text and the live region went with it.
        "containerChildren": before["containerChildren"] - 2,
        "onMap": False,
    }
    assert after["canvases"] == 2
    assert after["onMap"]
    assert after["containerChildren"] == before["containerChildren"]
    page.wait_for_function(SHOWN, timeout=timeout(10_000))


# Zoom out by one level, animated, about the centre of the map; stop the canvas's CSS transition
# halfway (Web Animations API) and tell where bus `id` shows then: the pixel of the canvas under
# the point where the map puts it (a point moves in a straight line from where it was to where
# it goes, at the progress of Leaflet's easing), and the canvas's transform. Leaflet ends the
# animation itself 250 ms after it began: everything here happens well before.
ZOOM_OUT_HALFWAY = """async (id) => {
    const b = window.bustrack;
    const map = b.map;
    const canvas = document.querySelector('.bus-canvas');
    const rect = map.getContainer().getBoundingClientRect();
    const at = (p) => ({x: p.x - rect.left, y: p.y - rect.top});
    const before = at(b.markerScreenPositions().find((p) => p.id === id));
    const latlng = map.containerPointToLatLng([before.x, before.y]);
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    map.setZoom(map.getZoom() - 1);
    await frame();
    await frame();
    const animations = canvas.getAnimations();
    if (animations.length !== 1 || !map._animatingZoom) { return {animations: animations.length}; }
    const [animation] = animations;
    animation.pause();
    const duration = animation.effect.getTiming().duration;
    animation.currentTime = duration / 2;
    const after = map.latLngToContainerPoint(latlng); // the map's state is the new zoom already
    // Leaflet's easing, cubic-bezier(0, 0, 0.25, 1), at half time (busView.test.mjs).
    const e = 0.8231;
    const x = before.x + (after.x - before.x) * e;
    const y = before.y + (after.y - before.y) * e;
    const box = canvas.getBoundingClientRect();
    const k = canvas.width / box.width;
    const px = Math.round((rect.left + x - box.left) * k);
    const py = Math.round((rect.top + y - box.top) * k);
    const pixel = [...canvas.getContext('2d').getImageData(px, py, 1, 1).data];
    return {
        animations: 1, duration, pixel, moved: Math.hypot(after.x - before.x, after.y - before.y),
        scale: box.width / canvas.offsetWidth,
    };
}"""

# The colour drawn on the canvas at the centre of bus `id`: [r, g, b, a].
PIXEL_AT_BUS = """(id) => {
    const p = window.bustrack.markerScreenPositions().find((q) => q.id === id);
    const canvas = document.querySelector('.bus-canvas');
    const box = canvas.getBoundingClientRect();
    const k = canvas.width / box.width;
    return [...canvas.getContext('2d').getImageData(
        Math.round((p.x - box.left) * k), Math.round((p.y - box.top) * k), 1, 1).data];
}"""

# A bus within 250 px of the centre of the map (but 60 px or more from it) with no other bus
# within 30 px: {id, x, y}, or null.
CLEAR_BUS_NEAR_CENTRE = """() => {
    const b = window.bustrack;
    const rect = document.getElementById('map').getBoundingClientRect();
    const cx = rect.left + rect.width / 2;
    const cy = rect.top + rect.height / 2;
    const all = b.markerScreenPositions();
    return all.find((p) => {
        const d = Math.hypot(p.x - cx, p.y - cy);
        return d >= 60 && d <= 250
            && all.every((q) => q === p || Math.hypot(q.x - p.x, q.y - p.y) > 30);
    }) ?? null;
}"""


def _rgb(color: str) -> list[int]:
    return [int(color[i : i + 2], 16) for i in (1, 3, 5)]


def test_a_zoom_animation_scales_the_drawn_buses_with_the_map_then_redraws_them(
    page: Page, server: Server
) -> None:
    _open(page, server)
    page.evaluate(ZOOM_TO_BUSIEST, 15)
    page.wait_for_timeout(timeout(500))
    bus = page.evaluate(CLEAR_BUS_NEAR_CENTRE)
    assert bus is not None, "no bus clear of others near the centre"
    color = _rgb(page.evaluate("(id) => window.bustrack.vehicle(id).color", bus["id"]))
    assert page.evaluate(PIXEL_AT_BUS, bus["id"])[:3] == color

    # Halfway through the animation the canvas (not redrawn) is scaled and moved with the map:
    # the bus shows where the map's own layers put that spot, in its colour.
    mid = page.evaluate(ZOOM_OUT_HALFWAY, bus["id"])
    assert mid["animations"] == 1, "the canvas is animated by the browser, with the map"
    assert 0.5 < mid["scale"] < 0.7
    assert mid["moved"] > 25
    assert mid["pixel"][:3] == color
    assert mid["pixel"][3] == 255

    # Once the animation is over, the buses are drawn anew at the new zoom, without a transform.
    page.wait_for_function(
        """() => !window.bustrack.map._animatingZoom
            && !/scale/.test(document.querySelector('.bus-canvas').style.transform)""",
        timeout=timeout(5_000),
    )
    assert page.evaluate("() => window.bustrack.map.getZoom()") == 14
    page.wait_for_timeout(timeout(100))
    assert page.evaluate(PIXEL_AT_BUS, bus["id"])[:3] == color
