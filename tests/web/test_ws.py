"""/ws through a real server socket and real WebSocket clients."""

from __future__ import annotations

import asyncio
import base64
import itertools
import os
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient, TestServer

from bustrack.gtfs.model import Feed
from bustrack.settings import Settings
from bustrack.web import create_app
from bustrack.web.keys import hub_key
from bustrack.wire.protocol import PROTOCOL_VERSION
from tests.conftest import eventually, timeout
from tests.wsstate import ClientState, vehicles_of

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]


async def _frame(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    msg = await ws.receive(timeout=timeout(5))
    assert msg.type == WSMsgType.TEXT, msg
    frame: dict[str, Any] = orjson.loads(msg.data)
    return frame


async def test_snapshot_then_updates(make_client: MakeClient, settings: Settings) -> None:
    client = await make_client(settings)
    async with client.ws_connect("/ws") as ws:
        snap = await _frame(ws)
        assert snap["type"] == "snapshot"
        assert snap["v"] == PROTOCOL_VERSION
        assert isinstance(snap["ts"], int)
        assert snap["clock"]["mode"] == "fixed"
        vehicles = vehicles_of(snap)
        assert len(vehicles) > 100  # Mumbai at 09:00
        for v in vehicles:
            assert v["id"] and v["route"] and v["headsign"]
            assert 18.8e5 < v["lat"] < 19.4e5 and 72.7e5 < v["lon"] < 73.2e5
            assert 0 <= v["bearing"] < 360
        last_ts = snap["ts"]
        moved = 0
        for _ in range(3):
            upd = await _frame(ws)
            assert upd["type"] == "update"
            assert upd["ts"] > last_ts
            last_ts = upd["ts"]
            moved += sum(len(p["m"]) for p in upd["parts"])
        assert moved > 0


async def test_updates_keep_a_client_in_step_with_a_fresh_snapshot(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    frames: list[dict[str, Any]] = []

    async def keep_reading(ws: aiohttp.ClientWebSocketResponse) -> None:
        while True:
            frames.append(await _frame(ws))

    async with client.ws_connect("/ws") as first:
        reader = asyncio.create_task(keep_reading(first))
        try:
            await eventually(lambda: len(frames) >= 4, 10, "4 frames on the first socket")
            async with client.ws_connect("/ws") as second:
                fresh = await _frame(second)
            await eventually(
                lambda: frames[-1]["ts"] >= fresh["ts"], 10, "the first socket to reach the tick"
            )
        finally:
            reader.cancel()
    # Snapshot + updates up to the fresh snapshot's tick give exactly that snapshot.
    state = ClientState()
    for frame in frames:
        if frame["ts"] > fresh["ts"]:
            break
        state.apply(frame)
    assert state.ts == fresh["ts"]
    assert [f["type"] for f in frames[1:]].count("snapshot") == 0
    assert state.vehicles == {v["id"]: v for v in vehicles_of(fresh)}


async def test_two_clients_receive_the_same_frames(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    async with client.ws_connect("/ws") as a, client.ws_connect("/ws") as b:
        await _frame(a)
        await _frame(b)
        frames_a = [await a.receive(timeout=timeout(5)) for _ in range(3)]
        frames_b = [await b.receive(timeout=timeout(5)) for _ in range(3)]
        by_ts_a = {orjson.loads(m.data)["ts"]: m.data for m in frames_a}
        by_ts_b = {orjson.loads(m.data)["ts"]: m.data for m in frames_b}
        common = by_ts_a.keys() & by_ts_b.keys()
        assert common
        for ts in common:
            assert by_ts_a[ts] == by_ts_b[ts]


async def test_the_hub_counts_the_clients_that_left(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    hub = client.app[hub_key]  # type: ignore[union-attr]
    sockets = [await client.ws_connect("/ws") for _ in range(3)]
    for ws in sockets:
        await _frame(ws)
    assert len(hub.clients) == 3 and hub.departed == 0
    await sockets[0].close()
    sockets[1]._response.connection.transport.abort()  # type: ignore[union-attr]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout(10)
    while hub.departed < 2:
        assert loop.time() < deadline, hub.departed
        await asyncio.sleep(0.05)
    assert len(hub.clients) == 1 and hub.departed == 2
    await sockets[2].close()


def _raw_client_that_never_reads(port: int) -> socket.socket:
    """Open a WebSocket by hand with a tiny receive buffer, then never read from it."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    return sock


async def test_a_client_that_stops_reading_does_not_hold_back_others(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    assert client.port is not None
    hub = client.app[hub_key]  # type: ignore[union-attr]
    stuck = _raw_client_that_never_reads(client.port)
    try:
        async with client.ws_connect("/ws") as ws:
            await _frame(ws)
            # Until the stuck client is dropped, the reader gets every tick, in order.
            ticks: list[int] = []
            delays: list[float] = []
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout(30)
            while hub.dropped_stuck == 0:
                assert loop.time() < deadline, "the stuck client was never dropped"
                frame = await _frame(ws)
                assert frame["type"] == "update"
                ticks.append(frame["ts"])
                delays.append(time.time() * 1000 - frame["ts"])
            assert any(c.frames_skipped for c in hub.clients) or hub.dropped_stuck
            gaps = [b - a for a, b in itertools.pairwise(ticks)]
            tick_ms = settings.tick * 1000
            # The reader got every tick while the other client was stuck (no gaps
            # of several ticks), each soon after it was built (not held back).
            assert max(gaps) < 5 * tick_ms, gaps
            assert max(delays) < timeout(2000), delays
            assert len(hub.clients) == 1
    finally:
        stuck.close()


async def test_stuck_client_skips_frames_with_bounded_buffer(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(Settings(tick=0.1, start_time="09:00", stuck_timeout=60))
    assert client.port is not None
    hub = client.app[hub_key]  # type: ignore[union-attr]
    stuck = _raw_client_that_never_reads(client.port)
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout(30)
        while not any(c.frames_skipped > 3 for c in hub.clients):
            assert loop.time() < deadline, "the client never started skipping"
            await asyncio.sleep(0.1)
        (lagging,) = hub.clients
        biggest = 2 * 1024 * 1024  # a Mumbai snapshot is well under this
        assert lagging.buffered <= hub.buffer_limit + biggest
        assert lagging.needs_snapshot
    finally:
        stuck.close()


async def test_bad_messages_get_an_error_and_change_nothing(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    async with client.ws_connect("/ws") as bad, client.ws_connect("/ws") as good:
        await _frame(bad)
        await _frame(good)
        await bad.send_str("{not json")
        await bad.send_str('{"type": "launch"}')
        await bad.send_str('{"type": "ping"}')
        errors, pongs = [], []
        while len(errors) < 2 or not pongs:
            frame = await _frame(bad)
            if frame["type"] == "error":
                errors.append(frame["error"])
            elif frame["type"] == "pong":
                pongs.append(frame)
        assert errors == ["message is not valid JSON", "unknown message type 'launch'"]
        # Both connections still get updates.
        assert (await _frame(bad))["type"] == "update"
        assert (await _frame(good))["type"] == "update"


async def test_binary_and_huge_frames_close_only_that_client(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    async with client.ws_connect("/ws") as good:
        await _frame(good)
        async with client.ws_connect("/ws") as binary:
            await _frame(binary)
            await binary.send_bytes(b"\x00\x01")
            msg = await binary.receive(timeout=timeout(5))
            while msg.type == WSMsgType.TEXT:
                msg = await binary.receive(timeout=timeout(5))
            assert msg.type == WSMsgType.CLOSE
            assert msg.data == aiohttp.WSCloseCode.UNSUPPORTED_DATA
        async with client.ws_connect("/ws") as huge:
            await _frame(huge)
            await huge.send_str("x" * (1024 * 1024))
            msg = await huge.receive(timeout=timeout(5))
            while msg.type == WSMsgType.TEXT:
                msg = await huge.receive(timeout=timeout(5))
            assert msg.type == WSMsgType.CLOSE
            assert msg.data == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
        assert (await _frame(good))["type"] == "update"


async def test_foreign_origin_is_refused(make_client: MakeClient, settings: Settings) -> None:
    client = await make_client(settings)
    with pytest.raises(aiohttp.WSServerHandshakeError) as err:
        await client.ws_connect("/ws", headers={"Origin": "https://evil.example"})
    assert err.value.status == 403
    own = f"http://{client.host}:{client.port}"
    async with client.ws_connect("/ws", headers={"Origin": own}) as ws:
        assert (await _frame(ws))["type"] == "snapshot"


async def test_allowed_origins_setting_admits_another_site(
    make_client: MakeClient,
) -> None:
    client = await make_client(
        Settings(tick=0.2, start_time="09:00", allowed_origins="https://maps.example")
    )
    async with client.ws_connect("/ws", headers={"Origin": "https://maps.example"}) as ws:
        assert (await _frame(ws))["type"] == "snapshot"


async def test_shutdown_closes_every_socket_with_1001(mumbai_feed: Feed) -> None:
    app: web.Application = create_app(Settings(tick=0.2, start_time="09:00"), feed=mumbai_feed)
    server = TestServer(app)
    await server.start_server()
    async with aiohttp.ClientSession() as session:
        sockets = [await session.ws_connect(server.make_url("/ws")) for _ in range(3)]
        for ws in sockets:
            assert (await _frame(ws))["type"] == "snapshot"
        closing = asyncio.create_task(server.close())
        for ws in sockets:
            msg = await ws.receive(timeout=timeout(10))
            while msg.type == WSMsgType.TEXT:
                msg = await ws.receive(timeout=timeout(10))
            assert msg.type == WSMsgType.CLOSE
            assert msg.data == aiohttp.WSCloseCode.GOING_AWAY
        await closing
    assert not app[hub_key].clients
