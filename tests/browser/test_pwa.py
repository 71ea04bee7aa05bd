"""The page as an app on the home screen: installable, it opens from its service worker's copy
without a network or a server (route lines and stops drawn, the status line waiting for live
data), and its socket comes back by itself when they do. Offline, the search box still finds
routes and stops: answers the worker kept, else the page's own search of its copies."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import Server, offline_page
from tests.conftest import timeout

LIVE = "() => window.bustrack && window.bustrack.vehicleCount() > 0"
CONTROLLED = "() => navigator.serviceWorker.controller !== null"
# A view at stop zoom around Afghan Church (Colaba).
STOP_VIEW = "() => { window.bustrack.map.setView([18.93, 72.83], 16, {animate: false}); }"


@pytest.fixture
def own_server() -> Iterator[list[Server]]:
    """A server of this test's own, stopped and started again on its port by the test; the
    list holds the one running (the last)."""
    servers = [Server()]
    yield servers
    servers[-1].stop()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context
    context.close()


def _open(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    errors: list[str] = []
    page = offline_page(context, errors)
    page.goto(url + "/")
    page.wait_for_function(LIVE, timeout=timeout(30_000))
    # Registered once the page has loaded; it claims the page as soon as it is active.
    page.evaluate("() => navigator.serviceWorker.ready")
    page.wait_for_function(CONTROLLED, timeout=timeout(20_000))
    return page, errors


def _drawn_from_cache(page: Page) -> None:
    page.wait_for_function(
        "() => window.bustrack && window.bustrack.routeLineCount() > 100", timeout=timeout(20_000)
    )
    page.evaluate(STOP_VIEW)
    page.wait_for_function("() => window.bustrack.stopCount() > 20", timeout=timeout(10_000))
    assert page.evaluate("() => window.bustrack.vehicleCount()") == 0


def test_the_page_is_installable(context: BrowserContext, server: Server) -> None:
    page, errors = _open(context, server.url)
    assert page.locator('link[rel="manifest"]').get_attribute("href") == "/manifest.webmanifest"
    registration = page.evaluate(
        """async () => { const r = await navigator.serviceWorker.ready;
                         return {scope: r.scope, script: r.active.scriptURL}; }"""
    )
    assert registration == {"scope": server.url + "/", "script": server.url + "/sw.js"}
    # Chromium's own verdict: the manifest parses, and nothing stands in the way of installing.
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == server.url + "/manifest.webmanifest"
    assert not manifest["errors"], manifest["errors"]
    found = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito profiles, where Chromium never offers to install.
    assert [e for e in found if e["errorId"] != "in-incognito"] == [], found
    assert not errors, errors


def test_offline_the_page_opens_from_the_cache_and_reconnects_when_back_online(
    context: BrowserContext, own_server: list[Server]
) -> None:
    server = own_server[0]
    page, errors = _open(context, server.url)
    # No network, and no server either (offline emulation does not stop every socket).
    context.set_offline(True)
    server.stop()
    page.reload()
    _drawn_from_cache(page)
    status = page.locator("#status")
    assert page.evaluate("() => window.bustrack.statusText()").startswith(
        "offline · waiting for live data"
    )
    assert status.get_attribute("data-offline") == "true"
    page.screenshot(path="/tmp/bustrack-offline.png")
    page.locator("#language").select_option("mr")
    assert "ऑफलाइन" in page.evaluate("() => window.bustrack.statusText()")
    page.locator("#language").select_option("en")
    # The server comes back, then the network: the socket reconnects at once (the `online`
    # event), not after its backoff.
    own_server.append(Server(port=server.port))
    context.set_offline(False)
    page.wait_for_function(LIVE, timeout=timeout(10_000))
    page.wait_for_function(
        "() => window.bustrack.statusState() === 'live'", timeout=timeout(10_000)
    )
    assert status.get_attribute("data-offline") == "false"
    assert not errors, errors


def test_without_its_server_the_page_waits_for_live_data_and_reconnects(
    context: BrowserContext, own_server: list[Server]
) -> None:
    server = own_server[0]
    page, errors = _open(context, server.url)
    server.stop()
    page.reload()  # the network is there, the server is not: the copy, after a refused fetch
    _drawn_from_cache(page)
    page.wait_for_function(
        "() => window.bustrack.statusText().startsWith('waiting for live data · reconnecting in')",
        timeout=timeout(10_000),
    )
    page.screenshot(path="/tmp/bustrack-no-server.png")
    own_server.append(Server(port=server.port))
    # Within the socket's backoff (a few seconds by now).
    page.wait_for_function(LIVE, timeout=timeout(40_000))
    page.wait_for_function(
        "() => window.bustrack.statusState() === 'live'", timeout=timeout(10_000)
    )
    assert not errors, errors


def _names_shown(page: Page) -> list[str]:
    return page.locator(".search__results .search__name").all_inner_texts()


def _search(page: Page, text: str) -> None:
    box = page.get_by_role("combobox", name="Search routes and stops")
    box.fill("")
    box.press_sequentially(text, delay=20)
    page.wait_for_function(
        "(q) => window.bustrack.network.search.query === q", arg=text, timeout=timeout(10_000)
    )


def _server_names(server: Server, text: str) -> list[str]:
    """What the server answers for ``text``, as the box lists it (merged by rank, routes
    before stops of the same rank, each list in its order)."""
    with urllib.request.urlopen(f"{server.url}/api/search?q={quote(text)}") as answer:
        found = json.load(answer)
    ranked = [(r["rank"], 0, i, r["long_name"]) for i, r in enumerate(found["routes"])]
    ranked += [(s["rank"], 1, i, s["name"]) for i, s in enumerate(found["stops"])]
    return [name for *_, name in sorted(ranked)]


def test_offline_search_finds_what_the_server_would(
    context: BrowserContext, server: Server
) -> None:
    page, errors = _open(context, server.url)
    _search(page, "Afghan Church")  # asked online: the worker keeps the server's answer
    online = _names_shown(page)
    assert online and online[0] == "Afghan Church"
    context.set_offline(True)
    page.reload()
    page.wait_for_function(
        "() => window.bustrack && window.bustrack.routeCount() > 100", timeout=timeout(20_000)
    )
    note = page.locator(".search__note")
    # A query asked before: the server's own answer, kept.
    _search(page, "Afghan Church")
    assert _names_shown(page) == online
    assert not page.evaluate("() => window.bustrack.network.search.offline")
    expect(note).to_be_hidden()
    # Queries never asked (a typo, an abbreviation): the page's own search of its copies finds
    # what the server would have, and says where the results come from.
    for text in ("bandara", "andheri stn", "64"):
        _search(page, text)
        assert page.evaluate("() => window.bustrack.network.search.offline"), text
        assert _names_shown(page) == _server_names(server, text), text
    expect(note).to_be_visible()
    expect(note).to_have_text("Offline results: from the stops and routes saved on this device.")
    page.screenshot(path="/tmp/bustrack-offline-search.png")
    _search(page, "bandra talao")
    page.get_by_role("combobox", name="Search routes and stops").press("Enter")
    page.wait_for_function(
        "() => window.bustrack.stopPanelState().name === 'Bandra Talao'", timeout=timeout(5_000)
    )
    _search(page, "zzqx")
    expect(page.locator(".search__message")).to_have_text(
        "Offline: no saved route or stop matches “zzqx”."
    )
    assert not errors, errors
