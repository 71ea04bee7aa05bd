"""Browser fixtures: the server started as a user starts it, and Debian's Chromium.

Playwright cannot download browsers here, so it drives ``/usr/bin/chromium`` (the
``make test`` target installs it). Requests that leave 127.0.0.1 (map tiles) are
aborted: the tests need no internet, and the page must work without tiles.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    Route,
    sync_playwright,
)

from tests.conftest import SERVICE_DATE, free_port, timeout

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("BUSTRACK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


# The morning's buses and arrivals, whatever the hour and date the tests run at.
PINNED = ("--start-time", "09:00", "--service-date", SERVICE_DATE)


class Server:
    """A ``python -m bustrack.web`` process and its base URL.

    It runs pinned to 09:00 on :data:`SERVICE_DATE` unless ``pinned`` is False (for the
    tests of the clock itself, which set ``BUSTRACK_TEST_NOW`` in ``env``).
    """

    def __init__(
        self,
        *args: str,
        port: int | None = None,
        pinned: bool = True,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bustrack-{self.port}.log"
        self._log_file = self.log.open("w")
        argv = [sys.executable, "-m", "bustrack.web", "--port", str(self.port), *args]
        self.proc = subprocess.Popen(
            [*argv, *PINNED] if pinned else argv,
            cwd=ROOT,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=None if env is None else {**os.environ, **env},
        )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + timeout(60)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=1):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"server did not answer in time: {self.log.read_text()}")

    def stop(self) -> None:
        """Stop the server like Ctrl+C and wait for it."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=timeout(20))
        self._log_file.close()


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """The server as a user starts it, ``python -m bustrack.web --port <free port>``, pinned
    to 09:00 service time on :data:`SERVICE_DATE` (``--start-time``, ``--service-date``)."""
    srv = Server()
    yield srv
    srv.stop()


# Playwright's sync API runs an event loop in this thread while it is open, which
# would break the async tests of other modules: keep it open per module only.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _offline(route: Route) -> None:
    if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1")):
        route.continue_()
    else:
        route.abort()


def offline_page(context: BrowserContext, errors: list[str]) -> Page:
    """A new page of ``context`` that can reach only 127.0.0.1; what it throws uncaught is
    added to ``errors``."""
    page = context.new_page()
    page.route("**/*", _offline)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page


@contextmanager
def checked_page(browser: Browser, **options: Any) -> Iterator[Page]:
    """A fresh page (a desktop's 1280x800 unless ``options``, as ``Browser.new_context``
    takes them, say otherwise) that can reach only 127.0.0.1; an error thrown in the page
    fails the test once the block ends."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **options})
    errors: list[str] = []
    try:
        yield offline_page(context, errors)
    finally:
        context.close()
    assert not errors, errors


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page that can reach only 127.0.0.1; console errors fail the test."""
    with checked_page(browser) as page:
        yield page


def search_for(page: Page, text: str) -> Locator:
    """Type ``text`` into the page's search box as a user does, once the page knows its
    routes and stops; return the box once the search has taken the whole text (Enter then
    chooses the first result)."""
    page.wait_for_function(
        "() => window.bustrack && window.bustrack.routeCount() > 0", timeout=timeout(30_000)
    )
    box = page.get_by_role("combobox", name="Search routes and stops")
    box.click()
    box.press_sequentially(text, delay=20)
    page.wait_for_function(
        "(text) => window.bustrack.network.search.query === text",
        arg=text,
        timeout=timeout(10_000),
    )
    return box


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two boxes ``{x, y, w, h}`` (CSS pixels) overlap."""
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and (a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])
    )
