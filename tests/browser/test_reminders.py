"""Notify me 5 min before (issue 15): a bell on each bus of a stop's arrivals. Granted, a
notification is made when the bus is within 5 min (one already is); denied, the page says so
and shows its own message instead."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import Server, _offline
from tests.conftest import timeout

# Records what the page asks of the Notification API, over the real permission.
RECORD = """(() => {
    const Real = window.Notification;
    window.__notifications = [];
    class Recorded {
        constructor(title, options = {}) {
            window.__notifications.push({title, body: options.body});
        }
        static get permission() { return Real.permission; }
        static requestPermission(done) { return Real.requestPermission(done); }
    }
    window.Notification = Recorded;
})();"""
DENY = """(() => {
    window.__notifications = [];
    window.Notification = class { constructor() { window.__notifications.push({}); }
        static get permission() { return 'denied'; }
        static requestPermission() { return Promise.resolve('denied'); } };
})();"""
# The index of the first row whose bus is 1 to 4 min away (so within 5 min at once).
SOON = """() => window.bustrack.stopPanelState().rows.findIndex((r) =>
    r.when === 'minutes' && r.minutes >= 1 && r.minutes <= 4)"""


def _context(browser: Browser, server: Server, script: str, grant: bool) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    if grant:
        context.grant_permissions(["notifications"], origin=server.url)
    context.add_init_script(script)
    return context


@pytest.fixture
def make_page(browser: Browser, server: Server) -> Iterator:
    opened: list[tuple[BrowserContext, list[str]]] = []

    def make(script: str, grant: bool) -> Page:
        context = _context(browser, server, script, grant)
        errors: list[str] = []
        opened.append((context, errors))
        page = context.new_page()
        page.route("**/*", _offline)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for context, errors in opened:
        context.close()
        assert not errors, errors


def _open_busy_stop(page: Page, server: Server) -> int:
    page.goto(server.url + "/")
    page.wait_for_function(
        "() => window.bustrack && window.bustrack.routeCount() > 0", timeout=timeout(30_000)
    )
    box = page.get_by_role("combobox", name="Search routes and stops")
    box.click()
    box.press_sequentially("Afghan Church", delay=20)
    page.wait_for_function(
        "() => window.bustrack.network.search.query === 'Afghan Church'", timeout=timeout(10_000)
    )
    box.press("Enter")
    page.wait_for_function(f"() => ({SOON})() >= 0", timeout=timeout(30_000))
    return page.evaluate(SOON)


def test_granted_a_notification_comes_when_the_bus_is_within_5_min(
    make_page, server: Server
) -> None:
    page = make_page(RECORD, True)
    index = _open_busy_stop(page, server)
    row = page.locator(".stop-panel .arrival").nth(index)
    bell = row.locator("button.arrival__remind")
    expect(bell).to_have_attribute("title", "Notify me 5 min before")
    bell.click()
    page.wait_for_function("() => window.__notifications.length === 1", timeout=timeout(5_000))
    note = page.evaluate("() => window.__notifications[0]")
    assert note["body"].startswith("At Afghan Church in "), note
    assert page.evaluate("() => Notification.permission") == "granted"
    page.wait_for_timeout(2500)
    assert page.evaluate("() => window.__notifications.length") == 1, "only once"


def test_denied_the_page_says_so_and_shows_its_own_message(make_page, server: Server) -> None:
    page = make_page(DENY, False)
    # A reminder on a bus further away: set, the page says notifications are blocked.
    _open_busy_stop(page, server)
    far = page.evaluate("""() => window.bustrack.stopPanelState().rows.findIndex((r) =>
        r.when === 'minutes' && r.minutes >= 6)""")
    assert far >= 0, "Afghan Church has buses over 5 min away at 09:00"
    if far >= 0:
        bell = page.locator(".stop-panel .arrival").nth(far).locator("button.arrival__remind")
        bell.click()
        expect(page.locator(".reminder-banner")).to_contain_text(
            "Notifications are blocked for this page"
        )
        expect(bell).to_have_attribute("aria-pressed", "true")
        page.screenshot(path="/tmp/reminder_denied.png")
        page.get_by_role("button", name="Dismiss").click()
        expect(page.locator(".reminder-banner")).to_be_hidden()
    # One within 5 min: the page's own alert, no notification.
    index = page.evaluate(SOON)
    page.locator(".stop-panel .arrival").nth(index).locator("button.arrival__remind").click()
    banner = page.get_by_role("alert").filter(has_text="At Afghan Church in")
    expect(banner).to_be_visible(timeout=timeout(5_000))
    assert page.evaluate("() => window.__notifications.length") == 0
    page.set_viewport_size({"width": 360, "height": 740})
    page.wait_for_timeout(300)
    page.screenshot(path="/tmp/reminder_phone.png")
