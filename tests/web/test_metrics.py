"""/metrics through the real server: its own port (never the public one), frames counted
once a real /ws client has them, clients dropped by reason, ingest refusals by reason
after real bad posts, the garbage collector's pauses."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import socket
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bustrack.settings import Settings, SettingsError, parse_settings
from bustrack.store import SQLiteStore
from bustrack.web import create_app
from bustrack.web.keys import feed_key
from bustrack.web.metrics import client_kind
from bustrack.web.serve import PortError
from tests.conftest import SERVICE_DATE, free_port, timeout

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

LAT, LON = 18.9322, 72.8264  # Churchgate


async def scrape(port: int) -> Samples:
    """Every sample on ``http://127.0.0.1:port/metrics``, by name and labels."""
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout(10))) as http,
        http.get(f"http://127.0.0.1:{port}/metrics") as resp,
    ):
        assert resp.status == 200
        assert resp.content_type == "text/plain"
        text = await resp.text()
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample ``name{labels}``; fails if the server exports none."""
    key = (name, frozenset(labels.items()))
    assert key in samples, f"no {name}{labels} in {sorted(k[0] for k in samples)}"
    return samples[key]


async def poll(port: int, check: Callable[[Samples], bool], seconds: float, what: str) -> Samples:
    """Scrape until ``check`` holds (at most every 0.2 s); fail after ``seconds``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout(seconds)
    while True:
        samples = await scrape(port)
        if check(samples):
            return samples
        assert loop.time() < deadline, f"gave up waiting for {what}"
        await asyncio.sleep(0.2)


def _with_metrics(settings: Settings, **more: Any) -> tuple[Settings, int]:
    port = free_port()
    return dataclasses.replace(settings, metrics_port=port, **more), port


async def test_frames_a_ws_client_received_are_counted_on_the_metrics_port_only(
    make_client: MakeClient, settings: Settings, tmp_path: Path
) -> None:
    settings, port = _with_metrics(settings, db=str(tmp_path / "b.db"))
    client = await make_client(settings)
    assert client.server is not None
    stop = next(iter(client.server.app[feed_key].stops))
    # Never on the public port.
    assert (await client.get("/metrics")).status == 404
    received = 0
    async with (
        client.ws_connect("/ws") as whole,
        client.ws_connect("/ws", params={"bbox": "72.82,18.92,72.84,18.94", "stop": stop}) as view,
    ):
        for _ in range(3):  # the snapshot and two ticks' updates
            msg = await whole.receive(timeout=timeout(20))
            assert msg.type == aiohttp.WSMsgType.TEXT
            received += len(msg.data.encode())
        await view.receive(timeout=timeout(20))
        samples = await scrape(port)
        assert value(samples, "bustrack_ws_frames_sent_total") >= 4
        # Every byte the client read went out as part of a counted frame (plus headers).
        assert value(samples, "bustrack_ws_bytes_sent_total") > received
        assert value(samples, "bustrack_ws_clients", kind="all") == 1
        assert value(samples, "bustrack_ws_clients", kind="viewport") == 1
        assert value(samples, "bustrack_ws_clients", kind="routes") == 0
        assert value(samples, "bustrack_ws_clients_following", what="stop") == 1
        assert value(samples, "bustrack_ws_clients_following", what="vehicle") == 0
        assert value(samples, "bustrack_tick_duration_seconds_count") >= 2
        assert value(samples, "bustrack_tick_lag_seconds_count") >= 2
        assert value(samples, "bustrack_fanout_duration_seconds_count") >= 2
        assert value(samples, "bustrack_vehicles") > 100
        assert 0 <= value(samples, "bustrack_feed_age_seconds") < 60
        assert value(samples, "process_resident_memory_bytes") > 0
        sent = value(samples, "bustrack_ws_frames_sent_total")
    # The totals outlive the clients that were sent the frames.
    after = await poll(
        port,
        lambda s: (
            value(s, "bustrack_ws_clients", kind="all") == 0
            and value(s, "bustrack_ws_clients", kind="viewport") == 0
        ),
        10,
        "both clients gone",
    )
    assert value(after, "bustrack_ws_frames_sent_total") >= sent
    assert value(after, "bustrack_ws_frames_skipped_total") >= 0  # exported (none needed here)
    # A full collection in this process (where the server runs) is timed.
    gc.collect()
    assert value(await scrape(port), "bustrack_gc_pause_seconds_count", generation="2") >= 1


async def test_clients_dropped_are_counted_by_reason(
    make_client: MakeClient, settings: Settings, tmp_path: Path
) -> None:
    settings, port = _with_metrics(
        settings,
        db=str(tmp_path / "b.db"),
        source="none",
        client_message_burst=3,
        client_message_rate=1.0,
    )
    client = await make_client(settings)
    async with client.ws_connect("/ws") as flooder:
        for _ in range(10):
            await flooder.send_str('{"type":"ping"}')
        while (msg := await flooder.receive(timeout=timeout(10))).type != aiohttp.WSMsgType.CLOSE:
            pass
        assert msg.data == aiohttp.WSCloseCode.POLICY_VIOLATION
    async with client.ws_connect("/ws") as binary:
        await binary.send_bytes(b"\x00")
        while (msg := await binary.receive(timeout=timeout(10))).type != aiohttp.WSMsgType.CLOSE:
            pass
        assert msg.data == aiohttp.WSCloseCode.UNSUPPORTED_DATA
    samples = await scrape(port)
    assert value(samples, "bustrack_ws_clients_dropped_total", reason="rate_limit") == 1
    assert value(samples, "bustrack_ws_clients_dropped_total", reason="binary") == 1
    assert value(samples, "bustrack_ws_clients_dropped_total", reason="stuck") == 0


async def test_ingest_refusals_are_counted_by_reason(
    make_client: MakeClient, tmp_path: Path
) -> None:
    db = tmp_path / "b.db"
    store = SQLiteStore(db)
    token = store.add_device("bus-1", time.time())
    store.close_now()
    port = free_port()
    settings = Settings(
        tick=0.2, start_time="09:00", service_date=SERVICE_DATE, db=str(db), metrics_port=port
    )
    client = await make_client(settings)
    bearer = {"Authorization": f"Bearer {token}"}
    now = time.time()

    def report(i: int, **more: Any) -> dict[str, Any]:
        return {"lat": LAT + i * 1e-4, "lon": LON, "ts": now - 60 + i, **more}

    assert (await client.post("/api/ingest", data=b"[]")).status == 401
    assert (await client.post("/api/ingest", data=b"{nope", headers=bearer)).status == 400
    many = orjson.dumps([report(0)] * 1001)
    assert (await client.post("/api/ingest", data=many, headers=bearer)).status == 413
    batch = [
        report(0),
        report(1, lat=95),  # field
        report(2, lon="nan"),  # field
        report(3, ts=now + 7200),  # future
        report(4, lat=0, lon=0),  # no_fix
        report(5, lat=28.6, lon=77.2),  # Delhi: outside the feed's area
        report(6, device="someone-else"),  # device
        report(7),
    ]
    resp = await client.post("/api/ingest", data=orjson.dumps(batch), headers=bearer)
    assert resp.status == 200
    assert (await resp.json())["accepted"] == 2
    osmand = {"id": "bus-1", "lat": str(LAT), "lon": str(LON), "timestamp": "yesterday"}
    bad = await client.get("/api/ingest/osmand", params={**osmand, "token": token})
    assert bad.status == 400
    samples = await scrape(port)
    assert value(samples, "bustrack_ingest_accepted_total") == 2
    expected = {"token": 1, "body": 1, "too_large": 1, "field": 3, "future": 1, "no_fix": 1,
                "area": 1, "device": 1}  # fmt: skip
    for reason, n in expected.items():
        assert value(samples, "bustrack_ingest_refused_total", reason=reason) == n, reason
    assert value(samples, "bustrack_source_age_seconds", kind="ingest", source="/api/ingest") >= 0


async def test_a_metrics_port_in_use_stops_the_start_with_a_clear_error(
    settings: Settings, mumbai_feed: Any, tmp_path: Path
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        settings = dataclasses.replace(settings, metrics_port=port, db=str(tmp_path / "b.db"))
        runner = web.AppRunner(create_app(settings, feed=mumbai_feed))
        with pytest.raises(PortError, match=f"cannot serve metrics on 127.0.0.1:{port}"):
            await runner.setup()
        await runner.cleanup()


def test_metrics_settings_are_checked() -> None:
    assert parse_settings([], environ={}).metrics_port == 0  # off unless asked for
    assert parse_settings([], environ={}).metrics_host == "127.0.0.1"
    assert parse_settings(["--metrics-port", "9100"], environ={}).metrics_port == 9100
    with pytest.raises(SettingsError, match="--metrics-port"):
        parse_settings(["--metrics-port", "70000"], environ={})


def test_client_kinds() -> None:
    assert client_kind("all") == "all"
    assert client_kind("r/BEST_1|r/BEST_2") == "routes"
    assert client_kind("14/11730/7530|14/11731/7530") == "viewport"
    assert client_kind("12/2932/1882") == "viewport"
    assert client_kind("") == "none"
