"""Which day partition a report goes to, and which partitions a prune drops: pure logic.

The PostgreSQL store (:mod:`bustrack.store.postgres`) range-partitions ``reports`` on
``ts_ms``, one partition per UTC day, named ``reports_dYYYYMMDD``. A prune drops every
partition that ends at or before the cut whole (no row-by-row delete, no bloat) and
deletes rows only in the one partition the cut falls in. No I/O here: names and bounds in,
names and bounds out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["DAY_MS", "Partition", "partition_for", "partitions_for", "to_drop"]

DAY_MS = 86_400_000
PREFIX = "reports_d"
_NAME = re.compile(rf"^{PREFIX}(\d{{8}})$")


@dataclass(frozen=True, slots=True)
class Partition:
    """One day of reports: rows with ``start_ms <= ts_ms < end_ms``, in table ``name``."""

    name: str
    start_ms: int
    end_ms: int


def partition_for(ts_ms: int) -> Partition:
    """The partition holding a report taken at ``ts_ms`` (Unix ms; UTC days)."""
    start = ts_ms - ts_ms % DAY_MS  # floors negative times too
    day = dt.datetime.fromtimestamp(start / 1000, dt.UTC)
    return Partition(f"{PREFIX}{day:%Y%m%d}", start, start + DAY_MS)


def partitions_for(ts_ms: Iterable[int]) -> set[Partition]:
    """Every partition that reports taken at ``ts_ms`` need."""
    return {partition_for(t) for t in {t - t % DAY_MS for t in ts_ms}}


def parse(name: str) -> Partition | None:
    """The partition a table named ``name`` is, or None if it is not one of ours."""
    match = _NAME.match(name)
    if match is None:
        return None
    try:
        day = dt.datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    return partition_for(round(day.timestamp() * 1000))


def to_drop(names: Iterable[str], before_ms: int) -> list[Partition]:
    """The partitions among ``names`` whose every row is older than ``before_ms``, oldest
    first (the tables a prune to ``before_ms`` drops whole)."""
    parts = (parse(n) for n in names)
    return sorted(
        (p for p in parts if p is not None and p.end_ms <= before_ms), key=lambda p: p.start_ms
    )
