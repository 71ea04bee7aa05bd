"""How far loading a feed has got: the events the builder reports, and their arithmetic.

Pure; no I/O and no clock. :func:`~bustrack.gtfs.build.build_feed` accepts a
callback and calls it with :class:`Progress` events as it works; what to do with
them (a bar on a terminal, a few log lines) is the caller's business (see
:mod:`bustrack.web.progress`).

The work of a load is measured in bytes: each file weighs its size, and building
the trips from their stop times (after ``stop_times.txt`` is parsed) weighs half
the size of ``stop_times.txt``, about its share of the time on big feeds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

__all__ = ["DONE", "TRIPS", "Progress", "ProgressCallback", "ProgressTracker"]

TRIPS = "trips"  # the step that builds trips from their stop times
DONE = "done"  # the step of the last event, sent once the feed is built


class Progress(NamedTuple):
    """One progress event.

    Attributes:
        step: what is being done: a file being parsed (``"stop_times.txt"``),
            :data:`TRIPS` while trips are built, :data:`DONE` at the end.
        done: how much of the step is done, in ``unit``.
        total: the size of the step, in ``unit``.
        unit: ``"bytes"`` for a file, ``"trips"`` for building trips.
        fraction: how much of the whole load is done, 0.0 to 1.0.
    """

    step: str
    done: int
    total: int
    unit: str
    fraction: float


ProgressCallback = Callable[[Progress], None]


class ProgressTracker:
    """Turns per-step counts into :class:`Progress` events for a callback.

    Args:
        callback: receives every event.
        weights: each step's share of the whole load (in bytes); steps not named
            here weigh nothing.
    """

    __slots__ = ("_callback", "_done", "_sum", "_total", "_weights")

    def __init__(self, callback: ProgressCallback, weights: Mapping[str, int]) -> None:
        self._callback = callback
        self._weights = dict(weights)
        self._total = max(1, sum(self._weights.values()))
        self._done: dict[str, float] = {}
        self._sum = 0.0

    def update(self, step: str, done: int, total: int, unit: str = "bytes") -> None:
        """Report that ``done`` of ``total`` units of ``step`` are done."""
        weight = self._weights.get(step, 0)
        share = weight * min(done, total) / total if total > 0 else float(weight)
        self._sum += share - self._done.get(step, 0.0)
        self._done[step] = share
        self._callback(Progress(step, done, total, unit, min(1.0, self._sum / self._total)))

    def finish(self) -> None:
        """Send the last event: step :data:`DONE`, fraction 1.0."""
        self._callback(Progress(DONE, self._total, self._total, "bytes", 1.0))
