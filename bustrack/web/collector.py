"""Garbage collection between ticks, not in the middle of one.

With thousands of WebSockets open, the process tracks hundreds of thousands of
objects (aiohttp's per-connection coroutines, tasks, futures), and a full
collection takes hundreds of milliseconds. Left automatic, it fires whenever
allocations trip it, often between a tick's time stamp and its sends, and every
client's frame waits (bench/ws_gc.py measured 400-640 ms pauses there at 10,000
clients). The server process (:func:`bustrack.web.serve.serve`) therefore turns
automatic collection off, and the ticker collects right after each fan-out, in
the idle time before the next tick: the young generations every tick, everything
every ``full_every`` ticks (10 minutes at a tick a second) -- and sooner after many
clients have left, but not more often than every ``min_gap`` ticks (a storm of
disconnections does not collect every tick).

A full collection walks every live object, about 60 per open connection: 0.8 s of CPU
at 15,000 clients. In steady state it finds nothing (a full collection after 90 s with
2,000 clients freed 0 objects: what the ticks build dies young or by reference
counting), so it runs rarely, as a safety net. Closed connections used to leave
reference cycles that only a full collection frees (10,000 of them held about 550,000
objects, and the one collection that freed them took 0.8-1.6 s, a missed tick for every
client); :mod:`bustrack.web.cycles` now cuts those cycles as each connection ends, so
the early collection after many have left is a backstop for cycles a later aiohttp or
asyncio may bring.
"""

from __future__ import annotations

import gc

__all__ = ["TickCollector"]


class TickCollector:
    """Collects garbage after a tick's frames are out, when automatic GC is off."""

    def __init__(self, full_every: int = 600, departed_limit: int = 500, min_gap: int = 5) -> None:
        """Collect everything every ``full_every`` ticks, or once at least
        ``departed_limit`` clients, and at least as many as remain, have left since the
        last full collection (at least ``min_gap`` ticks after it); the young
        generations otherwise."""
        self.full_every = full_every
        self.departed_limit = departed_limit
        self.min_gap = min_gap
        self.since_full = 0  # ticks

    def after_tick(self, departed: int = 0, clients: int = 0) -> int | None:
        """Collect, if automatic collection is off; return the generation collected (or None).

        Args:
            departed: how many clients have left since the last full collection.
            clients: how many are connected now. Only a departure of at least as many
                as remain counts as many: the collection's time grows with those that
                remain, and ordinary comings and goings among many clients would
                otherwise trigger it every few minutes.
        """
        if gc.isenabled():
            return None  # the interpreter collects by itself (tests, embedding)
        self.since_full += 1
        many_left = departed >= max(self.departed_limit, clients)
        full = self.since_full >= self.full_every or (many_left and self.since_full >= self.min_gap)
        generation = 2 if full else 1
        gc.collect(generation)
        if full:
            self.since_full = 0
        return generation
