"""Vehicles running a GTFS timetable: where every bus is at a given moment.

Pure: no I/O and no clock. The caller passes the moment as an aware
:class:`datetime.datetime`; the same feed and moment always give the same vehicles.

A trip runs along its path (the feed's shape when it has one, else straight lines
from stop to stop) at the speed its stop times imply, dwelling at each stop from
arrival to departure. Trips listed in ``frequencies.txt`` run once per headway
within each window; the others run once at their stop times. Service days come
from calendar + calendar_dates, and times past 24:00 belong to the previous
service day.

With a :class:`~bustrack.sources.traffic.TrafficModel` (``Timetable(feed, traffic=...)``)
runs do not keep to the timetable: each run moves along its *actual* stop times
(late starts, slow segments, stop-dependent dwells; see :mod:`bustrack.sources.traffic`),
and is under way from its actual departure to its actual arrival. A
:class:`Vehicle` carries only what a bus's AVL unit would report (position,
distance along the trip, next stop, run and time stamp); the actual stop times are
the truth that predictions are scored against, and only :func:`true_stop_times`
hands them out (to benchmarks and tests, never to :mod:`bustrack.live.predictions`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bustrack.geo import point_along, segment_bearings
from bustrack.gtfs.model import Feed, Trip
from bustrack.gtfs.service import service_day_start, services_on
from bustrack.sources.avl import DropoutModel, silence
from bustrack.sources.traffic import RunTimes, Traffic, TrafficModel

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


@dataclass(slots=True)
class Vehicle:
    """One bus at one moment (not to be changed: not frozen only because a frozen
    dataclass takes twice as long to build, and thousands are built every tick).

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
    occupancy: str = ""  # an OccupancyStatus a source reported ("" unknown or simulated)
    speed: float | None = None  # m/s, as a real bus's unit reported it (None: not reported)


@dataclass(frozen=True, slots=True)
class Path:
    """The polyline a trip runs along, with metres from its start to each point.

    ``offset`` is where the trip's first stop lies along the polyline (a trip may
    start part-way along a shared shape); ``bearings`` are its segments' bearings.
    """

    lats: array[float]
    lons: array[float]
    distances: array[float]
    bearings: array[float]
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


WINDOW = 60  # seconds: Timetable._under_way_soon lists the runs of one such stretch


@dataclass(slots=True)
class _Candidate:
    """One run that may be under way: what locating its bus each tick needs.

    The run is under way while ``begin <= t + shift <= end``, ``t`` being
    service-day seconds; ``arrivals`` and ``departures`` are in that same
    time base (``t + shift``), and so is ``gap``, when its unit is silent.
    """

    begin: float
    end: float
    shift: float
    trip: Trip
    day: dt.date
    start: int
    vehicle_id: str
    path: Path
    arrivals: Sequence[float]
    departures: Sequence[float]
    gap: tuple[float, float] | None


class Timetable:
    """A feed indexed for fast lookups of vehicles at a moment.

    Build it once per feed; :func:`locate_vehicles` then costs about two binary
    searches and one interpolation per running vehicle. The runs that may be under
    way are listed once a minute (:meth:`_under_way_soon`), and each run's actual
    stop times (with traffic) and silences are worked out once, when it is first listed.
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
        self._shape_bearings: dict[str, array[float]] = {}
        self._runs: list[_Run] = []
        # Per service day: the minute listed, and its runs by (trip id, start).
        self._minute: dict[dt.date, tuple[int, dict[tuple[str, int], _Candidate]]] = {}
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

    def path(self, trip: Trip) -> Path:
        """Return (and cache) the polyline trip ``trip`` runs along."""
        found = self._paths.get(trip.trip_id)
        if found is not None:
            return found
        shape_id = trip.shape_id
        shape = self.feed.shapes.get(shape_id) if shape_id else None
        if shape_id and shape is not None and len(shape.lats) >= 2:
            bearings = self._shape_bearings.get(shape_id)
            if bearings is None:
                bearings = array("d", segment_bearings(shape.lats, shape.lons))
                self._shape_bearings[shape_id] = bearings
            found = Path(shape.lats, shape.lons, shape.distances, bearings, trip.shape_offset)
        else:
            stops = [self.feed.stops[s] for s in trip.stop_ids]
            lats = array("d", (s.lat for s in stops))
            lons = array("d", (s.lon for s in stops))
            found = Path(lats, lons, trip.distances, array("d", segment_bearings(lats, lons)))
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
        return self.runs_between(day, t, t, overrun=overrun)

    def runs_between(
        self, day: dt.date, t0: float, t1: float, *, overrun: bool = False
    ) -> list[tuple[Trip, int]]:
        """Return ``(trip, run_start)`` of every run scheduled under way at some moment
        from ``t0`` to ``t1`` s into ``day`` (both included); ``overrun`` as in :meth:`runs_at`.
        """
        services = self.services(day)
        out: list[tuple[Trip, int]] = []
        hi = bisect_right(self._run_firsts, t1)
        for run in self._runs[:hi]:
            if run.trip.service_id not in services:
                continue
            span = run.duration + run.overrun if overrun else run.duration
            if run.last_start + span < t0:
                continue
            if run.starts:
                out.extend((run.trip, s) for s in run.starts if s <= t1 and t0 <= s + span)
            elif run.headway == 0:
                out.append((run.trip, run.first_start))
            else:
                k_lo = max(0, math.ceil((t0 - span - run.first_start) / run.headway))
                k_hi = int((min(t1, run.last_start) - run.first_start) // run.headway)
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

    def _under_way_soon(self, day: dt.date, t: float) -> Iterable[_Candidate]:
        """Return the runs of ``day`` that may be under way in the minute holding ``t``.

        Listed once per minute (:data:`WINDOW`) and service day; a run still listed from
        the minute before is reused, so its actual stop times and silences are worked
        out once per run, not once per minute. Only the current minute is kept.
        """
        w = int(t // WINDOW)
        before, runs = self._minute.get(day, (None, {}))
        if before == w:
            return runs.values()
        fresh: dict[tuple[str, int], _Candidate] = {}
        traffic = self.traffic is not None
        for trip, start in self.runs_between(day, w * WINDOW, (w + 1) * WINDOW, overrun=traffic):
            key = (trip.trip_id, start)
            fresh[key] = runs.get(key) or self._candidate(trip, day, start)
        # Forget service days no longer asked about (a day ends, a clock jumps).
        near = range(-self.days_back, self.days_back + 1)
        keep = {day - dt.timedelta(days=back) for back in near}
        for gone in [d for d in self._minute if d not in keep]:
            del self._minute[gone]
        self._minute[day] = (w, fresh)
        return fresh.values()

    def _candidate(self, trip: Trip, day: dt.date, start: int) -> _Candidate:
        """Work out once what :func:`locate_vehicles` needs each tick about one run."""
        repeated = trip.trip_id in self.feed.frequencies
        if self.traffic is not None:
            # Actual times, in service-day seconds.
            times = self.traffic.run_times(trip, day, start)
            arr: Sequence[float] = times.arrivals
            dep: Sequence[float] = times.departures
            shift = 0.0
        else:
            # The trip's own timetable, which the run follows from ``start``.
            arr, dep, shift = trip.arrivals, trip.departures, float(trip.start - start)
        gap = None
        if self.dropouts is not None:
            gap = silence(self.dropouts, trip.trip_id, day, start, dep[0], arr[-1])
        return _Candidate(
            begin=dep[0],
            end=arr[-1],
            shift=shift,
            trip=trip,
            day=day,
            start=start,
            vehicle_id=f"{trip.trip_id}@{start}" if repeated else trip.trip_id,
            path=self.path(trip),
            arrivals=arr,
            departures=dep,
            gap=gap,
        )

    def _compute_run_times(self, trip: Trip, day: dt.date, run_start: int) -> RunTimes:
        if self.traffic is not None:
            return self.traffic.run_times(trip, day, run_start)
        shift = run_start - trip.start
        return RunTimes(
            array("d", (a + shift for a in trip.arrivals)),
            array("d", (d + shift for d in trip.departures)),
            0.0,
        )


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
    arr: Sequence[float], dep: Sequence[float], dist: Sequence[float], tau: float
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
    for day, t in timetable.service_days(moment):
        for c in timetable._under_way_soon(day, t):
            at = t + c.shift
            if not c.begin <= at <= c.end or c.vehicle_id in seen:
                continue
            reported = stamp
            gap = c.gap
            if gap is not None and gap[0] <= at < gap[1]:
                # The unit is silent: the last report stands, from the start of the gap.
                reported = stamp - (at - gap[0])
                at = gap[0]
            trip = c.trip
            d, next_stop = _position(c.arrivals, c.departures, trip.distances, at)
            path = c.path
            lat, lon, bearing = point_along(
                path.lats, path.lons, path.distances, path.offset + d, path.bearings
            )
            seen.add(c.vehicle_id)
            out.append(
                Vehicle(
                    c.vehicle_id,
                    trip.trip_id,
                    trip.route_id,
                    trip.headsign,
                    lat,
                    lon,
                    bearing,
                    d,
                    next_stop,
                    day,
                    c.start,
                    reported,
                )
            )
    return out


def true_stop_times(
    timetable: Timetable, trip_id: str, service_day: dt.date, run_start: int
) -> RunTimes:
    """Return the actual stop times of one run: the truth predictions are scored against.

    For benchmarks and tests only: :mod:`bustrack.live.predictions` never calls it.
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
