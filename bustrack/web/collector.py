"""Garbage collection between ticks, not in the middle of one.

With thousands of WebSockets open, the process tracks hundreds of thousands of
objects (aiohttp's per-connection coroutines, tasks, futures), and a full
collection takes hundreds of milliseconds. Left automatic, it fires whenever
allocations trip it, often between a tick's time stamp and its sends, and every
client's frame waits (bench/ws_gc.py measured 400-640 ms pauses there at 10,000
clients). The server process (:func:`bustrack.web.serve.serve`) therefore turns
automatic collection off, and the ticker collects right after each fan-out, in
the idle time before the next tick: the young generations every tick, everything
every ``full_every`` ticks.
"""

from __future__ import annotations

import gc

__all__ = ["TickCollector"]


class TickCollector:
    """Collects garbage after a tick's frames are out, when automatic GC is off."""

    def __init__(self, full_every: int = 30) -> None:
        """Collect everything every ``full_every`` ticks, the young generations otherwise."""
        self.full_every = full_every
        self.ticks = 0

    def after_tick(self) -> int | None:
        """Collect, if automatic collection is off; return the generation collected (or None)."""
        if gc.isenabled():
            return None  # the interpreter collects by itself (tests, embedding)
        self.ticks += 1
        generation = 2 if self.ticks % self.full_every == 0 else 1
        gc.collect(generation)
        return generation
