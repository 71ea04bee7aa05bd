"""Service alerts on the page: a GTFS-realtime Alerts feed (a real HTTP server in this
process, serving a message built with the bindings) read by the server, shown as a banner on
the panel of a stop it names and over the view of a route it names, in the page's language."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from google.transit import gtfs_realtime_pb2 as rt
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import Server
from tests.browser.test_search import _active_option_name, _search_box
from tests.conftest import timeout


class _Producer(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(type(self).body)))
        self.end_headers()
        self.wfile.write(type(self).body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def producer() -> Iterator[tuple[type[_Producer], str]]:
    handler = type("Producer", (_Producer,), {"body": b""})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{httpd.server_address[1]}/alerts.pb"
    httpd.shutdown()
    httpd.server_close()


def _get(server: Server, path: str) -> Any:
    with urllib.request.urlopen(server.url + path, timeout=10) as resp:
        return json.load(resp)


@pytest.fixture(scope="module")
def alerting(
    producer: tuple[type[_Producer], str],
) -> Iterator[tuple[Server, list[str], dict[str, str]]]:
    """A server reading the producer's alerts: (server, the alerted stops' ids, the route)."""
    handler, url = producer
    srv = Server("--gtfs-rt-alerts", url, "--gtfs-rt-poll", "1")
    try:
        stops = [s["id"] for s in _get(srv, "/api/search?q=afghan%20chu")["stops"]]
        route = _get(srv, "/api/routes")["routes"][0]
        msg = rt.FeedMessage()
        msg.header.gtfs_realtime_version = "2.0"
        at_stop = msg.entity.add(id="stop-closed").alert
        for stop in stops:
            at_stop.informed_entity.add(stop_id=stop)
        at_stop.active_period.add(start=int(time.time()) - 60)
        at_stop.header_text.translation.add(text="Stop moved 50 m north", language="en")
        at_stop.header_text.translation.add(text="थांबा ५० मी उत्तरेला हलवला", language="mr")
        at_stop.description_text.translation.add(text="Road works until Friday", language="en")
        on_route = msg.entity.add(id="diverted").alert
        on_route.informed_entity.add(route_id=route["id"])
        on_route.header_text.translation.add(text="Diverted via Marine Drive")
        handler.body = msg.SerializeToString()
        deadline = time.monotonic() + timeout(30)
        while len(_get(srv, "/api/alerts")["alerts"]) < 2:
            assert time.monotonic() < deadline, "the server never read the alerts"
            time.sleep(0.3)
        yield srv, stops, route
    finally:
        srv.stop()


def _choose_route(page: Page, label: str) -> Locator:
    """Choose route ``label`` in the search box with the keyboard; return the box."""
    box = _search_box(page)
    box.click()
    box.press_sequentially(label, delay=40)
    for _ in range(12):
        box.press("ArrowDown")
        if _active_option_name(page).startswith(f"Route {label}:"):
            break
    box.press("Enter")
    expect(box).to_have_value(re.compile(rf"^{re.escape(label)}\b"))
    return box


def _open(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    page.wait_for_function(
        "() => window.bustrack && window.bustrack.vehicleCount() > 20", timeout=timeout(30_000)
    )


def test_an_alert_shows_on_the_panel_of_the_stop_it_names_in_the_pages_language(
    page: Page, alerting: tuple[Server, list[str], dict[str, str]]
) -> None:
    server, stops, _ = alerting
    _open(page, server)
    box = _search_box(page)
    box.click()
    box.press_sequentially("afghan chu", delay=30)
    box.press("Enter")
    banner = page.locator(".stop-panel .alert-banner")
    expect(banner).to_be_visible(timeout=timeout(15_000))
    assert page.evaluate("() => window.bustrack.stopPanelState().stopId") in stops
    expect(banner).to_contain_text("Stop moved 50 m north")
    expect(banner).to_contain_text("Road works until Friday")
    expect(page.get_by_role("region", name="Service alerts")).to_be_visible()
    # The route's alert is not the stop's.
    expect(banner).not_to_contain_text("Diverted")
    page.screenshot(path="/tmp/bustrack-alert-stop.png")
    # In Marathi, the feed's Marathi text (and the English description, untranslated).
    page.locator("#language").select_option("mr")
    expect(banner).to_contain_text("थांबा ५० मी उत्तरेला हलवला")
    expect(page.get_by_role("region", name="सेवा सूचना")).to_be_visible()


def test_an_alert_shows_over_the_view_of_the_route_it_names_and_goes_with_it(
    page: Page, alerting: tuple[Server, list[str], dict[str, str]]
) -> None:
    server, _, route = alerting
    _open(page, server)
    banner = page.locator("#route-alerts")
    expect(banner).to_be_hidden()
    box = _choose_route(page, route["label"])
    expect(banner).to_be_visible(timeout=timeout(10_000))
    expect(banner).to_contain_text("Diverted via Marine Drive")
    expect(banner).not_to_contain_text("Stop moved")
    page.screenshot(path="/tmp/bustrack-alert-route.png")
    # Clearing the route takes its alert away.
    box.press("Escape")
    box.fill("")
    box.press("Escape")
    expect(banner).to_be_hidden(timeout=timeout(10_000))


def test_the_route_alert_on_a_phone(
    browser: Browser, alerting: tuple[Server, list[str], dict[str, str]]
) -> None:
    server, _, route = alerting
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        _open(page, server)
        _choose_route(page, route["label"])
        banner = page.locator("#route-alerts")
        expect(banner).to_be_visible(timeout=timeout(10_000))
        box = banner.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
        page.screenshot(path="/tmp/bustrack-alert-phone.png")
    finally:
        context.close()
