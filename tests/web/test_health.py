"""/healthz and /readyz through the real server: ready once the feed is loaded and the
ticker ticks; 503, saying which check failed, when a GTFS-realtime feed in stops
answering (a real producer on loopback) or the ticker stops; ready again on recovery."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bustrack.settings import Settings, SettingsError, parse_settings
from bustrack.web.health import shown_url
from bustrack.web.keys import ticker_key
from tests.conftest import SERVICE_DATE, timeout
from tests.sources.test_gtfsrt_in import message
from tests.web.test_gtfsrt_in import FeedServer

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]

LAT, LON = 18.9322, 72.8264  # Churchgate


@pytest.fixture
async def producer() -> AsyncIterator[tuple[FeedServer, str]]:
    """A GTFS-realtime VehiclePositions producer on loopback; its URL carries an API key."""
    feed = FeedServer(body=message({"id": "bus-1", "lat": LAT, "lon": LON, "ts": time.time()}))
    app = web.Application()
    app.router.add_get("/vehicles.pb", feed.handle)
    server = TestServer(app)
    await server.start_server()
    yield feed, str(server.make_url("/vehicles.pb")) + "?key=SECRET-KEY"
    await server.close()


async def until_ready(client: TestClient, ready: bool, seconds: float) -> dict[str, Any]:  # type: ignore[type-arg]
    """Ask /readyz (at most every 0.2 s) until it says ``ready``; return its body."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout(seconds)
    while True:
        resp = await client.get("/readyz")
        body: dict[str, Any] = await resp.json()
        assert resp.status == (200 if body["ready"] else 503), body
        assert resp.headers["Cache-Control"] == "no-store"
        if body["ready"] is ready:
            return body
        assert loop.time() < deadline, f"/readyz still says {body}"
        await asyncio.sleep(0.2)


async def test_live_and_ready_without_realtime_sources(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    resp = await client.get("/healthz")
    assert resp.status == 200 and await resp.json() == {"ok": True}
    body = await until_ready(client, True, 20)
    assert body["failed"] == []
    checks = body["checks"]
    assert checks["feed"]["ok"] and checks["feed"]["trips"] > 100
    assert checks["ticker"]["ok"] and checks["ticker"]["running"]
    assert 0 <= checks["ticker"]["last_tick_age"] <= checks["ticker"]["max_age"]
    assert checks["sources"] == {"ok": True, "max_age": 60.0, "feeds": []}


async def test_not_ready_while_a_realtime_feed_does_not_answer(
    make_client: MakeClient, producer: tuple[FeedServer, str], tmp_path: Path
) -> None:
    feed, url = producer
    settings = Settings(
        db=str(tmp_path / "b.db"),
        tick=0.2,
        start_time="09:00",
        service_date=SERVICE_DATE,
        source="none",
        gtfs_rt_vehicles=url,
        gtfs_rt_poll=0.2,
        ready_source_age=1.0,
    )
    client = await make_client(settings)
    body = await until_ready(client, True, 20)
    [source] = body["checks"]["sources"]["feeds"]
    assert source["ok"] and source["kind"] == "vehicles"
    # The producer fails: once its last good answer is older than --ready-source-age, 503.
    feed.status = 503
    body = await until_ready(client, False, 20)
    assert body["failed"] == ["sources"]
    [source] = body["checks"]["sources"]["feeds"]
    assert not source["ok"] and source["age"] > 1.0
    assert source["last_error"] == "HTTP 503"
    # Shown without the query string, where producers put API keys.
    assert source["url"] == url.split("?")[0]
    assert "SECRET-KEY" not in str(body)
    assert body["checks"]["ticker"]["ok"] and body["checks"]["feed"]["ok"]
    # /healthz does not care: the process serves.
    assert (await client.get("/healthz")).status == 200
    # It answers again (after its backoff): ready again.
    feed.status = 200
    body = await until_ready(client, True, 30)
    assert body["checks"]["sources"]["feeds"][0]["ok"]


async def test_not_ready_once_the_ticker_stops(
    make_client: MakeClient, settings: Settings, tmp_path: Path
) -> None:
    client = await make_client(dataclasses.replace(settings, db=str(tmp_path / "b.db")))
    assert client.server is not None
    await until_ready(client, True, 20)
    client.server.app[ticker_key].cancel()
    body = await until_ready(client, False, 10)
    assert body["failed"] == ["ticker"]
    assert body["checks"]["ticker"]["running"] is False


def test_the_readiness_age_must_exceed_the_poll_period() -> None:
    assert parse_settings([], environ={}).ready_source_age == 60.0
    with pytest.raises(SettingsError, match="--ready-source-age"):
        parse_settings(["--gtfs-rt-poll", "30", "--ready-source-age", "30"], environ={})


def test_shown_urls_keep_no_secrets() -> None:
    assert shown_url("https://u:pw@feeds.example.in:8443/vp.pb?api_key=x#f") == (
        "https://feeds.example.in:8443/vp.pb"
    )
    assert shown_url("http://[::1]:9000/a") == "http://[::1]:9000/a"
