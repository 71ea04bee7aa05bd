"""Placing a real bus on the timetable: which run it is on, how far along, which stop is next.

Pure: the moment is a parameter. A simulated bus knows its run and its distance along the
trip; a real one only says where it is (and perhaps its trip or route). :class:`Placer`
works out the rest, so that the predictor learns from real buses as from simulated ones:

- **On a known trip** (the report's ``trip_id``, or the one its device is bound to): the
  position is projected onto the trip's path (its shape, or its stops joined up). A path
  that passes the spot twice (a loop, an out-and-back leg) gives two candidates; the one
  that does not go backwards from the bus's last placement wins, else the one nearest the
  timetable. The run (service day and start, frequencies included) is the one whose
  scheduled position there is nearest in time.
- **On a route only** (``route_id``, with GTFS-rt's ``direction_id`` when given): every stop
  pattern of the route (in that direction) with a run near now is tried; of the patterns
  that pass within :data:`MAX_OFF_PATH_M` (and within :data:`PATTERN_SLACK_M` of the
  nearest), the run nearest its timetable at that spot is chosen. Once placed, a bus keeps
  its run while it keeps to its path and does not go backwards.
- Farther than :data:`MAX_OFF_PATH_M` from every path: not placed (the bus is still shown,
  with what its report says, but makes no predictions).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from bustrack.gtfs.model import Shape, Trip
from bustrack.gtfs.project import ShapeIndex
from bustrack.sources.simulation import Path, Timetable

__all__ = ["MAX_OFF_PATH_M", "PATTERN_SLACK_M", "Placement", "Placer"]

MAX_OFF_PATH_M = 150.0  # farther from a trip's path than this: not on that trip
PATTERN_SLACK_M = 50.0  # patterns this much farther than the nearest are not considered
BACK_SLACK_M = 60.0  # a report may fall this far behind the last one (GPS noise)
EARLY_S = 30 * 60  # a bus may be on its run this long before the run's departure...
LATE_S = 3 * 3600  # ...and this long after its scheduled arrival at the end


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a real bus is on the timetable.

    ``distance`` is metres from the trip's first stop along its path; ``next_stop`` the
    index of the next stop (the stop it is at, when at one), as
    :class:`~bustrack.sources.simulation.Vehicle` has them. ``service_day`` and ``run_start`` name
    the run (None and 0 when no run of the trip is near now); ``off_path`` is how far the
    report lies from the path, in metres.
    """

    trip: Trip
    distance: float
    next_stop: int
    service_day: dt.date | None
    run_start: int
    off_path: float


class Placer:
    """Places reports on the trips of one timetable (paths are indexed on first use)."""

    def __init__(self, timetable: Timetable, max_off_path: float = MAX_OFF_PATH_M) -> None:
        """Place on ``timetable``'s trips; farther than ``max_off_path`` m is off a path."""
        self._timetable = timetable
        self._feed = timetable.feed
        self._max_off = max_off_path
        self._indexes: dict[str, ShapeIndex] = {}
        self._patterns: dict[tuple[str, int | None], list[list[Trip]]] = {}

    def on_trip(
        self,
        trip: Trip,
        lat: float,
        lon: float,
        moment: dt.datetime,
        before: Placement | None = None,
    ) -> Placement | None:
        """Place a report known to be on ``trip`` at ``moment`` (aware), or None if it is
        farther than the limit from the trip's path. ``before``: the bus's last placement."""
        options = self._along(trip, lat, lon)
        if not options:
            return None
        same = before is not None and before.trip.trip_id == trip.trip_id
        if same and before is not None:
            ahead = [o for o in options if o[0] >= before.distance - BACK_SLACK_M]
            options = ahead or options
        runs = list(self._runs(trip, moment))
        if same and before is not None and before.service_day is not None:
            kept = [r for r in runs if r[:2] == (before.service_day, before.run_start)]
            runs = kept or runs
        best: tuple[float, float, float, dt.date, int] | None = None
        for d, off in options:
            for day, start, t in runs:
                lag = abs(t - self._scheduled(trip, start, d))
                if best is None or (lag, off) < (best[0], best[1]):
                    best = (lag, off, d, day, start)
        if best is None:  # no run near now: placed on the path, not on a run
            d, off = min(options, key=lambda o: o[1])
            return Placement(trip, d, _next_stop(trip, d), None, 0, off)
        _, off, d, day, start = best
        if same and before is not None and (before.service_day, before.run_start) == (day, start):
            d = max(d, before.distance)  # GPS noise does not take a bus backwards on its run
        return Placement(trip, d, _next_stop(trip, d), day, start, off)

    def on_route(
        self,
        route_id: str,
        direction: int | None,
        lat: float,
        lon: float,
        moment: dt.datetime,
        before: Placement | None = None,
    ) -> Placement | None:
        """Place a report known only by its route (and perhaps direction), or None."""
        if before is not None and before.trip.route_id == route_id:
            kept = self.on_trip(before.trip, lat, lon, moment, before)
            if (
                kept is not None
                and kept.service_day is not None
                and kept.distance >= before.distance - BACK_SLACK_M
            ):
                return kept
        near: list[tuple[float, list[Trip]]] = []
        for pattern in self._route_patterns(route_id, direction):
            options = self._along(pattern[0], lat, lon)
            if options:
                near.append((min(off for _, off in options), pattern))
        if not near:
            return None
        nearest = min(off for off, _ in near)
        best: tuple[float, float, Placement] | None = None
        for off, pattern in near:
            if off > nearest + PATTERN_SLACK_M:
                continue
            for trip in pattern:
                placed = self.on_trip(trip, lat, lon, moment)
                if placed is None or placed.service_day is None:
                    continue
                lag = abs(
                    _seconds_into(self._timetable, placed.service_day, moment)
                    - self._scheduled(trip, placed.run_start, placed.distance)
                )
                if best is None or (lag, placed.off_path) < (best[0], best[1]):
                    best = (lag, placed.off_path, placed)
        return best[2] if best is not None else None

    # Paths and runs.

    def _along(self, trip: Trip, lat: float, lon: float) -> list[tuple[float, float]]:
        """``(distance along the trip, metres off its path)`` of each pass near the point."""
        path = self._timetable.path(trip)
        key = trip.shape_id if trip.shape_id in self._feed.shapes else f"stops/{trip.trip_id}"
        index = self._indexes.get(key)
        if index is None:
            index = self._indexes[key] = ShapeIndex(_as_shape(key, path))
        end = trip.distances[-1]
        out = []
        for position, off in index.candidates(lat, lon, self._max_off):
            d = position - path.offset
            if -BACK_SLACK_M <= d <= end + BACK_SLACK_M:
                out.append((min(max(d, 0.0), end), off))
        return out

    def _runs(self, trip: Trip, moment: dt.datetime) -> Iterator[tuple[dt.date, int, float]]:
        """``(service day, run start, seconds into that day)`` of each run of ``trip``
        that may be under way at ``moment``."""
        windows = self._feed.frequencies.get(trip.trip_id)
        duration = trip.end - trip.start
        for day, t in self._timetable.service_days(moment):
            if trip.service_id not in self._timetable.services(day):
                continue
            lo, hi = t - duration - LATE_S, t + EARLY_S  # run starts that fit
            if not windows:
                if lo <= trip.start <= hi:
                    yield day, trip.start, t
                continue
            for w in windows:
                first = max(w.start, w.start + -(-(lo - w.start) // w.headway) * w.headway)
                start = int(first)
                while start < w.end and start <= hi:
                    yield day, start, t
                    start += w.headway

    @staticmethod
    def _scheduled(trip: Trip, run_start: int, d: float) -> float:
        """When the run starting at ``run_start`` is scheduled ``d`` m along (day seconds)."""
        dist = trip.distances
        shift = run_start - trip.start
        i = bisect_right(dist, d) - 1
        if i < 0:
            return trip.departures[0] + shift
        if i >= len(dist) - 1:
            return trip.arrivals[-1] + shift
        span = dist[i + 1] - dist[i]
        f = (d - dist[i]) / span if span > 0 else 1.0
        dep, arr = trip.departures[i], trip.arrivals[i + 1]
        return dep + (arr - dep) * f + shift

    def _route_patterns(self, route_id: str, direction: int | None) -> list[list[Trip]]:
        """The route's trips (in ``direction``, if given), grouped by path."""
        key = (route_id, direction)
        found = self._patterns.get(key)
        if found is None:
            groups: dict[tuple[str | None, tuple[str, ...]], list[Trip]] = {}
            for trip in self._feed.trips.values():
                if trip.route_id != route_id:
                    continue
                if direction is not None and trip.direction_id not in (None, direction):
                    continue
                groups.setdefault((trip.shape_id, trip.stop_ids), []).append(trip)
            found = self._patterns[key] = list(groups.values())
        return found


def _next_stop(trip: Trip, d: float) -> int:
    """The index of the stop at or next after ``d`` m along the trip."""
    return min(bisect_left(trip.distances, d - 0.25), len(trip.distances) - 1)


def _seconds_into(timetable: Timetable, day: dt.date, moment: dt.datetime) -> float:
    for d, t in timetable.service_days(moment):
        if d == day:
            return t
    return 0.0


def _as_shape(key: str, path: Path) -> Shape:
    return Shape(key, path.lats, path.lons, path.distances)
