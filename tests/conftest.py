"""Shared fixtures: the bundled Mumbai feed (loaded once), test settings, app clients."""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bustrack.gtfs import load_feed
from bustrack.gtfs.model import Feed
from bustrack.settings import DEFAULT_GTFS, Settings
from bustrack.web import create_app

# Every timeout in the tests is multiplied by this, so a slow machine can be given
# more time without editing tests.
TIMEOUT_FACTOR = float(os.environ.get("BUSTRACK_TEST_TIMEOUT_FACTOR", "1"))

AiohttpClient = Callable[[web.Application], Awaitable[TestClient]]  # type: ignore[type-arg]


def timeout(seconds: float) -> float:
    """Return ``seconds`` scaled by BUSTRACK_TEST_TIMEOUT_FACTOR."""
    return seconds * TIMEOUT_FACTOR


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


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
    return Settings(tick=0.2, start_time="09:00", stuck_timeout=2.0)


@pytest.fixture
def make_client(
    aiohttp_client: AiohttpClient, mumbai_feed: Feed
) -> Callable[[Settings], Awaitable[TestClient]]:  # type: ignore[type-arg]
    """Return a factory that starts the app on a real socket and gives a client for it."""

    async def make(settings: Settings) -> TestClient:  # type: ignore[type-arg]
        return await aiohttp_client(create_app(settings, feed=mumbai_feed))

    return make
