"""What the buses' AVL units do wrong: now and then one stops reporting for a while.

Pure and deterministic: whether and when a run's unit goes silent is fixed by the
model's seed and the run (trip, service day, scheduled start), never by a clock
or global random state. The simulator uses it to freeze a bus's reported position
at the start of its silence (see :func:`bustrack.sources.simulation.locate_vehicles`);
the server then greys it after ``--stale-after`` and drops it after
``--drop-after``, as it would a real bus whose unit failed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

__all__ = ["DropoutModel", "silence"]


@dataclass(frozen=True, slots=True)
class DropoutModel:
    """How often and how long AVL units go silent.

    ``rate`` is the share of runs whose unit goes silent once, somewhere along the
    run; the silence lasts between ``min_s`` and ``max_s`` seconds (log-uniform,
    so most are short and some outlast the server's drop-after).
    """

    seed: int = 1
    rate: float = 0.03
    min_s: float = 30.0
    max_s: float = 420.0


def _unit(*parts: object) -> float:
    text = "|".join(str(p) for p in parts).encode()
    return (int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big") + 0.5) / 2.0**64


def silence(
    model: DropoutModel,
    trip_id: str,
    day: dt.date,
    run_start: int,
    begin: float,
    end: float,
) -> tuple[float, float] | None:
    """Return when the run's unit is silent, ``(from, until)``, or None if it never is.

    Args:
        model: the dropout model.
        trip_id, day, run_start: the run.
        begin, end: when the run is under way, in any time base; the result is in
            the same base, starting within the run.
    """
    run = (model.seed, trip_id, day.isoformat(), run_start)
    if end <= begin or _unit("drop", *run) >= model.rate:
        return None
    start = begin + (end - begin) * _unit("at", *run)
    lo, hi = math.log(model.min_s), math.log(model.max_s)
    return start, start + math.exp(lo + (hi - lo) * _unit("len", *run))
