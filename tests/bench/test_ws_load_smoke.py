"""The /ws load benchmark's parts still work (a few clients, a few seconds): it must not rot.

The Node load generator (``bench/loadgen.mjs``) reads a real bustrack server and the
``websockets`` baseline (``bench/baseline_server.py``) with every frame parsed and checked
(``verify``), and must report frames and delays for both.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bench.baseline_server import Baseline
from bench.loadgen import LoadGen
from bench.viewports import OCEAN_BOX, Viewport, make_viewports
from bustrack.gtfs.model import Feed
from bustrack.settings import DEFAULT_GTFS, Settings
from bustrack.wire.channels import Subscription, channels_for
from tests.conftest import free_port, timeout

TICK = 0.2


@pytest.fixture
async def gen(request: pytest.FixtureRequest) -> AsyncIterator[LoadGen]:
    """A load generator that parses and checks every frame (its clients offer
    permessage-deflate if the test asks for it with ``indirect`` parametrization)."""
    g = await LoadGen.start(tick=TICK, verify=True, deflate=getattr(request, "param", False))
    try:
        yield g
    finally:
        await g.stop()


def check_window(stats: dict[str, Any], clients: int) -> None:
    """The window has frames and delays from every client, and sane figures."""
    a = stats["all"]
    assert a["clients"] == clients, stats
    assert a["silent"] == 0, stats
    assert a["frames"] >= clients, stats
    assert a["bytes_per_s"] > 0, stats
    d = a["delay_ms"]
    assert d["n"] > 0, stats
    assert 0 <= d["p50"] <= d["p99"] <= d["max"], stats
    assert stats["loadgen"]["cpu_s"] >= 0, stats


async def until_frames(gen: LoadGen, clients: int) -> None:
    """Wait until every client has had a few frames (the first ticks of a server are slow)."""
    deadline = asyncio.get_running_loop().time() + timeout(30)
    while asyncio.get_running_loop().time() < deadline:
        groups = (await gen.call("status", within=timeout(10)))["groups"]
        if sum(g["frames"] for g in groups.values()) >= 3 * clients:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the clients got too few frames: {groups}")


def check_frames(status: dict[str, Any]) -> None:
    """Every frame parsed, and no move referred to a vehicle the client did not know."""
    for name, group in status["groups"].items():
        assert group["bad_frames"] == 0, (name, group)
        assert group["unknown_moves"] == 0, (name, group)
        assert group["frames"] > 0, (name, group)


@pytest.mark.parametrize("gen", [False, True], ids=["plain", "deflate"], indirect=True)
async def test_viewport_clients_of_bustrack_get_frames_and_delays(
    make_client: Callable[[Settings], Awaitable[TestClient]],  # type: ignore[type-arg]
    gen: LoadGen,
) -> None:
    client = await make_client(Settings(tick=TICK, start_time="09:00", stuck_timeout=2.0))
    base = str(client.make_url("/ws")).replace("http://", "ws://")
    views = [v for v in make_viewports(Path(DEFAULT_GTFS), 40) if v.kind == "phone"][:3]
    queries = [v.query() for v in views] + ["?bbox=72.80,18.90,72.95,19.10", ""]
    reply = await gen.call(
        "open", within=timeout(30), group="view", urls=[base + q for q in queries]
    )
    assert reply["opened"] == len(queries), reply
    await until_frames(gen, len(queries))
    stats = await gen.call("measure", within=timeout(30), seconds=2.0)
    check_window(stats, len(queries))
    assert stats["all"]["frames_per_s"] > 0.2 * len(queries) / TICK, stats
    status = await gen.call("status", within=timeout(10))
    check_frames(status)  # compressed ones inflated and parsed in full too
    deflated = status["groups"]["view"]["deflate"]
    assert deflated == (len(queries) if gen.deflate else 0), status


async def test_the_websockets_baseline_broadcasts_the_whole_fleet(
    mumbai_feed: Feed, gen: LoadGen
) -> None:
    baseline = Baseline(mumbai_feed, "09:00", TICK)
    port = free_port()
    stop = asyncio.Event()
    server = asyncio.create_task(baseline.serve("127.0.0.1", port, stop))
    try:
        url = f"ws://127.0.0.1:{port}/"
        for _ in range(100):  # until it listens
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            await asyncio.sleep(0.05)
        reply = await gen.call("open", within=timeout(30), group="city", urls=[url, url])
        assert reply["opened"] == 2, reply
        await until_frames(gen, 2)
        stats = await gen.call("measure", within=timeout(30), seconds=1.5)
        check_window(stats, 2)
        assert stats["all"]["bytes"] / stats["all"]["frames"] > 100_000  # the whole fleet
        check_frames(await gen.call("status", within=timeout(10)))
    finally:
        stop.set()
        await asyncio.wait_for(server, timeout(10))


def test_viewports_are_mostly_phones_served_by_a_few_tiles() -> None:
    views = make_viewports(Path(DEFAULT_GTFS), 400)
    kinds = [v.kind for v in views]
    assert 0.7 < kinds.count("phone") / len(views) < 0.9
    assert kinds.count("city") > 0 and kinds.count("medium") > 0
    for v in views:
        channels = channels_for(Subscription(v.bbox))
        if v.kind == "phone":
            assert len(channels) <= 9 and channels[0].startswith("14/"), v
        if v.kind == "city":
            assert v.query() == "" and channels == ("all",)
    assert Viewport("idle", OCEAN_BOX).query().startswith("?bbox=72.6")
