"""Plain counters that the ticks and the ingest requests bump, for /readyz and /metrics.

Bumping one costs an attribute increment or one call per tick (never per client): the
readers (:mod:`bustrack.web.health`, :mod:`bustrack.web.metrics`) turn them into answers
at request time. Nothing here does I/O or reads a clock: the callers pass the moments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

__all__ = ["IngestCounts", "TickObserver", "TickStats", "ingest_counts_key", "tick_stats_key"]

# Called once per tick with its duration, its lag and its fan-out time, in seconds.
TickObserver = Callable[[float, float, float], None]


@dataclass(slots=True)
class TickStats:
    """What the ticker did last; moments are the event loop's clock (``loop.time()``)."""

    ticks: int = 0
    last_end: float | None = None  # when the last tick ended
    observers: list[TickObserver] = field(default_factory=list)

    def record(self, started: float, due: float, fanout: float, ended: float) -> None:
        """Count one tick that was due at ``due``, started at ``started`` and ended at
        ``ended``, of which ``fanout`` seconds went to writing frames to the clients."""
        self.ticks += 1
        self.last_end = ended
        lag = max(0.0, started - due)
        for observe in self.observers:
            observe(ended - started, lag, fanout)


@dataclass(slots=True)
class IngestCounts:
    """Reports taken in by ``/api/ingest*``, and what was refused, by reason.

    Reasons of single reports are :attr:`bustrack.sources.checks.Refused.kind`
    (``field``, ``future``, ``old``, ``no_fix``, ``area``, ``jump``, ``device``) and count
    reports; those of whole requests (``token``, ``body``, ``too_large``) count requests.
    """

    accepted: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    last_accepted: float | None = None  # time.time() of the last accepted report

    def accept(self, reports: int, now: float) -> None:
        """Count ``reports`` accepted at Unix time ``now``."""
        if reports:
            self.accepted += reports
            self.last_accepted = now


tick_stats_key = web.AppKey("tick_stats", TickStats)
ingest_counts_key = web.AppKey("ingest_counts", IngestCounts)
