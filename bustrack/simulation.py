"""Vehicles running a GTFS timetable: where every bus is at a given moment.

Pure: no I/O and no clock. The caller passes the moment as an aware
:class:`datetime.datetime`; the same feed and moment always give the same vehicles.

A trip runs along its path (the feed's shape when it has one, else straight lines
from stop to stop) at the speed its stop times imply, dwelling at each stop from
arrival to departure. Trips listed in ``frequencies.txt`` run once per headway
within each window; the others run once at their stop times. Service days come
from calendar + calendar_dates, and times past 24:00 belong to the previous
service day.

With a :class:`~bustrack.traffic.TrafficModel` (``Timetable(feed, traffic=...)``)
runs do not keep to the timetable: each run moves along its *actual* stop times
(late starts, slow segments, stop-dependent dwells; see :mod:`bustrack.traffic`),
and is under way from its actual departure to its actual arrival. A
:class:`Vehicle` carries only what a bus's AVL unit would report (position,
distance along the trip, next stop, run and time stamp); the actual stop times are
the truth that predictions are scored against, and only :func:`true_stop_times`
hands them out (to benchmarks and tests, never to :mod:`bustrack.predictions`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from bustrack.avl import DropoutModel, silence
from bustrack.geo import point_along
from bustrack.gtfs.model import Feed, Trip
from bustrack.gtfs.service import service_day_start, services_on
from bustrack.traffic import RunTimes, Traffic, TrafficModel

__all__ = [
    "Path",
    "Timetable",
    "Vehicle",
    "busiest_time",
    "count_active",
    "locate_vehicles",
    "true_stop_times",
]

DAY = 86_400


@dataclass(frozen=True, slots=True)
class Vehicle:
    """One bus at one moment.

    ``vehicle_id`` is stable for one run of one trip: the trip id, plus ``@`` and
    the run's start (service-day seconds) for trips repeated by frequencies.
    ``distance`` is metres travelled along the trip's path; ``next_stop`` the index
    of the next stop in the trip's stop list (the stop it dwells at, if dwelling).
    ``service_day`` and ``run_start`` (service-day seconds of the run's scheduled
    departure) name the run, as a GTFS-rt trip descriptor's start date and time
    do; ``timestamp`` is the moment of the report, in Unix seconds. All three are
    set by :func:`locate_vehicles`.
    """

    vehicle_id: str
    trip_id: str
    route_id: str
    headsign: str
    lat: float
    lon: float
    bearing: float
    distance: float
    next_stop: int
    service_day: dt.date | None = None
    run_start: int = 0
    timestamp: float = 0.0


@dataclass(frozen=True, slots=True)
class Path:
    """The polyline a trip runs along, with metres from its start to each point.

    ``offset`` is where the trip's first stop lies along the polyline (a trip may
    start part-way along a shared shape).
    """

    lats: array[float]
    lons: array[float]
    distances: array[float]
    offset: float = 0.0


@dataclass(frozen=True, slots=True)
class _Run:
    """How a trip runs on a service day: when its runs start, and how long each lasts."""

    trip: Trip
    first_start: int
    last_start: int
    headway: int  # 0 for a trip that runs once
    duration: int
    starts: tuple[int, ...]  # explicit run starts (several frequency windows)
    overrun: int = 0  # how much later than scheduled a run may end, with traffic


class Timetable:
    """A feed indexed for fast lookups of vehicles at a moment.

    Build it once per feed; :func:`locate_vehicles` then costs about one binary
    search and one interpolation per running vehicle (plus, with traffic, one
    computation of each run's actual stop times, memoised while it runs).
    """

    def __init__(
        self,
        feed: Feed,
        traffic: TrafficModel | None = None,
        dropouts: DropoutModel | None = None,
    ) -> None:
        """Index ``feed``: paths per trip and run windows per trip.

        Args:
            feed: the GTFS feed.
            traffic: simulated traffic; None (the default) runs the timetable exactly.
            dropouts: AVL units that now and then stop reporting; None: never.
        """
        self.feed = feed
        self.timezone = feed.timezone
        self.traffic = Traffic(feed, traffic) if traffic is not None else None
        self.dropouts = dropouts
        self._paths: dict[str, Path] = {}
        self._runs: list[_Run] = []
        self._actual: dict[tuple[dt.date, str, int], tuple[RunTimes, int]] = {}
        self._gaps: dict[tuple[dt.date, str, int], tuple[tuple[float, float] | None, int]] = {}
        self._sweep_at = 1000
        longest = 0
        for trip in feed.trips.values():
            run = _make_run(trip, feed)
            if run is None:
                continue
            if self.traffic is not None:
                run = dataclasses.replace(run, overrun=math.ceil(self.traffic.max_overrun(trip)))
            self._runs.append(run)
            longest = max(longest, run.last_start + run.duration + run.overrun)
        self._runs.sort(key=lambda r: r.first_start)
        self._run_firsts = [r.first_start for r in self._runs]
        # How many service days before today can still have vehicles running.
        self.days_back = max(0, math.ceil(longest / DAY) - 1)
        self._services_cache: dict[dt.date, frozenset[str]] = {}
        self._run_index: dict[str, _Run] = {}

    def path(self, trip: Trip) -> Path:
        """Return (and cache) the polyline trip ``trip`` runs along."""
        found = self._paths.get(trip.trip_id)
        if found is not None:
            return found
        shape = self.feed.shapes.get(trip.shape_id) if trip.shape_id else None
        if shape is not None and len(shape.lats) >= 2:
            found = Path(shape.lats, shape.lons, shape.distances, trip.shape_offset)
        else:
            stops = [self.feed.stops[s] for s in trip.stop_ids]
            found = Path(
                array("d", (s.lat for s in stops)),
                array("d", (s.lon for s in stops)),
                trip.distances,
            )
        self._paths[trip.trip_id] = found
        return found

    def services(self, day: dt.date) -> frozenset[str]:
        """Return the service ids active on ``day`` (cached)."""
        found = self._services_cache.get(day)
        if found is None:
            found = services_on(self.feed, day)
            self._services_cache[day] = found
        return found

    def runs_at(self, day: dt.date, t: float, *, overrun: bool = False) -> list[tuple[Trip, int]]:
        """Return ``(trip, run_start)`` of every run scheduled under way ``t`` s into ``day``.

        With ``overrun``, also the runs that traffic may still keep under way past
        their scheduled end (a superset of the runs actually under way).
        """
        services = self.services(day)
        out: list[tuple[Trip, int]] = []
        hi = bisect_right(self._run_firsts, t)
        for run in self._runs[:hi]:
            if run.trip.service_id not in services:
                continue
            span = run.duration + run.overrun if overrun else run.duration
            if run.last_start + span < t:
                continue
            if run.starts:
                out.extend((run.trip, s) for s in run.starts if s <= t <= s + span)
            elif run.headway == 0:
                out.append((run.trip, run.first_start))
            else:
                k_lo = max(0, math.ceil((t - span - run.first_start) / run.headway))
                k_hi = int((min(t, run.last_start) - run.first_start) // run.headway)
                for k in range(k_lo, k_hi + 1):
                    out.append((run.trip, run.first_start + k * run.headway))
        return out

    def service_days(self, moment: dt.datetime) -> list[tuple[dt.date, float]]:
        """Return ``(service_day, seconds_into_it)`` for each day that may run at ``moment``."""
        local = moment.astimezone(_zone(self.timezone))
        today = local.date()
        out = []
        for back in range(self.days_back + 1):
            day = today - dt.timedelta(days=back)
            t = (moment - service_day_start(day, self.timezone)).total_seconds()
            out.append((day, t))
        return out

    def _run_times(self, trip: Trip, day: dt.date, run_start: int) -> RunTimes:
        """Return the actual stop times of a run (memoised while the run may be under way).

        Without traffic these are the scheduled times shifted to ``run_start``.
        """
        key = (day, trip.trip_id, run_start)
        found = self._actual.get(key)
        if found is not None:
            return found[0]
        times = self._compute_run_times(trip, day, run_start)
        run = self._run_of(trip)
        self._actual[key] = (times, run_start + run.duration + run.overrun)
        return times

    def _silence(
        self, trip: Trip, day: dt.date, run_start: int, begin: float, end: float
    ) -> tuple[float, float] | None:
        """Return when the run's AVL unit is silent (see :func:`bustrack.avl.silence`).

        Memoised per run like :meth:`_run_times`: ``begin`` and ``end`` are the same
        for every call about one run, and hashing the run each tick cost a fifth of
        :func:`locate_vehicles`.
        """
        key = (day, trip.trip_id, run_start)
        found = self._gaps.get(key)
        if found is not None:
            return found[0]
        assert self.dropouts is not None
        gap = silence(self.dropouts, trip.trip_id, day, run_start, begin, end)
        run = self._run_of(trip)
        self._gaps[key] = (gap, run_start + run.duration + run.overrun)
        return gap

    def _sweep_run_times(self, days: list[tuple[dt.date, float]]) -> None:
        """Forget memoised runs no longer needed, once the memos have doubled in size.

        Args:
            days: ``(service_day, seconds_into_it)`` of the current moment.
        """
        size = len(self._actual) + len(self._gaps)
        if size > self._sweep_at:
            self._forget_runs_before(days)
            self._sweep_at = 2 * (len(self._actual) + len(self._gaps)) + 1000

    def _forget_runs_before(self, days: list[tuple[dt.date, float]]) -> None:
        """Drop memoised run times of runs that can no longer be under way.

        Args:
            days: ``(service_day, seconds_into_it)`` of the current moment (from
                :meth:`service_days`); runs of other days are dropped too.
        """
        now = dict(days)
        _forget_stale(self._actual, now)
        _forget_stale(self._gaps, now)

    def _compute_run_times(self, trip: Trip, day: dt.date, run_start: int) -> RunTimes:
        if self.traffic is not None:
            return self.traffic.run_times(trip, day, run_start)
        shift = run_start - trip.start
        return RunTimes(
            array("d", (a + shift for a in trip.arrivals)),
            array("d", (d + shift for d in trip.departures)),
            0.0,
        )

    def _run_of(self, trip: Trip) -> _Run:
        index = self._run_index
        if not index:
            index.update((r.trip.trip_id, r) for r in self._runs)
        return index[trip.trip_id]


_Memo = TypeVar("_Memo")


def _forget_stale(
    memo: dict[tuple[dt.date, str, int], tuple[_Memo, int]], now: dict[dt.date, float]
) -> None:
    """Drop a per-run memo's entries whose run (day, trip, start) has ended by ``now``."""
    stale = [key for key, (_, last) in memo.items() if key[0] not in now or last < now[key[0]] - 1]
    for key in stale:
        del memo[key]


def _zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _make_run(trip: Trip, feed: Feed) -> _Run | None:
    duration = trip.end - trip.start
    windows = feed.frequencies.get(trip.trip_id, ())
    if not windows:
        return _Run(trip, trip.start, trip.start, 0, duration, ())
    if len(windows) == 1:
        w = windows[0]
        if w.headway <= 0 or w.end <= w.start:
            return None
        last = w.start + ((w.end - 1 - w.start) // w.headway) * w.headway
        return _Run(trip, w.start, last, w.headway, duration, ())
    starts: list[int] = []
    for w in windows:
        if w.headway > 0:
            starts.extend(range(w.start, w.end, w.headway))
    if not starts:
        return None
    starts.sort()
    return _Run(trip, starts[0], starts[-1], 0, duration, tuple(starts))


def _position(
    arr: array[int] | array[float], dep: array[int] | array[float], dist: array[float], tau: float
) -> tuple[float, int]:
    """Return ``(distance, next_stop)`` at time ``tau`` for a run with these stop times."""
    i = bisect_right(dep, tau) - 1
    if i < 0:
        return dist[0], 0
    if i >= len(dep) - 1:
        return dist[-1], len(dep) - 1
    if tau < arr[i + 1]:
        span = arr[i + 1] - dep[i]
        f = (tau - dep[i]) / span if span > 0 else 1.0
        return dist[i] + (dist[i + 1] - dist[i]) * f, i + 1
    return dist[i + 1], i + 1  # dwelling at stop i + 1


def _vehicle(
    timetable: Timetable,
    trip: Trip,
    run_start: int,
    day: dt.date,
    position: tuple[float, int],
    repeated: bool,
    timestamp: float,
) -> Vehicle:
    """Return the vehicle of the run of ``trip`` that started at ``run_start``, at ``position``."""
    d, next_stop = position
    path = timetable.path(trip)
    lat, lon, bearing = point_along(path.lats, path.lons, path.distances, path.offset + d)
    vid = f"{trip.trip_id}@{run_start}" if repeated else trip.trip_id
    return Vehicle(
        vehicle_id=vid,
        trip_id=trip.trip_id,
        route_id=trip.route_id,
        headsign=trip.headsign,
        lat=lat,
        lon=lon,
        bearing=bearing,
        distance=d,
        next_stop=next_stop,
        service_day=day,
        run_start=run_start,
        timestamp=timestamp,
    )


def locate_vehicles(timetable: Timetable, moment: dt.datetime) -> list[Vehicle]:
    """Return every vehicle running at ``moment`` (an aware datetime), with its position.

    A run is under way from its departure at the first stop to its arrival at
    the last stop, both included: scheduled ones without traffic, actual ones
    with it.
    """
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    out: list[Vehicle] = []
    seen: set[str] = set()
    stamp = moment.timestamp()
    frequencies = timetable.feed.frequencies
    traffic = timetable.traffic is not None
    days = timetable.service_days(moment)
    for day, t in days:
        for trip, start in timetable.runs_at(day, t, overrun=traffic):
            arr: Sequence[float]
            dep: Sequence[float]
            if traffic:
                rt = timetable._run_times(trip, day, start)
                arr, dep, at = rt.arrivals, rt.departures, t
                if not dep[0] <= at <= arr[-1]:
                    continue
            else:
                # The moment in the trip's own timetable.
                arr, dep, at = trip.arrivals, trip.departures, t - start + trip.start
            reported = stamp
            if timetable.dropouts is not None:
                gap = timetable._silence(trip, day, start, dep[0], arr[-1])
                if gap is not None and gap[0] <= at < gap[1]:
                    # The unit is silent: the last report stands, from the start of the gap.
                    reported = stamp - (at - gap[0])
                    at = gap[0]
            position = _position(arr, dep, trip.distances, at)
            repeated = trip.trip_id in frequencies
            v = _vehicle(timetable, trip, start, day, position, repeated, reported)
            if v.vehicle_id in seen:
                continue
            seen.add(v.vehicle_id)
            out.append(v)
    timetable._sweep_run_times(days)
    return out


def true_stop_times(
    timetable: Timetable, trip_id: str, service_day: dt.date, run_start: int
) -> RunTimes:
    """Return the actual stop times of one run: the truth predictions are scored against.

    For benchmarks and tests only: :mod:`bustrack.predictions` never calls it.
    Times are service-day seconds of ``service_day``.
    """
    trip = timetable.feed.trips[trip_id]
    return timetable._compute_run_times(trip, service_day, run_start)


def count_active(timetable: Timetable, day: dt.date, t: float) -> int:
    """Return how many runs of ``day``'s service (and earlier days') are under way at ``t``."""
    total = 0
    for back in range(timetable.days_back + 1):
        total += len(timetable.runs_at(day - dt.timedelta(days=back), t + back * DAY))
    return total


def busiest_time(timetable: Timetable, day: dt.date, step: int = 300) -> tuple[int, int]:
    """Return ``(seconds_into_day, vehicles)`` at the busiest moment of ``day``.

    Samples every ``step`` seconds over the 24 hours of the service day and
    returns the earliest sample with the most vehicles running (0 vehicles if
    ``day`` has no service at all).
    """
    best_t, best_n = 0, 0
    for t in range(0, DAY, step):
        n = count_active(timetable, day, t)
        if n > best_n:
            best_t, best_n = t, n
    return best_t, best_n
