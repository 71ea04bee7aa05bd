"""The page on a phone (360x740 CSS px, touch): the panel is a bottom sheet, the map ends above
it, nothing overlaps, and every control is at least 44 px. Screenshots are saved under $TMPDIR
(``bustrack-phone-*.png``) for a human to look at; the test asserts the layout's facts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server, checked_page, overlap
from tests.conftest import timeout

WIDTH, HEIGHT = 360, 740
SHOTS = Path(os.environ.get("TMPDIR", "/tmp"))

# The boxes of the page's parts, in viewport CSS px: {name: {x, y, w, h}} (absent: hidden).
BOXES = """() => {
    const box = (el) => {
        if (!el || el.closest('[hidden]')) { return null; }
        const r = el.getBoundingClientRect();
        return r.width && r.height ? {x: r.left, y: r.top, w: r.width, h: r.height} : null;
    };
    return {
        search: box(document.querySelector('.search__field')),
        toolbar: box(document.getElementById('toolbar')),
        status: box(document.getElementById('status')),
        sheet: box(document.getElementById('sheet')),
        map: box(document.getElementById('map')),
    };
}"""

# Every control a finger may press, shown now, smaller than 44x44 CSS px: [{what, w, h}].
SMALL_TARGETS = """() => {
    const small = [];
    const controls = document.querySelectorAll(
        'button, input, select, a[href], [role="button"], [role="option"], .leaflet-bar a');
    for (const el of controls) {
        if (el.closest('[hidden], .visually-hidden, .leaflet-control-attribution')) { continue; }
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') { continue; }
        if (r.width < 44 || r.height < 44) {
            small.push({what: el.outerHTML.slice(0, 80), w: r.width, h: r.height});
        }
    }
    return small;
}"""


def _inside_viewport(box: dict[str, float]) -> bool:
    eps = 0.5
    return (
        box["x"] >= -eps
        and box["y"] >= -eps
        and box["x"] + box["w"] <= WIDTH + eps
        and box["y"] + box["h"] <= HEIGHT + eps
    )


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A page in a phone-sized, touch, high-density context; console errors fail the test."""
    with checked_page(
        browser,
        viewport={"width": WIDTH, "height": HEIGHT},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    ) as page:
        yield page


def _check_layout(page: Page, name: str) -> dict[str, Any]:
    page.screenshot(path=str(SHOTS / f"bustrack-phone-{name}.png"))
    boxes: dict[str, Any] = page.evaluate(BOXES)
    for part in ("search", "toolbar", "status", "map"):
        assert boxes[part] is not None, part
        assert _inside_viewport(boxes[part]), (part, boxes[part])
    # The search box, the toolbar and the status line do not overlap each other.
    assert not overlap(boxes["search"], boxes["toolbar"]), boxes
    assert not overlap(boxes["search"], boxes["status"]), boxes
    assert not overlap(boxes["toolbar"], boxes["status"]), boxes
    sheet = boxes["sheet"]
    if sheet is not None:
        assert _inside_viewport(sheet), sheet
        assert sheet["h"] <= 0.6 * HEIGHT + 1, sheet
        assert abs(sheet["y"] + sheet["h"] - HEIGHT) < 1, "at the bottom"
        assert sheet["w"] == WIDTH
        # The map ends above the sheet: all of it stays usable.
        assert abs(boxes["map"]["y"] + boxes["map"]["h"] - sheet["y"]) < 1.5, boxes
        assert not overlap(boxes["status"], sheet)
        assert not overlap(boxes["search"], sheet)
    small = page.evaluate(SMALL_TARGETS)
    assert small == [], small
    return boxes


def test_phone_layout_bottom_sheet_and_touch_targets(phone: Page, server: Server) -> None:
    page = phone
    page.goto(server.url + "/")
    expect(page.locator("#status")).to_contain_text("live", timeout=timeout(20_000))
    page.wait_for_function("() => window.bustrack.shownMarkerCount() > 10")
    assert page.evaluate("() => window.bustrack.sheetState().phone")
    _check_layout(page, "map")

    # A stop chosen in the search box: its next buses in a bottom sheet.
    box = page.get_by_role("combobox", name="Search routes and stops")
    box.tap()
    box.press_sequentially("afghan chu", delay=20)
    box.press("Enter")
    sheet = page.locator("#sheet")
    expect(sheet).to_be_visible(timeout=timeout(10_000))
    page.wait_for_function(
        "() => window.bustrack.stopPanelState().rows.length > 2", timeout=timeout(15_000)
    )
    # The stop popup would crowd the little map left above the sheet: the sheet says it all.
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    page.wait_for_timeout(timeout(300))
    boxes = _check_layout(page, "arrivals")
    expanded = boxes["sheet"]["h"]
    assert boxes["map"]["h"] >= 0.4 * HEIGHT - 1
    # The stop is in sight above the sheet, at the centre of the map.
    centre = page.evaluate(
        """() => { const m = window.bustrack.map;
                   return m.latLngToContainerPoint([18.90718, 72.81698]); }"""
    )
    assert abs(centre["y"] - boxes["map"]["h"] / 2) < 40, (centre, boxes["map"])

    # The handle collapses the sheet to its heading and first bus; the map grows.
    handle = page.locator(".sheet__handle")
    expect(handle).to_have_attribute("aria-expanded", "true")
    handle.tap()
    expect(handle).to_have_attribute("aria-expanded", "false")
    page.wait_for_timeout(timeout(300))
    boxes = _check_layout(page, "collapsed")
    assert boxes["sheet"]["h"] < expanded - 100, boxes
    expect(page.locator(".arrival").first).to_be_visible()
    expect(page.locator(".arrival").nth(1)).to_be_hidden()
    handle.tap()
    expect(handle).to_have_attribute("aria-expanded", "true")

    # The list of what is in view, after the stop's panel is closed.
    page.get_by_role("button", name="List", exact=True).tap()
    page.get_by_role("button", name="Close the next buses").tap()
    expect(page.locator(".bus-list")).to_be_visible()
    page.wait_for_function("() => window.bustrack.listState().buses.length > 0")
    _check_layout(page, "list")

    # Marathi: longer words, the same layout.
    page.locator("#language").select_option("mr")
    expect(page.locator("html")).to_have_attribute("lang", "mr")
    page.wait_for_timeout(timeout(300))
    _check_layout(page, "list-mr")
    page.get_by_role("button", name="यादी बंद करा").tap()
    expect(sheet).to_be_hidden()
    boxes = _check_layout(page, "map-mr")
    assert boxes["map"]["h"] == HEIGHT, "the map takes the whole screen again"


# What the top bar's words need and have, in CSS px: the search box's placeholder and the
# language's short name (each text's width against its box's room for it).
TOP_BAR_TEXT = """() => {
    const input = document.querySelector('.search__input');
    const style = getComputedStyle(input);
    const context = document.createElement('canvas').getContext('2d');
    context.font = style.font;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const short = document.querySelector('.toolbar__lang-short');
    const select = document.getElementById('language').getBoundingClientRect();
    const label = short.getBoundingClientRect();
    return {
        placeholder: context.measureText(input.placeholder).width, room,
        short: short.textContent, shortClipped: short.scrollWidth > short.clientWidth,
        selectOverShort: Math.abs(select.left - label.left) < 1
            && Math.abs(select.width - label.width) < 1
            && Math.abs(select.height - label.height) < 1,
    };
}"""


def test_phone_top_bar_reads_whole(phone: Page, server: Server) -> None:
    """The language select takes a finger's width and shows the language's short name whole
    (EN, मरा, हिं), the native select over it; the search box's placeholder is not cut."""
    page = phone
    page.goto(server.url + "/")
    page.wait_for_function("() => window.bustrack && window.bustrack.routeCount() > 0")
    text = page.evaluate(TOP_BAR_TEXT)
    assert text["placeholder"] <= text["room"], text
    assert text["short"] == "EN" and not text["shortClipped"], text
    assert text["selectOverShort"], "a tap on the short name opens the select"
    page.screenshot(path=str(SHOTS / "bustrack-phone-top-bar.png"), clip={
        "x": 0, "y": 0, "width": WIDTH, "height": 60})  # fmt: skip
    # Chosen with the keyboard: the short name follows, and the select's focus shows on it.
    select = page.locator("#language")
    select.focus()
    select.select_option("hi")
    expect(page.locator(".toolbar__lang-short")).to_have_text("हिं")
    outline = page.evaluate(
        "() => getComputedStyle(document.querySelector('.toolbar__lang-short')).outlineStyle"
    )
    assert outline == "solid", outline
    select.select_option("en")
    expect(page.locator(".toolbar__lang-short")).to_have_text("EN")
