"""The timetable's fallback: runs not yet under way, at their scheduled time.

Pure: times are parameters. A stop's board (:meth:`~bustrack.live.predictions.Predictor.
arrivals_at`) lists the runs no bus has been seen on beside the live predictions:
due at their scheduled time, or, if that has passed (by at most ``max_wait_s``), the
earliest they can still come (leaving their first stop now), marked not live.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Container, Sequence

from bustrack.gtfs.model import Feed, Frequency, Trip
from bustrack.gtfs.service import service_day_start, services_on
from bustrack.live.predictions.trips import Candidate, RunKey, TripInfo

__all__ = ["Schedule", "run_starts"]


class Schedule:
    """``feed``'s service days and runs, with each day's start and services kept."""

    def __init__(self, feed: Feed, max_wait_s: float) -> None:
        """The runs of ``feed``; a run late by more than ``max_wait_s`` is not waited for."""
        self.feed = feed
        self.max_wait_s = max_wait_s
        self._tz = feed.timezone
        self._day_starts: dict[dt.date, float] = {}
        self._services: dict[dt.date, frozenset[str]] = {}

    def days_around(self, now_ts: float) -> list[dt.date]:
        """Return the service days whose runs may be due around ``now_ts`` (Unix s)."""
        local = dt.datetime.fromtimestamp(now_ts, _zone(self._tz)).date()
        return [local + dt.timedelta(days=b) for b in (1, 0, -1, -2)]

    def scheduled_at(
        self,
        info: TripInfo,
        k: int,
        now: float,
        hi: float,
        days: list[dt.date],
        under_way: Container[RunKey],
        done: Container[RunKey],
        out: list[Candidate],
    ) -> None:
        """Add to ``out`` the runs of ``info``'s trip due at its stop ``k`` before ``hi``
        on ``days``, but those ``under_way`` or ``done`` (seen finishing)."""
        trip = info.trip
        lo = now - self.max_wait_s
        windows = self.feed.frequencies.get(trip.trip_id)
        off = info.off_arr[k]
        for day in days:
            if trip.service_id not in self.services_on(day):
                continue
            day_start = self.day_start(day)
            # Run starts s with day_start + s in [lo, hi - off].
            for s in run_starts(trip, windows, lo - day_start, hi - day_start - off):
                key = (day, trip.trip_id, s)
                if key in under_way or key in done:
                    continue
                eta = max(day_start + s + off, now + off)
                if eta <= hi:
                    out.append((eta, trip.trip_id, info, k, None, day, s, 0.0))

    def day_start(self, day: dt.date) -> float:
        """Return when service day ``day`` starts (noon minus 12 h), Unix s."""
        found = self._day_starts.get(day)
        if found is None:
            found = service_day_start(day, self._tz).timestamp()
            self._day_starts[day] = found
        return found

    def services_on(self, day: dt.date) -> frozenset[str]:
        """Return the service ids that run on ``day``."""
        found = self._services.get(day)
        if found is None:
            if len(self._services) > 64:
                self._services.clear()
            found = self._services[day] = services_on(self.feed, day)
        return found


def run_starts(trip: Trip, windows: Sequence[Frequency] | None, lo: float, hi: float) -> list[int]:
    """Scheduled starts (service-day s) of ``trip``'s runs within [lo, hi]."""
    if not windows:
        return [trip.start] if lo <= trip.start <= hi else []
    out: list[int] = []
    for w in windows:
        if w.headway <= 0:
            continue
        s = w.start + max(0, math.ceil((lo - w.start) / w.headway)) * w.headway
        while s < w.end and s <= hi:
            out.append(s)
            s += w.headway
    return out


def _zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
