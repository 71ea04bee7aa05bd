"""Hostile /ws connections for the load benchmark: each subscribes as fast as it can and
reads nothing, and connects again whenever the server closes it.

Before issue 11 one such connection grew the server from 77 MB to 6.5 GB in 3 s (every
``subscribe`` queued a whole snapshot). :func:`flood` runs ``connections`` of them until
``stop`` is set and counts what happened to them; all traffic is to the URL given
(127.0.0.1 in the benchmark), and every loop ends with ``stop``.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import aiohttp

__all__ = ["FloodStats", "flood"]

# A whole-world box: the biggest snapshot the server can be asked for.
MESSAGE = '{"type":"subscribe","bbox":[-180,-85,180,85]}'


@dataclass
class FloodStats:
    """What the hostile connections did and what the server answered."""

    connections: int = 0  # connections opened (each reconnects after a close)
    refused: int = 0  # connection attempts that failed
    sent: int = 0  # messages sent
    closed_1008: int = 0  # closed by the server with 1008 (policy violation)
    closed_other: int = 0  # closed or cut by the server otherwise


async def _one(url: str, stop: asyncio.Event, stats: FloodStats) -> None:
    async with aiohttp.ClientSession() as http:
        while not stop.is_set():
            try:
                ws = await http.ws_connect(url, autoclose=False, max_msg_size=0, timeout=5)
            except (aiohttp.ClientError, OSError, TimeoutError):
                stats.refused += 1
                await asyncio.sleep(0.1)
                continue
            stats.connections += 1
            with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                while not stop.is_set() and not ws.closed and ws.close_code is None:
                    await ws.send_str(MESSAGE)
                    stats.sent += 1
                    if stats.sent % 100 == 0:
                        await asyncio.sleep(0)
            code = await _close_code(ws, stop)
            if code == aiohttp.WSCloseCode.POLICY_VIOLATION:
                stats.closed_1008 += 1
            elif code is not None:
                stats.closed_other += 1
            await ws.close()


async def _close_code(ws: aiohttp.ClientWebSocketResponse, stop: asyncio.Event) -> int | None:
    """Read (now, at last) up to the server's close frame; its code, or None if we stopped."""
    while not stop.is_set():
        try:
            msg = await ws.receive(timeout=2)
        except TimeoutError:
            continue
        if msg.type == aiohttp.WSMsgType.CLOSE:
            return int(msg.data)
        if msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            return -1
    return None


async def flood(url: str, connections: int, stop: asyncio.Event) -> FloodStats:
    """Run ``connections`` hostile connections to ``url`` until ``stop`` is set."""
    stats = FloodStats()
    await asyncio.gather(*(_one(url, stop, stats) for _ in range(connections)))
    return stats
