"""Hostile /ws clients against the real program: floods, clients that never read, DNS
rebinding, and heavy GTFS-rt requests. Whatever they do, the server's memory stays
bounded, the other clients miss no tick, and the offender gets a clear close code.

The server runs as a process (``python -m bustrack.web``) so that its memory and its
sockets can be read from /proc.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp.test_utils import TestClient

from bustrack.settings import Settings
from bustrack.web.keys import hub_key
from tests.conftest import SERVICE_DATE, eventually, timeout
from tests.web.process import ServerProcess
from tests.web.test_ws import _raw_client_that_never_reads

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]

TICK = 0.5
WHOLE_WORLD = orjson.dumps({"type": "subscribe", "bbox": [-180, -85, 180, 85]}).decode()
PHONE_BOX = orjson.dumps({"type": "subscribe", "bbox": [72.8, 19.0, 72.9, 19.1]}).decode()


def _args(*extra: str) -> tuple[str, ...]:
    return ("--tick", str(TICK), "--start-time", "09:00", "--service-date", SERVICE_DATE, *extra)


def rss_mb(pid: int) -> float:
    """The resident memory of process ``pid``, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    assert found, status
    return int(found.group(1)) / 1024


def sockets_of(pid: int) -> int:
    """How many sockets process ``pid`` holds open."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                count += 1
        except FileNotFoundError:  # closed meanwhile
            pass
    return count


class Observer:
    """A client that reads every frame, as a page does, and keeps their ticks."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                self.frames.append(orjson.loads(msg.data))

    def ticks(self) -> list[int]:
        return [f["ts"] for f in self.frames if f["type"] in ("snapshot", "update")]

    def assert_missed_nothing(self) -> None:
        """One snapshot, then an update every tick: no resync, no gap of a missed tick."""
        kinds = [f["type"] for f in self.frames if f["type"] in ("snapshot", "update")]
        assert kinds[0] == "snapshot" and "snapshot" not in kinds[1:], kinds
        gaps = [b - a for a, b in itertools.pairwise(self.ticks())]
        assert max(gaps) < 1.9 * TICK * 1000, gaps


async def _flood(url: str, message: str, seconds: float) -> tuple[int, int | None, str]:
    """Send ``message`` as fast as possible for ``seconds`` or until the server closes,
    while reading (and dropping) what comes, to see the close frame. Return (sent, close
    code, reason). (A flooder that reads nothing may never see the close frame: the server
    cuts its connection with the frame still queued behind data it never read.)"""
    sent = 0
    closed: list[tuple[int | None, str]] = []
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(url + "/ws", autoclose=False, max_msg_size=0)

        async def read() -> None:
            while True:
                msg = await ws.receive(timeout=timeout(15))
                if msg.type == aiohttp.WSMsgType.CLOSE:
                    closed.append((msg.data, msg.extra or ""))
                    return
                if msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                    return

        reader = asyncio.create_task(read())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        try:
            while loop.time() < deadline and not closed and not reader.done():
                await ws.send_str(message)
                sent += 1
                if sent % 200 == 0:
                    await asyncio.sleep(0)
        except (ConnectionError, aiohttp.ClientError):
            pass
        with contextlib.suppress(TimeoutError):
            await reader
        await ws.close()
    code, reason = closed[0] if closed else (None, "")
    return sent, code, reason


@pytest.mark.parametrize("flooders", [1, 20])
async def test_a_subscribe_flood_is_closed_with_1008_and_costs_no_memory(
    tmp_path: Path, flooders: int
) -> None:
    with ServerProcess(tmp_path, *_args()) as server:
        assert server.proc is not None
        async with aiohttp.ClientSession() as http:
            observers = [Observer(await http.ws_connect(server.url + "/ws")) for _ in range(3)]
            await eventually(lambda: all(len(o.ticks()) >= 3 for o in observers), 20, "ticks")
            before = rss_mb(server.proc.pid)
            results = await asyncio.gather(
                *(_flood(server.url, WHOLE_WORLD, 3.0) for _ in range(flooders))
            )
            grown = rss_mb(server.proc.pid) - before
            # The observers kept getting every tick, before, during and after.
            seen = len(observers[0].ticks())
            await eventually(lambda: len(observers[0].ticks()) >= seen + 3, 10, "more ticks")
            for o in observers:
                await o.ws.close()
                o.assert_missed_nothing()
    for sent, code, reason in results:
        assert code == aiohttp.WSCloseCode.POLICY_VIOLATION, (sent, code, reason)
        assert "too many messages" in reason
        assert sent > 30  # it was over the burst
    assert grown < 50, f"the server grew by {grown:.0f} MB"
    lines = [line for line in server.output().splitlines() if "messages in" in line]
    assert len(lines) == flooders, lines
    assert re.search(r"closing 127\.0\.0\.1: \d+ messages in [\d.]+ s, over the limit", lines[0])


async def test_every_kind_of_message_counts_towards_the_limit(tmp_path: Path) -> None:
    bad = ["{not json", orjson.dumps({"type": "ping"}).decode(), '{"type":"nope"}']
    with ServerProcess(tmp_path, *_args("--client-message-burst", "10")) as server:
        for message in bad:
            sent, code, _ = await _flood(server.url, message, 2.0)
            assert code == aiohttp.WSCloseCode.POLICY_VIOLATION, (message, sent, code)


async def test_a_page_panning_fast_is_not_limited(tmp_path: Path) -> None:
    with ServerProcess(tmp_path, *_args()) as server:
        async with aiohttp.ClientSession() as http, http.ws_connect(server.url + "/ws") as ws:
            reader = Observer(ws)
            # A burst of 25 pans and zooms, then one every quarter of a second for 5 s.
            for i in range(25):
                await ws.send_str(PHONE_BOX)
                await ws.send_str(orjson.dumps({"type": "ping"}).decode()) if i % 5 == 0 else None
            for _ in range(20):
                await asyncio.sleep(0.25)
                await ws.send_str(PHONE_BOX)
            await asyncio.sleep(1)
            assert not ws.closed
            await ws.close()
            await reader.task
    assert ws.close_code == aiohttp.WSCloseCode.OK
    assert "messages in" not in server.output()


async def test_a_client_asking_for_snapshots_faster_than_it_reads_gets_one_when_it_drains(
    make_client: MakeClient,
) -> None:
    # A generous limit, so that only the backpressure is tested here: 600 whole-world
    # snapshots asked for (about 200 MB if each were written) by a client that reads none.
    settings = Settings(
        tick=TICK,
        start_time="09:00",
        service_date=SERVICE_DATE,
        client_message_burst=1000,
        client_message_rate=1000,
    )
    client = await make_client(settings)
    hub = client.app[hub_key]  # type: ignore[union-attr]
    async with client.ws_connect("/ws", max_msg_size=0) as ws:
        transport = ws._response.connection.transport  # type: ignore[union-attr]
        transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        transport.pause_reading()  # the client reads nothing from now on
        for _ in range(599):
            await ws.send_str(WHOLE_WORLD)
        await ws.send_str(PHONE_BOX)
        await asyncio.sleep(4 * TICK)
        (server_side,) = hub.clients
        # Nothing queued grew: what it holds is the kernel's and at most one snapshot more.
        assert server_side.buffered < hub.buffer_limit + 400_000, server_side.buffered
        # The snapshot on connect, one for the burst of 600 requests, a tick's update or so.
        assert server_side.frames_sent < 10, server_side.frames_sent
        # Now it reads: the newest snapshot (of the phone box), then updates again. (With
        # its receive window back to a usual size: at 4 KB, the megabytes the kernels hold
        # take most of a minute to cross loopback.)
        transport.get_extra_info("socket").setsockopt(
            socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024
        )
        transport.resume_reading()
        kinds: list[str] = []
        while kinds[-3:] != ["update"] * 3:
            frame = orjson.loads((await ws.receive(timeout=timeout(10))).data)
            kinds.append(frame["type"])
            if frame["type"] == "snapshot":
                last_snapshot = frame
    assert kinds.count("snapshot") <= 3, kinds
    assert [p["c"] for p in last_snapshot["parts"]] != ["all"]  # the phone box's channels


async def test_clients_that_never_read_are_released_within_the_timeouts(tmp_path: Path) -> None:
    # The heartbeat gives up on them (no pong after 9 s, by when their buffers are full)
    # long before the hub would find them stuck: the path by which their connections once
    # stayed open for good, each holding what it was never able to send.
    # All 200 come from 127.0.0.1: above the per-address cap this test is not about.
    args = _args("--heartbeat", "6", "--stuck-timeout", "120", "--max-connections-per-ip", "1000")
    with ServerProcess(tmp_path, *args) as server:
        assert server.proc is not None
        pid = server.proc.pid
        idle = sockets_of(pid)
        clients = [_raw_client_that_never_reads(server.port) for _ in range(200)]
        try:
            # (Nearly) all open at once: `idle` may still count the start-up check's connection,
            # which the server lets go of a moment later.
            await eventually(lambda: sockets_of(pid) >= idle + 190, 40, "200 connections")
            # Pings unanswered after 9 s, the close's 5 s, the 5 s grace (CLOSE_GRACE).
            await eventually(lambda: sockets_of(pid) <= idle + 2, 35, "the server to let go")
            assert "cutting a connection that did not read its last" in server.output()
        finally:
            for c in clients:
                c.close()


async def test_a_dns_rebinding_origin_is_refused(tmp_path: Path) -> None:
    with ServerProcess(tmp_path, *_args()) as server:
        rebinding = {"Origin": f"http://evil.example:{server.port}"}
        rebinding["Host"] = f"evil.example:{server.port}"
        async with aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.WSServerHandshakeError) as err:
                await http.ws_connect(server.url + "/ws", headers=rebinding)
            assert err.value.status == 403
            own = {"Origin": server.url}
            async with http.ws_connect(server.url + "/ws", headers=own) as ws:
                assert orjson.loads((await ws.receive(timeout=timeout(10))).data)["type"]
    assert "refused /ws from origin http://evil.example" in server.output()


async def test_a_public_url_is_the_page_origin(tmp_path: Path) -> None:
    with ServerProcess(tmp_path, *_args("--public-url", "https://bus.example")) as server:
        async with aiohttp.ClientSession() as http:
            ok = {"Origin": "https://bus.example"}
            async with http.ws_connect(server.url + "/ws", headers=ok) as ws:
                assert orjson.loads((await ws.receive(timeout=timeout(10))).data)["type"]
            with pytest.raises(aiohttp.WSServerHandshakeError) as err:
                await http.ws_connect(server.url + "/ws", headers={"Origin": server.url})
            assert err.value.status == 403


async def test_concurrent_gtfs_rt_json_requests_leave_the_ticks_on_time(tmp_path: Path) -> None:
    with ServerProcess(tmp_path, *_args()) as server:
        async with aiohttp.ClientSession() as http:
            observer = Observer(await http.ws_connect(server.url + "/ws"))
            await eventually(lambda: len(observer.ticks()) >= 3, 20, "ticks")
            start = len(observer.ticks())

            async def get(kind: str) -> int:
                url = f"{server.url}/gtfs-rt/{kind}.pb?format=json"
                async with http.get(url) as resp:
                    assert resp.status == 200
                    return len(await resp.read())

            for _ in range(3):  # three rounds of 20, a tick apart
                sizes = await asyncio.gather(
                    *(get("trip-updates") for _ in range(10)),
                    *(get("vehicle-positions") for _ in range(10)),
                )
                await asyncio.sleep(TICK)
            await observer.ws.close()
    assert min(sizes) > 100_000
    ticks = observer.ticks()[start - 1 :]
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert max(gaps) < 1.9 * TICK * 1000, gaps
    assert "longer than --tick" not in server.output()
