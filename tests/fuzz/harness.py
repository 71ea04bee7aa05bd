"""What the fuzz tests share: a server process, an event loop in a thread of its own for
the clients, and observers that must miss no tick while the fuzzing goes on.

Hypothesis runs its examples synchronously; the clients of a running server must keep
reading between them. So the observers (and each batch's clients) run on a loop in a
background thread (:class:`LoopThread`), and each example hands its batch to that loop
with a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

import aiohttp
import orjson

from tests.conftest import timeout

__all__ = ["OBSERVER_QUERIES", "LoopThread", "Observer", "close_observers", "open_observers"]

T = TypeVar("T")


class LoopThread:
    """An asyncio event loop running in a daemon thread until :meth:`close`."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        """Start ``coro`` on the loop; its future gives the result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], seconds: float) -> T:
        """Run ``coro`` on the loop; fail if it takes longer than ``seconds`` (scaled)."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout(seconds))
        except TimeoutError:
            future.cancel()
            raise AssertionError(f"gave up after {timeout(seconds):.0f} s") from None

    def close(self) -> None:
        """Stop the loop and its thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout(10))
        if not self._thread.is_alive():
            self.loop.close()


class Observer:
    """A client that reads every frame, as a page does, and keeps the ticks it got."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ticks: list[tuple[str, int]] = []  # (snapshot or update, ts) of each frame
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                # The head of a frame (type, ts) is in its first bytes: no need to parse
                # a whole-city frame for it.
                frame = orjson.loads(msg.data) if len(msg.data) < 2000 else _head(msg.data)
                if frame["type"] in ("snapshot", "update"):
                    self.ticks.append((frame["type"], frame["ts"]))

    def missed(self, tick: float) -> list[str]:
        """What tells a missed tick (docs/protocol.md, ``update``): updates come without
        gaps, a client that missed frames gets a new snapshot. So: one snapshot first,
        then only updates, each about ``tick`` seconds after the one before."""
        problems: list[str] = []
        kinds = [k for k, _ in self.ticks]
        if not kinds or kinds[0] != "snapshot":
            problems.append(f"no snapshot first: {kinds[:3]}")
        if "snapshot" in kinds[1:]:
            problems.append(f"{kinds[1:].count('snapshot')} snapshots again (a resync)")
        gaps = [b - a for (_, a), (_, b) in itertools.pairwise(self.ticks)]
        late = [g for g in gaps if g >= 1.9 * tick * 1000]
        if late:
            problems.append(f"{len(late)} gaps of a missed tick: {late[:5]} ms")
        return problems


def _head(text: str) -> dict[str, Any]:
    """The ``type`` and ``ts`` of a snapshot or update frame, from its head."""
    end = text.index(',"parts":[')
    head: dict[str, Any] = orjson.loads(text[:end] + "}")
    return head


# Where the observers look: two phones in south Mumbai and a whole-city view.
OBSERVER_QUERIES = ("?bbox=72.80,18.90,72.84,18.94", "?bbox=72.82,18.92,72.86,18.96", "")


async def open_observers(url: str, http: aiohttp.ClientSession) -> list[Observer]:
    """Connect one observer per :data:`OBSERVER_QUERIES` to the server at ``url``, and
    wait until each has had a few ticks."""
    observers = [Observer(await http.ws_connect(url + "/ws" + q)) for q in OBSERVER_QUERIES]
    deadline = asyncio.get_running_loop().time() + timeout(30)
    while not all(len(o.ticks) >= 3 for o in observers):
        assert asyncio.get_running_loop().time() < deadline, "the observers got no ticks"
        await asyncio.sleep(0.05)
    return observers


async def close_observers(observers: list[Observer]) -> None:
    """Close the observers and wait until their readers have ended."""
    for o in observers:
        await o.ws.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(o.task, timeout(10))
