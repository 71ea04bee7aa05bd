"""Shared fixtures: the bundled Mumbai feed (loaded once), test settings, app clients."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bustrack.gtfs import load_feed
from bustrack.gtfs.model import Feed
from bustrack.settings import DEFAULT_GTFS, Settings
from bustrack.sources.simulation import Timetable
from bustrack.web import create_app
from bustrack.web.app import TEST_NOW_ENV, build_timetable

# A PostgreSQL server for the store's tests (postgres_server, pg_url): tests/services.py.
pytest_plugins = ["tests.services"]

# Tests whose assertions depend on the machine having time for them (no tick missed, a
# tick's gap, a take-over within seconds, a process killed mid-stream): `make test` runs
# them one at a time after the rest, which it runs two at a time (pytest-xdist). Run
# plainly, pytest runs everything one at a time.
SERIAL = (
    "tests/fuzz/",
    "tests/bench/",
    "tests/web/test_ws_abuse.py",
    "tests/web/test_slow_clients.py",
    "tests/web/test_graceful_restart.py",
    "tests/web/test_scaleout.py",
    "tests/web/test_ws.py",
    "tests/web/test_stale.py",
    "tests/web/test_cycles.py",
    "tests/web/test_collector.py",
    "tests/web/test_ingest_durability.py",
    # Buses moving under a click or a search while another test loads the machine.
    "tests/browser/test_arrivals.py",
    "tests/browser/test_bus_canvas.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests of :data:`SERIAL` ``serial``."""
    root = Path(__file__).resolve().parents[1]
    for item in items:
        path = item.path.resolve().relative_to(root).as_posix()
        if path.startswith(SERIAL):
            item.add_marker(pytest.mark.serial)


if TYPE_CHECKING:
    from tests.redis_server import RedisServer

# Every timeout in the tests is multiplied by this, so a slow machine can be given
# more time without editing tests.
TIMEOUT_FACTOR = float(os.environ.get("BUSTRACK_TEST_TIMEOUT_FACTOR", "1"))

AiohttpClient = Callable[[web.Application], Awaitable[TestClient]]  # type: ignore[type-arg]


def timeout(seconds: float) -> float:
    """Return ``seconds`` scaled by BUSTRACK_TEST_TIMEOUT_FACTOR."""
    return seconds * TIMEOUT_FACTOR


async def eventually(check: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll ``check`` until it is true; fail saying ``what`` was awaited after ``seconds``
    (scaled by :func:`timeout`). Every polling loop of the tests has such a deadline."""
    loop = asyncio.get_running_loop()
    limit = timeout(seconds)
    deadline = loop.time() + limit
    while not check():
        assert loop.time() < deadline, f"gave up after {limit:.0f} s waiting for {what}"
        await asyncio.sleep(0.05)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# The moment every server in the tests plans its clock for, instead of the machine's clock
# (see bustrack.web.app.TEST_NOW_ENV): night in Mumbai (02:00, when almost no bus runs) on
# the day after the bundled calendar ends, so that a server that is not pinned runs the
# fallbacks (another day, the busiest hour), the same ones whatever the hour CI runs at.
# Tests that need buses pin --start-time (and --service-date where the weekday matters).
# `BUSTRACK_TEST_NOW=2026-06-16T12:00:00+05:30 make test` runs the suite at noon instead.
TEST_NOW = os.environ.get(TEST_NOW_ENV) or "2028-01-01T02:00:00+05:30"
# A date inside every fixture feed's calendar (and the bundled one's): a Tuesday.
SERVICE_DATE = "2026-06-16"


@pytest.fixture(scope="session", autouse=True)
def test_clock() -> Iterator[str]:
    """Every server the tests start, in this process or another, plans for TEST_NOW."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(TEST_NOW_ENV, TEST_NOW)
        yield TEST_NOW


@pytest.fixture(scope="session", autouse=True)
def private_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Servers started by the tests keep their database (--db's default) in a temporary
    folder, not ~/.local/share."""
    folder = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(folder))
        patch.delenv("BUSTRACK_DB", raising=False)
        yield folder


@pytest.fixture(scope="session", autouse=True)
def private_feed_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Servers started by the tests keep built feeds in a temporary folder, not ~/.cache."""
    folder = tmp_path_factory.mktemp("feed-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BUSTRACK_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def mumbai_feed() -> Feed:
    """The bundled Mumbai BEST feed, loaded once for the whole run."""
    return load_feed(DEFAULT_GTFS)


@pytest.fixture
def settings() -> Settings:
    """Settings for in-process servers: fast ticks, a fixed busy service time."""
    return Settings(tick=0.2, start_time="09:00", service_date=SERVICE_DATE, stuck_timeout=2.0)


# The Mumbai timetables of the in-process servers, by (traffic, dropout rate): built once,
# so that each test's first tick finds the runs under way already worked out (a few
# seconds of the first tick otherwise, for every test).
_TIMETABLES: dict[tuple[str, float], Timetable] = {}


@pytest.fixture
def make_client(
    aiohttp_client: AiohttpClient, mumbai_feed: Feed
) -> Callable[[Settings], Awaitable[TestClient]]:  # type: ignore[type-arg]
    """Return a factory that starts the app on a real socket and gives a client for it."""

    async def make(settings: Settings) -> TestClient:  # type: ignore[type-arg]
        key = (settings.traffic, settings.dropout_rate)
        timetable = _TIMETABLES.get(key)
        if timetable is None:
            timetable = _TIMETABLES[key] = build_timetable(mumbai_feed, settings)
        return await aiohttp_client(create_app(settings, feed=mumbai_feed, timetable=timetable))

    return make


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real redis-server of the test's own, stopped afterwards."""
    from tests.redis_server import RedisServer  # it uses this module's helpers

    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()
