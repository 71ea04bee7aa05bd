"""The page says why it shows another day: a feed whose calendar has ended runs its last
week's timetable, and the status line says so (in English as the server words it, in the
other languages their gist)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tests.conftest import timeout
from tests.web.test_clock_fallbacks import lapsed_kochi

NOTE = (
    "This feed's service ended on 2022-06-01: showing its last Thursday's timetable (2022-05-26)."
)


@pytest.fixture(scope="module")
def lapsed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The lapsed Kochi feed, unpinned, at 09:30 on a Thursday years after its end."""
    feed = lapsed_kochi(tmp_path_factory.mktemp("lapsed"))
    env = {"BUSTRACK_TEST_NOW": "2026-12-03T09:30:00+05:30"}
    srv = Server("--gtfs", str(feed), pinned=False, env=env)
    yield srv
    srv.stop()


def test_a_lapsed_feed_shows_buses_and_says_which_day(page: Page, lapsed_server: Server) -> None:
    page.goto(lapsed_server.url + "/")
    page.wait_for_function(
        "() => window.bustrack && window.bustrack.vehicleCount() >= 8", timeout=timeout(30_000)
    )
    status = page.locator("#status")
    expect(status).to_contain_text(NOTE)
    expect(status).to_contain_text("service time 09:3")
    page.get_by_label("Language").select_option("mr")
    expect(status).to_contain_text("या फीडमध्ये आज सेवा नाही: दुसऱ्या दिवसाचे वेळापत्रक दाखवत आहोत")


def test_a_pinned_feed_shows_no_note(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    page.wait_for_function(
        "() => window.bustrack && window.bustrack.vehicleCount() > 20", timeout=timeout(30_000)
    )
    status = page.locator("#status")
    expect(status).to_contain_text("service time 09:0")
    assert "timetable" not in status.inner_text() and "No service" not in status.inner_text()
