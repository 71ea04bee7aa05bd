"""Route colours too light for the map are darkened (frontend/src/contrast.js): a white route
(as some feeds have, ``route_color`` FFFFFF) is drawn in its line and its buses with a contrast
ratio of 3:1 or more against the map's land colour (WCAG 2 non-text contrast).

The server runs the Kochi fixture feed with route 7A made white; colours are read from the
pixels of the route lines' canvas and of the buses' canvas.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Server
from tests.conftest import timeout

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gtfs"
BACKGROUND = (0xF2, 0xEF, 0xE9)
WHITE_ROUTE = "KCH_7A"


def _luminance(rgb: tuple[int, ...]) -> float:
    def lin(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


@pytest.fixture(scope="module")
def white_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The Kochi fixture feed, its route 7A white (``route_color`` FFFFFF)."""
    feed = tmp_path_factory.mktemp("white") / "kochi-white"
    shutil.copytree(FIXTURES / "kochi", feed)
    routes = (feed / "routes.txt").read_text().splitlines()
    routes = [
        line.replace(",1565C0,FFFFFF", ",FFFFFF,000000") if line.startswith(WHITE_ROUTE) else line
        for line in routes
    ]
    assert any(",FFFFFF,000000" in line for line in routes)
    (feed / "routes.txt").write_text("\n".join(routes) + "\n")
    srv = Server("--gtfs", str(feed))
    yield srv
    srv.stop()


# Points of route `id`'s line in viewport CSS pixels, and the colour of the routes' canvas there.
LINE_PIXELS = """(id) => {
    const b = window.bustrack;
    const line = b.network.lines.getLine(id);
    const canvas = document.querySelector('.leaflet-bustrackRoutes-pane canvas');
    const box = canvas.getBoundingClientRect();
    const k = canvas.width / box.width;
    const ctx = canvas.getContext('2d');
    const rect = b.map.getContainer().getBoundingClientRect();
    const out = [];
    const flat = line.getLatLngs().flat(3);
    for (let i = 0; i + 1 < flat.length; i++) {
        // Midway between two points of the line: on it, away from its joints.
        const p = b.map.latLngToContainerPoint(flat[i]);
        const q = b.map.latLngToContainerPoint(flat[i + 1]);
        const x = rect.left + (p.x + q.x) / 2;
        const y = rect.top + (p.y + q.y) / 2;
        if (x < rect.left || y < rect.top || x > rect.right || y > rect.bottom) { continue; }
        if (Math.hypot(q.x - p.x, q.y - p.y) < 8) { continue; }
        const at = [Math.round((x - box.left) * k), Math.round((y - box.top) * k)];
        out.push([...ctx.getImageData(at[0], at[1], 1, 1).data]);
    }
    return {color: line.options.color, pixels: out};
}"""

# A bus of route `id` drawn in view with no other bus within 20 px: the canvas's colour at its
# centre.
BUS_PIXEL = """(id) => {
    const b = window.bustrack;
    const shown = new Set(b.shownVehicleIds());
    const all = b.markerScreenPositions();
    const mine = all.filter((p) => shown.has(p.id) && b.vehicle(p.id)?.routeId === id);
    const clear = mine.find(
        (p) => all.every((q) => q === p || Math.hypot(q.x - p.x, q.y - p.y) > 20));
    if (!clear) { return null; }
    const canvas = document.querySelector('.bus-canvas');
    const box = canvas.getBoundingClientRect();
    const k = canvas.width / box.width;
    const at = [Math.round((clear.x - box.left) * k), Math.round((clear.y - box.top) * k)];
    const pixel = [...canvas.getContext('2d').getImageData(at[0], at[1], 1, 1).data];
    return {id: clear.id, color: b.vehicle(clear.id).color, pixel};
}"""


def test_a_white_route_is_darkened_in_its_line_and_its_buses(
    page: Page, white_server: Server
) -> None:
    page.goto(white_server.url + "/")
    page.wait_for_function(
        """(id) => window.bustrack && window.bustrack.network.lines.getLine(id)
            && window.bustrack.vehicleIds().some(
                (v) => window.bustrack.vehicle(v).routeId === id)""",
        arg=WHITE_ROUTE,
        timeout=timeout(30_000),
    )
    # The feed says white; the page keeps that as the route's colour (chips, popups) ...
    assert (
        page.evaluate("(id) => window.bustrack.network.routes.get(id).color", WHITE_ROUTE)
        == "#ffffff"
    )
    # ... but draws its line darker: 3:1 or more against the map.
    line = page.evaluate(LINE_PIXELS, WHITE_ROUTE)
    assert _contrast(_rgb(line["color"]), BACKGROUND) >= 3, line["color"]
    assert _rgb(line["color"]) != (255, 255, 255)
    drawn = [p for p in line["pixels"] if p[3] > 0]
    assert drawn, line
    # Where the line is drawn (half-transparent), its pixels are in that colour.
    ours = [
        p
        for p in drawn
        if all(abs(a - b) <= 3 for a, b in zip(p, _rgb(line["color"]), strict=False))
    ]
    assert len(ours) >= len(drawn) / 2, (line["color"], drawn[:5])
    assert all(_contrast(tuple(p[:3]), BACKGROUND) >= 3 for p in ours)
    # Another route's line keeps its own colour (dark enough already).
    other = page.evaluate("() => window.bustrack.network.lines.getLine('KCH_12').options.color")
    assert other == "#2e7d32"

    # Its buses, zoomed in on one of them: the body is drawn in the darkened colour.
    ids = page.evaluate(
        "(id) => window.bustrack.vehicleIds()"
        ".filter((v) => window.bustrack.vehicle(v).routeId === id)",
        WHITE_ROUTE,
    )
    bus = None
    for vid in ids:
        page.evaluate(
            """(id) => { const v = window.bustrack.vehicle(id);
                window.bustrack.map.setView([v.lat, v.lon], 15, {animate: false}); }""",
            vid,
        )
        page.wait_for_timeout(timeout(500))
        bus = page.evaluate(BUS_PIXEL, WHITE_ROUTE)
        if bus is not None:
            break
    assert bus is not None, "no bus of the white route clear of others"
    assert bus["color"] == "#ffffff"
    r, g, b, a = bus["pixel"]
    assert a == 255
    assert _contrast((r, g, b), BACKGROUND) >= 3, bus["pixel"]
    assert (r, g, b) == _rgb(line["color"]), "the same colour as its line"
