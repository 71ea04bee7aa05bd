"""Observers under attack: what hostile /ws connections cost the clients that behave.

Run from the repository root::

    .venv/bin/python bench/abuse.py            # 8 s per scenario, about a minute
    .venv/bin/python bench/abuse.py --quick    # 3 s per scenario, about half a minute

It starts bustrack as a user would (``python -m bustrack.web --port P --start-time 09:00``)
and connects observers (phone viewports, as bench/viewports.py makes them) that read every
frame. Then, in the same run, one window per scenario: no attacker (the baseline), then
1, 10 and 100 hostile connections, run by a child process (``--attack N``) so that their
work does not slow the observers' own reading. The hostile connections take turns at:
flooding subscribes of the whole world (1008), sending frames over 64 KiB (1009),
never reading a whole-city stream (a slow reader, held for the window), connecting and
leaving at once (churn), and flooding invalid JSON (1008); each reconnects when closed.

For each window it prints the observers' frame delay (arrival minus the frame's ``ts``,
same machine clock) p50 and p99, their missed ticks (a gap of a tick or more in the
``ts`` of consecutive frames, or a snapshot again: a resync), and the ratios of the
delays to the baseline's. Every loop is bounded in time; all traffic is on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
import orjson

from bench.viewports import make_viewports
from bench.ws_load import Server
from bustrack.settings import DEFAULT_GTFS

__all__ = ["Window", "attack", "main", "measure"]

TICK = 1.0
WHOLE_WORLD = '{"type":"subscribe","bbox":[-180,-85,180,85]}'
HUGE = '{"type":"ping","pad":"' + "x" * 70_000 + '"}'
KINDS = ("flood", "huge", "slow", "churn", "junk")


# The hostile side (run in a child process: ``--attack N``).


@dataclass
class AttackStats:
    """What the hostile connections did and how the server closed them."""

    connections: int = 0
    sent: int = 0
    closes: dict[str, int] = field(default_factory=dict)

    def closed(self, code: object) -> None:
        key = str(code)
        self.closes[key] = self.closes.get(key, 0) + 1


async def _hostile(kind: str, url: str, until: float, stats: AttackStats) -> None:
    loop = asyncio.get_running_loop()
    if kind == "slow":
        await _slow_reader(url, until)
        stats.connections += 1
        return
    async with aiohttp.ClientSession() as http:
        while loop.time() < until:
            try:
                timeout = aiohttp.ClientWSTimeout(ws_close=5.0)
                ws = await http.ws_connect(
                    url + "/ws", autoclose=False, max_msg_size=0, timeout=timeout
                )
            except (aiohttp.ClientError, OSError, TimeoutError):
                stats.closed("refused")
                await asyncio.sleep(0.1)
                continue
            stats.connections += 1
            if kind == "churn":
                await ws.close()
                await asyncio.sleep(0.01)
                continue
            message = {"flood": WHOLE_WORLD, "huge": HUGE, "junk": "{not json"}[kind]
            with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                while loop.time() < until and ws.close_code is None:
                    await ws.send_str(message)
                    stats.sent += 1
                    if kind == "huge" or stats.sent % 50 == 0:
                        await asyncio.sleep(0)
                    if kind == "huge":
                        break
            stats.closed(await _close_code(ws, until))
            await ws.close()


async def _close_code(ws: aiohttp.ClientWebSocketResponse, until: float) -> object:
    """Read up to the server's close frame; its code (None if the window ended first)."""
    loop = asyncio.get_running_loop()
    while loop.time() < until:
        try:
            msg = await ws.receive(timeout=max(0.1, until - loop.time()))
        except TimeoutError:
            return None
        if msg.type == aiohttp.WSMsgType.CLOSE:
            return msg.data
        if msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            return "cut"
    return None


async def _slow_reader(url: str, until: float) -> None:
    """A whole-city client that completes the handshake and never reads a byte."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    try:
        await loop.sock_connect(sock, (host, int(port)))
        request = (
            f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        )
        await loop.sock_sendall(sock, request.encode())
        await asyncio.sleep(max(0.0, until - loop.time()))
    except OSError:
        pass
    finally:
        sock.close()


async def attack(url: str, connections: int, seconds: float) -> AttackStats:
    """Run ``connections`` hostile connections (kinds in turn) at ``url`` for ``seconds``."""
    stats = AttackStats()
    until = asyncio.get_running_loop().time() + seconds
    kinds = [KINDS[i % len(KINDS)] for i in range(connections)]
    await asyncio.gather(*(_hostile(k, url, until, stats) for k in kinds))
    return stats


# The observers.


@dataclass
class Window:
    """One scenario's figures."""

    attackers: int
    delays_ms: list[float] = field(default_factory=list)
    frames: int = 0
    missed: int = 0
    attack: dict[str, Any] = field(default_factory=dict)

    def p(self, q: float) -> float:
        if not self.delays_ms:
            return float("nan")
        return statistics.quantiles(self.delays_ms, n=100, method="inclusive")[int(q) - 1]


class Observer:
    """A phone viewport that reads every frame and keeps its delay and missed ticks."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.window: Window | None = None
        self.last_ts: int | None = None
        self.snapshots = 0
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            now = time.time() * 1000
            head = orjson.loads(msg.data[: msg.data.index(',"parts":[')] + "}")
            if head["type"] not in ("snapshot", "update"):
                continue
            ts = int(head["ts"])
            w = self.window
            if w is not None:
                w.frames += 1
                w.delays_ms.append(now - ts)
                if head["type"] == "snapshot" and self.snapshots:
                    w.missed += 1  # a resync: it had missed frames
                if self.last_ts is not None and ts - self.last_ts >= 1.9 * TICK * 1000:
                    w.missed += round((ts - self.last_ts) / (TICK * 1000)) - 1
            self.snapshots += head["type"] == "snapshot"
            self.last_ts = ts


async def measure(url: str, observers: list[Observer], attackers: int, seconds: float) -> Window:
    """One window of ``seconds`` with ``attackers`` hostile connections (after 1 s to
    let them start)."""
    window = Window(attackers)
    child = None
    if attackers:
        child = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--attack", str(attackers), "--url", url,
            "--seconds", str(seconds + 2), stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        await asyncio.sleep(1.0)
    for o in observers:
        o.window = window
    await asyncio.sleep(seconds)
    for o in observers:
        o.window = None
    if child is not None:
        out, _ = await asyncio.wait_for(child.communicate(), seconds + 30)
        window.attack = json.loads(out.decode().strip().splitlines()[-1])
    return window


async def run(quick: bool, clients: int) -> list[Window]:
    seconds = 3.0 if quick else 8.0
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        argv = [sys.executable, "-m", "bustrack.web", "--port", str(port), "--tick", str(TICK),
                "--start-time", "09:00", "--stuck-timeout", "5", "--history", "off"]  # fmt: skip
        server = Server("bustrack", argv, port, Path(tmp))
        await server.start()
        url = f"http://127.0.0.1:{port}"
        try:
            views = [
                v for v in make_viewports(Path(DEFAULT_GTFS), clients * 3) if v.kind == "phone"
            ]
            async with aiohttp.ClientSession() as http:
                observers = [
                    Observer(await http.ws_connect(url + "/ws" + v.query()))
                    for v in views[:clients]
                ]
                await asyncio.sleep(3 * TICK)  # the first ticks of a server are slow
                windows = [await measure(url, observers, n, seconds) for n in (0, 1, 10, 100)]
                for o in observers:
                    await o.ws.close()
        finally:
            server.stop()
        log = server.log()
    if "Traceback" in log:
        print("the server logged a traceback:\n" + log[-3000:], file=sys.stderr)
    return windows


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def report(windows: list[Window], clients: int) -> str:
    """The table: one line per scenario, ratios against the baseline (no attacker)."""
    base = windows[0]
    lines = [
        f"{clients} observers (phone viewports), tick {TICK:g} s; delay = arrival - ts",
        f"{'attackers':>9} {'frames':>7} {'p50 ms':>8} {'p99 ms':>8} {'missed':>7} "
        f"{'p50 x':>6} {'p99 x':>6}  hostile connections (closes by code)",
    ]
    for w in windows:
        closes = ", ".join(f"{k}: {v}" for k, v in sorted(w.attack.get("closes", {}).items()))
        hostile = f"{w.attack.get('connections', 0)} opened, {closes}" if w.attackers else "-"
        lines.append(
            f"{w.attackers:>9} {w.frames:>7} {w.p(50):>8.1f} {w.p(99):>8.1f} {w.missed:>7} "
            f"{w.p(50) / base.p(50):>6.2f} {w.p(99) / base.p(99):>6.2f}  {hostile}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 s windows instead of 8 s")
    parser.add_argument("--clients", type=int, default=20, help="observers (default 20)")
    parser.add_argument("--attack", type=int, help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=5.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.attack is not None:
        stats = asyncio.run(attack(args.url, args.attack, args.seconds))
        print(json.dumps(stats.__dict__))
        return 0
    windows = asyncio.run(run(args.quick, args.clients))
    print(report(windows, args.clients))
    return 0


if __name__ == "__main__":
    sys.exit(main())
