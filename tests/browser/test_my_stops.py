"""My stops (issue 15): star a stop in its panel; the empty search box lists it first, also
after a reload (localStorage), and it leads the stops that match a search."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, search_for
from tests.conftest import timeout

LOADED = "() => window.bustrack && window.bustrack.routeCount() > 0"


def test_a_starred_stop_comes_first_and_survives_a_reload(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    search_for(page, "Kabutarkhana").press("Enter")
    panel = page.locator(".stop-panel")
    expect(panel.locator(".view__title")).to_have_text(re.compile("^Kabutarkhana"))
    star = panel.get_by_role("button", name="My stop")
    expect(star).to_have_attribute("aria-pressed", "false")
    star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    page.screenshot(path="/tmp/my_stops_panel.png")

    page.reload()
    page.wait_for_function(LOADED, timeout=timeout(30_000))
    box = page.get_by_role("combobox", name="Search routes and stops")
    box.click()
    listbox = page.get_by_role("listbox", name="Routes and stops")
    expect(listbox).to_be_visible(timeout=timeout(10_000))
    expect(listbox.locator(".search__group-title").first).to_have_text("My stops")
    expect(listbox.get_by_role("option").first).to_have_attribute(
        "aria-label", re.compile("^Stop Kabutarkhana")
    )
    page.screenshot(path="/tmp/my_stops_empty.png")
    # Typed "dadar w": the starred stop leads the matching stops.
    box.press_sequentially("dadar w", delay=20)
    page.wait_for_function(
        "() => window.bustrack.network.search.query === 'dadar w'", timeout=timeout(10_000)
    )
    expect(listbox.get_by_role("option").first).to_have_attribute(
        "aria-label", re.compile("^Stop Kabutarkhana")
    )
    # Chosen from the list, its panel shows it starred; unstarring takes it off.
    box.fill("")
    box.click()
    listbox.get_by_role("option").first.click()
    star = page.locator(".stop-panel").get_by_role("button", name="My stop")
    expect(star).to_have_attribute("aria-pressed", "true")
    star.click()
    expect(star).to_have_attribute("aria-pressed", "false")
    stored = page.evaluate("() => localStorage.getItem('bustrack.stars')")
    assert stored == "[]"
