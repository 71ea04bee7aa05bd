"""The top bar on desktops and tablets: a chosen stop's whole name reads in the search box where
the window leaves room, and the status line never sits under the top bar or the panel."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.browser.conftest import Server, overlap, search_for
from tests.conftest import timeout

# The boxes of the top bar's parts, the status line and the panel, and whether the search
# box's text is cut.
LAYOUT = """() => {
    const box = (el) => {
        const r = el.getBoundingClientRect();
        return {x: r.x, y: r.y, w: r.width, h: r.height};
    };
    const input = document.querySelector('#search input');
    return {
        value: input.value, cut: input.scrollWidth > input.clientWidth,
        topbar: box(document.querySelector('.topbar')),
        status: box(document.getElementById('status')),
        sheet: box(document.querySelector('.sheet')),
    };
}"""


def _layout_at(page: Page, width: int, height: int) -> dict[str, Any]:
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(100)  # a frame for the layout
    layout: dict[str, Any] = page.evaluate(LAYOUT)
    return layout


def test_a_chosen_stops_name_reads_whole_and_the_status_line_stays_clear(
    page: Page, server: Server
) -> None:
    page.goto(server.url + "/")
    box = search_for(page, "Dadar Station")
    box.press("Enter")
    page.wait_for_function("() => window.bustrack.stopPanelState().open", timeout=timeout(10_000))
    name = page.evaluate("() => window.bustrack.stopPanelState().name")
    assert name == "Dadar Station (E)", name
    box.blur()

    for width, height, whole in ((1280, 800, True), (1024, 700, True), (800, 600, False)):
        layout = _layout_at(page, width, height)
        assert layout["value"] == name, layout
        if whole:  # a window that leaves room shows the whole name
            assert not layout["cut"], (width, layout)
        # The status line is clear of the top bar and the panel at every width.
        assert not overlap(layout["status"], layout["topbar"]), (width, layout)
        assert not overlap(layout["status"], layout["sheet"]), (width, layout)
        assert layout["status"]["x"] + layout["status"]["w"] <= width + 0.5, (width, layout)
