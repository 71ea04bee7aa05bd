"""Buses gone silent: greyed with their age after the config's ``stale_after_s`` (60 s), then
removed when the server says so (an ``l`` entry after ``--drop-after``).

The page comes from the real server, but its socket is scripted (``page.route_web_socket``) and
its clock is Playwright's (``page.clock``), so that a minute of silence takes no minute.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from playwright.sync_api import Page, WebSocketRoute, expect

from tests.browser.conftest import Server
from tests.conftest import timeout

# Two buses in the middle of Mumbai (in view at the opening zoom and at 12), as
# docs/protocol.md's full records:
# [n, id, route_id, route, headsign, colour, lat, lon, bearing, reported].
SILENT = "BEST_10AS_d0@30600"
TALKING = "BEST_11LTD_d1@30600"
RED = "#c62828"

# The colour drawn at the centre of bus `id` on the canvas: [r, g, b, a].
PIXEL_AT_BUS = """(id) => {
    const p = window.bustrack.markerScreenPositions().find((q) => q.id === id);
    const canvas = document.querySelector('.bus-canvas');
    const rect = canvas.getBoundingClientRect();
    const scale = canvas.width / rect.width;
    const data = canvas.getContext('2d').getImageData(
        Math.round((p.x - rect.left) * scale), Math.round((p.y - rect.top) * scale), 1, 1).data;
    return [...data];
}"""


def _record(n: int, vid: str, lat: float, lon: float, reported: int) -> list[Any]:
    route = vid.split("_")[1]
    return [n, vid, f"BEST_{route}", route, "Colaba Depot", RED, round(lat * 1e5),
            round(lon * 1e5), 90, reported]  # fmt: skip


def _frame(
    kind: str, ts: int, entered: list[list[Any]] | None = None, left: list[int] | None = None
) -> str:
    frame: dict[str, Any] = {
        "type": kind,
        "ts": ts,
        "parts": [{"c": "all", "e": entered or [], "m": [], "l": left or []}],
    }
    if kind == "snapshot":
        frame.update(v=2, clock={"service_time": "09:00:00", "mode": "fixed", "note": ""})
    return json.dumps(frame)


def _scripted(page: Page, server: Server) -> list[WebSocketRoute]:
    """Open the page on Playwright's clock with its /ws spoken for by the test, not by the
    real server; return the page's sockets (the first once it connected, and any later)."""
    sockets: list[WebSocketRoute] = []
    page.clock.install()
    page.route_web_socket(re.compile(r"/ws(\?.*)?$"), lambda ws: sockets.append(ws))
    page.goto(server.url + "/")
    deadline = time.monotonic() + timeout(20)
    while not sockets:
        assert time.monotonic() < deadline, "the page did not connect"
        page.wait_for_timeout(timeout(50))
    # Past the zoom where buses are counted per area (busClusters.js): drawn one by one.
    page.wait_for_function("() => window.bustrack && window.bustrack.map")
    page.evaluate("() => { window.bustrack.map.setZoom(12, {animate: false}); }")
    return sockets


def test_a_silent_bus_is_greyed_with_its_age_then_removed(page: Page, server: Server) -> None:
    sockets = _scripted(page, server)
    ws = sockets[0]
    centre = page.evaluate("() => window.bustrack.map.getCenter()")
    lat, lon = centre["lat"], centre["lng"]
    now = page.evaluate("() => Date.now()")
    # One bus has not reported for 10 s; the other reports every tick.
    buses = [
        _record(1, SILENT, lat, lon - 0.02, now // 1000 - 10),
        _record(2, TALKING, lat, lon + 0.02, 0),
    ]
    ws.send(_frame("snapshot", now, buses))
    page.wait_for_function("() => window.bustrack.vehicleCount() === 2", timeout=timeout(10_000))
    page.wait_for_function("() => window.bustrack.shownMarkerCount() === 2")
    assert page.evaluate("() => window.bustrack.staleVehicleIds()") == []
    assert page.evaluate("() => window.bustrack.greyedVehicleIds()") == []
    assert page.evaluate(PIXEL_AT_BUS, SILENT)[:3] == [0xC6, 0x28, 0x28]

    # 55 s later (65 s of silence, past stale_after_s = 60): greyed, the other one not.
    page.clock.fast_forward(55_000)
    ws.send(_frame("update", page.evaluate("() => Date.now()")))
    page.wait_for_function(
        "(id) => window.bustrack.greyedVehicleIds().includes(id)", arg=SILENT, timeout=timeout(5000)
    )
    assert page.evaluate("() => window.bustrack.staleVehicleIds()") == [SILENT]
    assert page.evaluate("() => window.bustrack.greyedVehicleIds()") == [SILENT]
    r, g, b, _ = page.evaluate(PIXEL_AT_BUS, SILENT)
    assert max(r, g, b) - min(r, g, b) < 16, "grey, not red"
    assert page.evaluate(PIXEL_AT_BUS, TALKING)[:3] == [0xC6, 0x28, 0x28]

    # Its popup and the list view give its age.
    assert page.evaluate("(id) => window.bustrack.openPopup(id)", SILENT)
    expect(page.locator(".bus-popup")).to_contain_text("No signal: last report 1 min ago")
    page.get_by_role("button", name="List", exact=True).click()
    rows = page.locator(".bus-list .list-row")
    expect(rows).to_have_count(2)
    expect(page.locator(".bus-list .list-row--stale")).to_contain_text("no signal · 1 min ago")

    # The server drops it (--drop-after): the page follows.
    ws.send(_frame("update", page.evaluate("() => Date.now()"), left=[1]))
    page.wait_for_function("() => window.bustrack.vehicleCount() === 1", timeout=timeout(5000))
    assert page.evaluate("() => window.bustrack.vehicleIds()") == [TALKING]
    page.wait_for_function("() => window.bustrack.greyedVehicleIds().length === 0")
    assert page.evaluate("() => window.bustrack.staleVehicleIds()") == []
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    expect(rows).to_have_count(1, timeout=timeout(3000))


def test_a_silent_bus_is_never_shown_arriving_now(page: Page, server: Server) -> None:
    sockets = _scripted(page, server)
    ws = sockets[0]
    now = page.evaluate("() => Date.now()")
    centre = page.evaluate("() => window.bustrack.map.getCenter()")
    bus = _record(1, SILENT, centre["lat"], centre["lng"], now // 1000 - 30)
    ws.send(_frame("snapshot", now, [bus]))
    page.wait_for_function("() => window.bustrack.vehicleCount() === 1", timeout=timeout(10_000))
    # The stop's panel, from the search box; the board says the bus is due in 30 s, live.
    box = page.get_by_role("combobox", name="Search routes and stops")
    box.click()
    box.press_sequentially("afghan chu", delay=20)
    box.press("Enter")
    expect(page.get_by_role("region", name="Afghan Church")).to_be_visible(timeout=timeout(10_000))

    def board(ts: int, live: bool) -> str:
        arrival = {
            "vehicle": SILENT, "trip": "BEST_10AS_d0", "route_id": "BEST_10AS", "route": "10AS",
            "color": RED, "headsign": "Colaba Depot", "eta": ts + 30_000, "uncertainty": 20,
            "live": live, "scheduled": ts + 90_000, "no_signal": not live,
        }  # fmt: skip
        stop = {"id": "BEST_01001", "name": "Afghan Church", "lat": 18.907184, "lon": 72.816983}
        return json.dumps({"type": "arrivals", "ts": ts, "stop": stop, "arrivals": [arrival]})

    ws.send(board(now, live=True))
    page.wait_for_function("() => window.bustrack.stopPanelState().rows.length === 1")
    assert page.evaluate("() => window.bustrack.stopPanelState().rows[0].when") == "now"
    # 40 s on (70 s silent), before the server's next board: the page's own check says so.
    page.clock.fast_forward(40_000)
    page.wait_for_function(
        "() => window.bustrack.stopPanelState().rows[0].when === 'noSignal'",
        timeout=timeout(5000),
    )
    row = page.evaluate("() => window.bustrack.stopPanelState().rows[0]")
    assert not row["live"]
    assert "no signal — timetable 09:01" in row["text"], row
    assert "now" not in row["text"]
    # And so does the server's board.
    ws.send(board(page.evaluate("() => Date.now()"), live=False))
    page.wait_for_timeout(timeout(200))
    assert page.evaluate("() => window.bustrack.stopPanelState().rows[0].when") == "noSignal"


def test_when_frames_stop_coming_every_bus_greys_with_its_age(page: Page, server: Server) -> None:
    """The feeder died (or the server lost its sources): the socket stays open but says
    nothing. The buses are not left frozen as live."""
    sockets = _scripted(page, server)
    ws = sockets[0]
    centre = page.evaluate("() => window.bustrack.map.getCenter()")
    lat, lon = centre["lat"], centre["lng"]
    now = page.evaluate("() => Date.now()")
    buses = [_record(1, SILENT, lat, lon - 0.02, 0), _record(2, TALKING, lat, lon + 0.02, 0)]
    ws.send(_frame("snapshot", now, buses))
    shown = "() => window.bustrack.shownMarkerCount() === 2"
    page.wait_for_function(shown, timeout=timeout(10_000))
    page.clock.fast_forward(30_000)  # half a minute without a frame: still live
    page.wait_for_timeout(timeout(1500))
    assert page.evaluate("() => window.bustrack.greyedVehicleIds()") == []
    page.clock.fast_forward(31_000)  # past stale_after_s (60 s) since the last frame
    page.wait_for_function(
        "() => window.bustrack.greyedVehicleIds().length === 2", timeout=timeout(5000)
    )
    r, g, b, _ = page.evaluate(PIXEL_AT_BUS, TALKING)
    assert max(r, g, b) - min(r, g, b) < 16, "grey, not red"
    assert page.evaluate("(id) => window.bustrack.openPopup(id)", TALKING)
    expect(page.locator(".bus-popup")).to_contain_text("1 min ago")
    # Frames come again (a standby feeder took over; web processes resync): live again.
    # The page may have opened a new socket meanwhile (it does on a silent one).
    page.wait_for_function("() => window.bustrack.connectionState() === 'open'")
    sockets[-1].send(_frame("snapshot", page.evaluate("() => Date.now()"), buses))
    page.wait_for_function(
        "() => window.bustrack.greyedVehicleIds().length === 0", timeout=timeout(5000)
    )
