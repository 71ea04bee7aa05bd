"""Next buses at a glance (issue 15): under each of My stops (the empty search box) and each
stop Near me lists, its next 2-3 buses ("64 → Dadar · 3 min"), live or timetabled, from the
`glance` frames the page asks for with those stops; updated in place."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Server, checked_page
from tests.conftest import timeout

DADAR = {"latitude": 19.0176, "longitude": 72.8562}
LOADED = "() => window.bustrack && window.bustrack.routeCount() > 0"
# One bus as a list shows it: its route, where it goes, when it comes.
BUS = re.compile(r"^\S+ → .+ · (\d+ min|now|due)$")
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def located(browser: Browser) -> Iterator[Page]:
    """A page that may know where the user is: in Dadar."""
    with checked_page(browser, geolocation=DADAR, permissions=["geolocation"]) as page:
        yield page


def _star(page: Page, name: str) -> str:
    """Find stop ``name`` with the search box, star it in its panel; return its id."""
    box = page.get_by_role("combobox", name="Search routes and stops")
    box.click()
    box.press_sequentially(name, delay=20)
    page.wait_for_function(
        "(q) => window.bustrack.network.search.query === q", arg=name, timeout=timeout(10_000)
    )
    box.press("Enter")
    panel = page.locator(".stop-panel")
    expect(panel.locator(".view__title")).to_have_text(re.compile("^" + name))
    panel.get_by_role("button", name="My stop").click()
    stop_id: str = page.evaluate("() => window.bustrack.stopPanelState().stopId")
    return stop_id


def test_my_stops_show_their_next_buses_after_a_reload(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    page.wait_for_function(LOADED, timeout=timeout(30_000))
    stop_id = _star(page, "Kabutarkhana")
    page.reload()
    page.wait_for_function(LOADED, timeout=timeout(30_000))
    # The starred stop is asked for from the first connection (the URL carries it).
    assert page.evaluate("() => window.bustrack.subscriptionState().glance") == [stop_id]
    box = page.get_by_role("combobox", name="Search routes and stops")
    box.click()
    listbox = page.get_by_role("listbox", name="Routes and stops")
    expect(listbox).to_be_visible(timeout=timeout(10_000))
    option = page.locator("#search-option-0")  # (by id: the names change with the language)
    expect(option).to_have_attribute("aria-label", re.compile("^Stop Kabutarkhana"))
    texts = "(id) => window.bustrack.network.search.glanceTexts()[id] || []"
    page.wait_for_function(
        f"(id) => ({texts})(id).length > 0", arg=stop_id, timeout=timeout(15_000)
    )
    buses = page.evaluate(texts, stop_id)
    assert 2 <= len(buses) <= 3 and all(BUS.match(b) for b in buses), buses
    # Live or timetabled, marked as in the stop panel; said in words to a screen reader.
    line = option.locator(".glance")
    expect(line.locator(".glance__bus")).to_have_count(len(buses))
    expect(line.locator(".glance__icon")).to_have_count(len(buses))
    assert line.locator(".glance__bus--live").count() >= 1
    said = line.locator(".visually-hidden").first.text_content() or ""
    assert re.match(r"^\S+ to .+: (in \d+ min|now|due), (Live|Scheduled)$", said), said
    described = option.get_attribute("aria-describedby")
    assert described and line.get_attribute("id") == described
    page.screenshot(path="/tmp/glance_my_stops_desktop.png")
    # The next frames update the same elements in place.
    line.evaluate("(el) => { el.dataset.kept = 'yes'; }")
    frames = page.evaluate("() => window.bustrack.glanceState().frames")
    page.wait_for_function(
        "(n) => window.bustrack.glanceState().frames > n", arg=frames, timeout=timeout(30_000)
    )
    expect(line).to_have_attribute("data-kept", "yes")
    # On a phone, in Marathi.
    page.set_viewport_size(PHONE)
    page.select_option("#language", "mr")
    page.locator("#search-input").click()  # its name is Marathi now
    expect(page.locator("#search-results")).to_be_visible(timeout=timeout(10_000))
    expect(line.locator(".glance__when").first).to_have_text(re.compile("मिनिट|आता|वेळ झाली"))
    page.screenshot(path="/tmp/glance_my_stops_phone.png")


def test_near_me_lists_the_next_buses_of_each_stop(located: Page, server: Server) -> None:
    page = located
    page.goto(server.url + "/")
    page.wait_for_function(LOADED, timeout=timeout(30_000))
    page.get_by_role("button", name="Near me").click()
    page.wait_for_function(
        "() => window.bustrack.nearPanel.state().mode === 'near'", timeout=timeout(15_000)
    )
    ids = [s["id"] for s in page.evaluate("() => window.bustrack.nearPanel.state().stops")]
    assert len(ids) == 5
    assert sorted(page.evaluate("() => window.bustrack.subscriptionState().glance")) == sorted(ids)
    page.wait_for_function(
        "() => window.bustrack.nearPanel.state().stops.every((s) => s.buses.length > 0)",
        timeout=timeout(15_000),
    )
    stops = page.evaluate("() => window.bustrack.nearPanel.state().stops")
    for stop in stops:
        buses = stop["buses"]
        assert buses == ["No bus soon"] or all(BUS.match(b) for b in buses), stop
        assert len(buses) <= 3, stop
    assert sum(len(s["buses"]) >= 2 for s in stops) >= 3, stops  # Dadar at 09:00: busy
    panel = page.locator(".near-panel")
    first = panel.locator(".list-row").first
    expect(first.locator(".glance")).to_be_visible()
    # The stop's button says its next buses to a screen reader too.
    name = first.get_by_role("button").get_attribute("aria-label")
    assert name is None  # its text is its name: the stop, the walk, the routes, the buses
    assert " to " in (first.get_by_role("button").inner_text() + first.text_content())
    page.screenshot(path="/tmp/glance_near_desktop.png")
    page.set_viewport_size(PHONE)
    page.wait_for_function("() => window.bustrack.sheetState().phone", timeout=timeout(5_000))
    page.screenshot(path="/tmp/glance_near_phone.png")
    # Closed, Near me's stops are no longer asked for.
    panel.get_by_role("button", name="Close Near me").click()
    page.wait_for_function(
        "() => window.bustrack.subscriptionState().glance.length === 0", timeout=timeout(5_000)
    )
