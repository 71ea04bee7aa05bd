"""Arrival predictions: when each bus will reach each stop still ahead of it.

Pure: no I/O and no clock; every time is a parameter, in Unix seconds. The
:class:`Predictor` knows the schedule (a :class:`~bustrack.gtfs.model.Feed`) and
what buses report, one tick after another (:class:`Observation`: run, distance
along the trip, next stop, time stamp: what an AVL unit sends). It never sees how
the simulator really moves them; it does not even import the simulator.

How a prediction is made:

1. **Events.** Between two reports of a bus, the stops it reached and left get
   arrival and departure times, by sharing out the elapsed time in proportion to
   the expected running and dwell times (at 1-s reports this is exact to a second).
2. **History of running times** (TheTransitClock's idea). Each completed
   stop-to-stop segment gives a *log pace*, ``log(actual / scheduled running
   time)``. It updates three Kalman filters at once: the whole network, the area
   (a grid cell of about 1 km around the segment) and the segment itself, each an
   Ornstein-Uhlenbeck level that drifts back to its parent's when nobody has run
   there for a while (the segment's to the area's, the area's to the network's,
   the network's to the timetable's). The gain blends the last vehicle with
   what was known before, weighted by their variances. A bus's own pace so far on
   its trip (shrunk towards 0) is added to its own predictions.
3. **History of dwell times**: the same for the boarding time at each stop (the
   network's level starts at the feed's typical scheduled dwell, at most 30 s).
   A dwell that may include waiting for the scheduled departure is not learnt.
4. **Carry the deviation forward** (OneBusAway's rule), through the expected
   running times: from where the bus is, each stop's arrival is the previous
   departure plus the segment's expected running time; the departure is the
   arrival plus the expected boarding time, but never before the scheduled
   departure (a bus does not leave early). So a late bus stays late, except where
   the timetable's slack (scheduled dwell beyond the boarding time) absorbs it.
5. **Uncertainty**: what the filters do not know (correlated along the trip,
   so it adds up linearly) plus each segment's own noise (adds in quadrature);
   slack absorbs spread as it absorbs delay. Then it is calibrated: every
   ``calibrate_every_s`` each bus keeps a few of its predictions (1 to 40 min
   ahead), scores them when it reaches the stop, and the spread of each horizon
   band is scaled so that it matches the errors actually made there.

A stop's board (:meth:`Predictor.arrivals_at`) merges these live predictions with
the runs not yet under way, at their scheduled time, marked not live.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import math
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from statistics import median
from typing import NamedTuple, Protocol

from bustrack.gtfs.model import Feed, Frequency, Trip
from bustrack.gtfs.service import service_day_start, services_on

__all__ = [
    "Arrival",
    "Eta",
    "Observation",
    "Predictor",
    "PredictorConfig",
]

_CELL_DEG = 0.01  # area cells of about 1.1 km
# Uncertainty is calibrated separately for predictions this far ahead (s)...
_CAL_EDGES = (60.0, 180.0, 420.0, 900.0, 1800.0)
# ...from predictions kept about this far ahead.
_CHECK_AT = (60.0, 180.0, 420.0, 900.0, 1500.0, 2400.0)
_AT_STOP_M = 0.5  # a report this close to a stop's distance is at the stop


class Observation(Protocol):
    """What an AVL unit reports about a bus; :class:`bustrack.simulation.Vehicle` is one.

    ``service_day`` and ``run_start`` name the run (GTFS-rt's start date and
    time: service-day seconds of its scheduled first departure); ``distance`` is
    metres along the trip from its first stop; ``next_stop`` the index of the stop
    it is heading to or standing at; ``timestamp`` when it was there (Unix s).
    """

    @property
    def vehicle_id(self) -> str:
        """The vehicle's id."""

    @property
    def trip_id(self) -> str:
        """The GTFS trip it runs."""

    @property
    def service_day(self) -> dt.date | None:
        """The run's service date."""

    @property
    def run_start(self) -> int:
        """The run's scheduled first departure, service-day seconds."""

    @property
    def distance(self) -> float:
        """Metres along the trip from its first stop."""

    @property
    def next_stop(self) -> int:
        """Index of the stop it is heading to (or standing at)."""

    @property
    def timestamp(self) -> float:
        """When the report was made, Unix seconds (0: the tick's time)."""


class Eta(NamedTuple):
    """A predicted arrival of one run at one stop of its trip.

    Times are Unix seconds. ``uncertainty_s`` is one standard deviation.
    ``departure_ts`` is the predicted departure (the arrival at the last stop).
    A bus standing at the stop has its observed arrival as ``eta_ts``.
    A named tuple rather than a dataclass: tens of thousands are made each tick.
    """

    stop_index: int
    stop_id: str
    eta_ts: float
    uncertainty_s: float
    scheduled_ts: float
    departure_ts: float


@dataclass(frozen=True, slots=True)
class Arrival:
    """One bus expected at a stop: live (predicted) or not yet under way (scheduled).

    ``vehicle_id`` is None for a run not yet under way; its ``eta_ts`` is its
    scheduled time, or, if that has passed, the earliest it can still come
    (leaving its first stop now), and its ``uncertainty_s`` is 0: nothing is known.
    """

    vehicle_id: str | None
    trip_id: str
    route_id: str
    headsign: str
    stop_index: int
    service_day: dt.date
    run_start: int
    eta_ts: float
    uncertainty_s: float
    live: bool
    scheduled_ts: float


@dataclass(frozen=True, slots=True)
class PredictorConfig:
    """Tuning of the :class:`Predictor`; the defaults suit a city bus network.

    ``history`` off gives OneBusAway's rule alone (timetable running times,
    deviation carried forward and absorbed by slack). Time constants are how long
    a level takes to forget (fall back by 1/e to its parent) without new data;
    ``*_var`` are the levels' variances in log pace (running) or s² (dwell);
    ``run_noise_var`` and ``dwell_noise_var`` start the per-vehicle noise estimates,
    which then follow the observed innovations.
    """

    history: bool = True
    hold: bool = True
    network_time_s: float = 3 * 3600.0
    network_var: float = 0.3**2
    area_time_s: float = 3600.0
    area_var: float = 0.25**2
    segment_time_s: float = 3600.0
    segment_var: float = 0.15**2
    run_noise_var: float = 0.13**2
    own_prior_n: float = 4.0
    dwell_cap_s: float = 30.0
    dwell_network_var: float = 10.0**2
    dwell_stop_time_s: float = 3 * 3600.0
    dwell_stop_var: float = 8.0**2
    dwell_noise_var: float = 8.0**2
    noise_memory: float = 500.0
    calibrate_every_s: float = 120.0
    calibration_memory: float = 2000.0
    max_wait_s: float = 900.0
    forget_s: float = 6 * 3600.0


class _Levels:
    """Ornstein-Uhlenbeck levels with Kalman updates: mean, variance, time of last update."""

    __slots__ = ("p", "q", "t", "tau", "x")

    def __init__(self, n: int, tau: float, q: float, x0: float = 0.0) -> None:
        self.x = [x0] * n
        self.p = [q] * n
        self.t = [0.0] * n
        self.tau = tau
        self.q = q

    def add(self, x0: float = 0.0) -> int:
        self.x.append(x0)
        self.p.append(self.q)
        self.t.append(0.0)
        return len(self.x) - 1

    def at(self, i: int, ts: float, rest: float = 0.0) -> tuple[float, float]:
        """Return ``(mean, variance)`` of level ``i`` at ``ts``, drifting back to ``rest``."""
        dt_ = ts - self.t[i]
        if dt_ <= 0.0:
            return self.x[i], self.p[i]
        a = math.exp(-dt_ / self.tau)
        return rest + (self.x[i] - rest) * a, self.p[i] * a * a + self.q * (1.0 - a * a)

    def set(self, i: int, ts: float, x: float, p: float) -> None:
        self.x[i] = x
        self.p[i] = p
        self.t[i] = ts


@dataclass(slots=True)
class _TripInfo:
    """A trip's schedule as the predictor uses it (offsets from the trip's start)."""

    trip: Trip
    off_arr: list[float]
    off_dep: list[float]
    dist: list[float]
    run: list[float]  # scheduled running time of segment k (stop k to k + 1)
    seg: list[int]  # segment ids
    cell: list[int]  # area cell of each segment
    stop: list[int]  # stop ids (dwell index) of each stop


# A stop board's candidate: eta, trip id, trip, stop index, vehicle id (None: not under
# way), service day, run start, uncertainty.
_Candidate = tuple[float, str, "_TripInfo", int, str | None, dt.date, int, float]


@dataclass(slots=True)
class _Forecast:
    """A bus's forecast from stop ``first`` on: arrivals, spreads before calibration, departures.

    Plain lists of floats rather than one object per stop: a tick makes tens of
    thousands of them, and floats do not wake the garbage collector.
    """

    first: int
    eta: list[float]
    raw: list[float]
    dep: list[float]


@dataclass(slots=True)
class _Bus:
    """What the predictor knows of one vehicle under way."""

    vehicle_id: str
    info: _TripInfo
    day: dt.date
    run_start: int
    base: float  # Unix time of the run's scheduled first departure
    t: float
    d: float
    n: int
    at_stop: bool
    arr_ts: float = math.nan  # arrival at stop n (when at it)
    dep_ts: float = math.nan  # departure from stop n - 1 (when moving)
    dep_sd: float = 0.0
    own_sum: float = 0.0
    own_n: float = 0.0
    next_check: float = 0.0  # when to keep a few predictions to check them later
    pending: list[tuple[int, float, float, float]] = dataclasses.field(default_factory=list)


class Predictor:
    """Arrival predictions for every bus under way, refreshed by each tick's reports.

    Feed it each tick's whole fleet with :meth:`observe`; ask :meth:`predict` for
    a bus's stops ahead and :meth:`arrivals_at` for a stop's board. Memory is
    bounded: one small record per stop, segment, area cell and bus under way,
    plus the ids of runs finished in the last ``forget_s`` seconds.
    """

    def __init__(self, feed: Feed, config: PredictorConfig | None = None) -> None:
        """Index ``feed``'s schedule (trips, segments, stops); nothing is learnt yet."""
        self.feed = feed
        self.config = c = config or PredictorConfig()
        self._tz = feed.timezone
        self._trips: dict[str, _TripInfo] = {}
        self._seg_ids: dict[tuple[str, str], int] = {}
        self._cell_ids: dict[tuple[int, int], int] = {}
        self._stop_ids: dict[str, int] = {}
        self._network = _Levels(1, c.network_time_s, c.network_var)
        self._areas = _Levels(0, c.area_time_s, c.area_var)
        self._segments = _Levels(0, c.segment_time_s, c.segment_var)
        self._stops = _Levels(0, c.dwell_stop_time_s, c.dwell_stop_var)
        self._seg_cell: list[int] = []
        self._serving: dict[str, list[tuple[_TripInfo, int]]] = {}
        dwells: list[float] = []
        for trip in feed.trips.values():
            info = self._index_trip(trip)
            self._trips[trip.trip_id] = info
            for k, sid in enumerate(trip.stop_ids):
                self._serving.setdefault(sid, []).append((info, k))
            dwells.extend(info.off_dep[k] - info.off_arr[k] for k in range(1, len(info.dist) - 1))
        self.dwell_prior_s = min(c.dwell_cap_s, median(dwells)) if dwells else c.dwell_cap_s
        self._dwell = _Levels(1, c.network_time_s, c.dwell_network_var, self.dwell_prior_s)
        self._run_noise = c.run_noise_var
        self._dwell_noise = c.dwell_noise_var
        self._buses: dict[str, _Bus] = {}
        self._by_trip: dict[str, dict[str, None]] = {}  # ordered sets
        self._runs: dict[tuple[dt.date, str, int], str] = {}
        self._done: dict[tuple[dt.date, str, int], float] = {}
        self._day_starts: dict[dt.date, float] = {}
        self._services: dict[dt.date, frozenset[str]] = {}
        # Calibration of the uncertainty, per horizon band.
        bands = len(_CAL_EDGES) + 1
        self._cal = [1.0] * bands
        self._cal_e2 = [0.0] * bands
        self._cal_s2 = [0.0] * bands
        self._cal_n = [0] * bands
        # Memoised for the current tick.
        self.now = 0.0
        self._network_now = (0.0, c.network_var)
        self._local_now: dict[int, tuple[float, float]] = {}
        self._dwell_now: dict[int, float] = {}
        self._forecasts: dict[str, _Forecast] = {}

    # Public methods for feeding reports.

    def observe(self, vehicles: Iterable[Observation], now_ts: float) -> None:
        """Take one tick's reports of the whole fleet (buses missing from it have finished).

        Args:
            vehicles: every bus under way, as reported at this tick.
            now_ts: the tick's time, Unix seconds (reports without a time stamp
                are taken as made then).
        """
        self._new_tick(now_ts)
        seen: set[str] = set()
        for v in vehicles:
            info = self._trips.get(v.trip_id)
            if info is None or v.service_day is None:
                continue
            ts = v.timestamp or now_ts
            seen.add(v.vehicle_id)
            bus = self._buses.get(v.vehicle_id)
            n = min(max(0, v.next_stop), len(info.dist) - 1)
            at_stop = n == 0 or abs(v.distance - info.dist[n]) <= _AT_STOP_M
            if (
                bus is None
                or bus.info is not info
                or bus.run_start != v.run_start
                or bus.day != v.service_day
            ):
                bus = self._start(v, info, ts, n, at_stop)
                continue
            if ts > bus.t:
                self._advance(bus, ts, v.distance, n, at_stop)
        for vid in [vid for vid in self._buses if vid not in seen]:
            self._finish(self._buses.pop(vid))
        if len(self._done) > 4 * len(self._buses) + 1000:
            cutoff = now_ts - self.config.forget_s
            self._done = {k: t for k, t in self._done.items() if t >= cutoff}
        self._new_tick(now_ts)  # what was learnt shows from now on
        self._keep_for_checking(now_ts)

    # Public methods for asking.

    def vehicles(self) -> list[str]:
        """Return the ids of the buses under way (as of the last :meth:`observe`)."""
        return list(self._buses)

    def predict(self, vehicle_id: str, through: int | None = None) -> list[Eta]:
        """Return the bus's predicted arrivals at every stop still ahead, in order.

        The stop it stands at (if any) comes first, with its observed arrival.
        Predictions are as of the last :meth:`observe`. An unknown id gives [].

        Args:
            vehicle_id: the bus.
            through: stop index to stop at (default: the trip's last stop).
        """
        bus = self._buses.get(vehicle_id)
        if bus is None:
            return []
        return self._etas(bus, through)

    def refresh(self) -> int:
        """Forecast every bus under way now, rather than each on first demand.

        Returns:
            How many stop ETAs were forecast.
        """
        return sum(len(self._forecast(bus).eta) for bus in self._buses.values())

    def predict_all(self) -> dict[str, list[Eta]]:
        """Return :meth:`predict` for every bus under way, keyed by vehicle id."""
        return {vid: self._etas(bus, None) for vid, bus in self._buses.items()}

    def deviation(self, vehicle_id: str) -> float | None:
        """Return how late (s; negative: early) the bus is on its timetable where it is now."""
        bus = self._buses.get(vehicle_id)
        if bus is None:
            return None
        info = bus.info
        if bus.at_stop:
            late = bus.t - (bus.base + info.off_dep[bus.n])
            if not math.isnan(bus.arr_ts):
                late = max(late, bus.arr_ts - (bus.base + info.off_arr[bus.n]))
            return late
        j = bus.n - 1
        span = info.dist[j + 1] - info.dist[j]
        f = (bus.d - info.dist[j]) / span if span > 0 else 1.0
        scheduled = info.off_dep[j] + f * info.run[j]
        return bus.t - (bus.base + scheduled)

    def arrivals_at(
        self, stop_id: str, now_ts: float, limit: int = 10, within_s: float = 5400.0
    ) -> list[Arrival]:
        """Return the next buses at a stop, soonest first: live ones and scheduled ones.

        Args:
            stop_id: the stop.
            now_ts: the current time, Unix seconds (live predictions are as of the
                last :meth:`observe`).
            limit: at most this many arrivals.
            within_s: only arrivals expected before ``now_ts + within_s``.
        """
        # Candidates as plain tuples; only the ``limit`` soonest become Arrivals.
        cands: list[_Candidate] = []
        hi = now_ts + within_s
        serving = self._serving.get(stop_id, ())
        for info, k in serving:
            for vid in self._by_trip.get(info.trip.trip_id, ()):
                bus = self._buses[vid]
                if bus.n > k:
                    continue
                f = self._forecast(bus)
                eta = f.eta[k - f.first]
                if eta <= hi:
                    sd = f.raw[k - f.first] * self._cal[bisect_right(_CAL_EDGES, eta - self.now)]
                    cands.append((eta, info.trip.trip_id, info, k, vid, bus.day, bus.run_start, sd))
        local = dt.datetime.fromtimestamp(now_ts, _zone(self._tz)).date()
        days = [local + dt.timedelta(days=b) for b in (1, 0, -1, -2)]
        for info, k in serving:
            self._scheduled_at(info, k, now_ts, hi, days, cands)
        out = []
        for eta, trip_id, info, k, bus_id, day, run_start, sd in heapq.nsmallest(
            limit, cands, key=itemgetter(0, 1)
        ):
            trip = info.trip
            scheduled = self._day_start(day) + run_start + info.off_arr[k]
            out.append(
                Arrival(
                    bus_id,
                    trip_id,
                    trip.route_id,
                    trip.headsign,
                    k,
                    day,
                    run_start,
                    eta,
                    sd,
                    bus_id is not None,
                    scheduled,
                )
            )
        return out

    # Learning.

    def _start(self, v: Observation, info: _TripInfo, ts: float, n: int, at_stop: bool) -> _Bus:
        old = self._buses.pop(v.vehicle_id, None)
        if old is not None:
            self._finish(old)
        assert v.service_day is not None
        base = self._day_start(v.service_day) + v.run_start
        bus = _Bus(v.vehicle_id, info, v.service_day, v.run_start, base, ts, v.distance, n, at_stop)
        if at_stop:
            if n == 0:
                bus.arr_ts = ts
        elif n == 1 and v.distance - info.dist[0] < 1.0:
            bus.dep_ts, bus.dep_sd = ts, 1.0
        self._buses[v.vehicle_id] = bus
        self._by_trip.setdefault(info.trip.trip_id, {})[v.vehicle_id] = None
        self._runs[(bus.day, info.trip.trip_id, bus.run_start)] = v.vehicle_id
        return bus

    def _finish(self, bus: _Bus) -> None:
        info = bus.info
        tid = info.trip.trip_id
        ids = self._by_trip.get(tid)
        if ids is not None:
            ids.pop(bus.vehicle_id, None)
            if not ids:
                del self._by_trip[tid]
        key = (bus.day, tid, bus.run_start)
        self._runs.pop(key, None)
        self._done[key] = bus.t
        # The last segment ends as the bus vanishes: extrapolate it from the part seen.
        last = len(info.dist) - 1
        if bus.n == last and not bus.at_stop and not math.isnan(bus.dep_ts):
            f = self._fraction(bus)
            if f >= 0.5:
                run = (bus.t - bus.dep_ts) / f
                self._learn_run(bus, last - 1, run, bus.dep_sd + 0.2 * run * (1 - f), bus.t)

    def _advance(self, bus: _Bus, ts: float, d: float, n: int, at_stop: bool) -> None:
        info = bus.info
        if n < bus.n or (n == bus.n and d < bus.d - 1.0):  # went backwards: start afresh
            bus.t, bus.d, bus.n, bus.at_stop = ts, d, n, at_stop
            bus.arr_ts = bus.dep_ts = math.nan
            return
        if n == bus.n and at_stop == bus.at_stop:  # same segment, or same stop: no event
            bus.t, bus.d = ts, d
            return
        now = bus.t
        # The pieces between the two reports, with their expected durations.
        pieces: list[tuple[float, int, int]] = []  # (expected s, event kind, stop)
        if bus.at_stop:
            k, f0 = bus.n, 0.0
            gone = 0.0 if math.isnan(bus.arr_ts) else now - bus.arr_ts
            rest = self._dwell_mean_now(info.stop[k]) - gone if k > 0 else 0.0
            pieces.append((max(0.0, rest), _DEP, k))
        else:
            k, f0 = bus.n - 1, self._fraction(bus)
        f1 = 0.0
        if not at_stop:
            span = info.dist[n] - info.dist[n - 1] if n > 0 else 0.0
            f1 = (d - info.dist[n - 1]) / span if span > 0 else 1.0
        last = len(info.dist) - 1
        while True:
            expected = self._expected_run(bus, k)
            if not at_stop and n - 1 == k:
                pieces.append((max(0.0, f1 - f0) * expected, _NONE, k))
                break
            pieces.append(((1.0 - f0) * expected, _ARR, k + 1))
            if k + 1 >= last or (at_stop and n == k + 1):
                if at_stop:
                    pieces.append((0.5 * self._dwell_mean_now(info.stop[k + 1]), _NONE, k + 1))
                break
            pieces.append((self._dwell_mean_now(info.stop[k + 1]), _DEP, k + 1))
            k, f0 = k + 1, 0.0
        elapsed = ts - now
        total = sum(p[0] for p in pieces)
        sd = 0.3 * elapsed
        clock = now
        for i, (expected, kind, stop) in enumerate(pieces):
            share = expected / total if total > 0 else 1.0 / len(pieces)
            clock = ts if i == len(pieces) - 1 else clock + elapsed * share
            if kind == _ARR:
                if bus.pending:
                    self._check(bus, stop, clock)
                if not math.isnan(bus.dep_ts):
                    self._learn_run(bus, stop - 1, clock - bus.dep_ts, bus.dep_sd + sd, clock)
                bus.arr_ts = clock
            elif kind == _DEP:
                if not math.isnan(bus.arr_ts) and 0 < stop < last:
                    self._learn_dwell(bus, stop, bus.arr_ts, clock, sd)
                bus.dep_ts, bus.dep_sd = clock, sd
                bus.arr_ts = math.nan
        bus.t, bus.d, bus.n, bus.at_stop = ts, d, n, at_stop

    def _learn_run(self, bus: _Bus, k: int, run: float, sd: float, ts: float) -> None:
        info = bus.info
        scheduled = info.run[k]
        if not self.config.history or scheduled <= 0.0 or run <= 0.0:
            return
        y = math.log(max(run, 1.0) / scheduled)
        r = self._run_noise + (sd / scheduled) ** 2
        seg, cell = info.seg[k], info.cell[k]
        g, pg = self._network.at(0, ts)
        a, pa = self._areas.at(cell, ts)
        s, ps = self._segments.at(seg, ts)
        own = bus.own_sum / (bus.own_n + self.config.own_prior_n)
        e = y - own - (g + a + s)
        v = pg + pa + ps + r
        self._network.set(0, ts, g + pg / v * e, pg - pg * pg / v)
        self._areas.set(cell, ts, a + pa / v * e, pa - pa * pa / v)
        self._segments.set(seg, ts, s + ps / v * e, ps - ps * ps / v)
        w = 1.0 / self.config.noise_memory
        self._run_noise = max(0.002, (1 - w) * self._run_noise + w * (e * e - (pg + pa + ps)))
        bus.own_sum += y - (g + a + s)
        bus.own_n += 1.0

    def _learn_dwell(self, bus: _Bus, k: int, arr: float, dep: float, sd: float) -> None:
        if not self.config.history:
            return
        scheduled_dep = bus.base + bus.info.off_dep[k]
        if self.config.hold and dep <= scheduled_dep + max(3.0, 2 * sd):
            return  # it may have waited for its scheduled departure: not a boarding time
        stop = bus.info.stop[k]
        g, pg = self._dwell.at(0, dep, self.dwell_prior_s)
        s, ps = self._stops.at(stop, dep)
        e = dep - arr - (g + s)
        v = pg + ps + self._dwell_noise + sd * sd
        self._dwell.set(0, dep, g + pg / v * e, pg - pg * pg / v)
        self._stops.set(stop, dep, s + ps / v * e, ps - ps * ps / v)
        w = 1.0 / self.config.noise_memory
        self._dwell_noise = max(1.0, (1 - w) * self._dwell_noise + w * (e * e - (pg + ps)))

    # Estimates.

    def _expected_run(self, bus: _Bus, k: int) -> float:
        """Return the running time the bus is expected to take on its segment ``k`` now."""
        info = bus.info
        local, _ = self._local(info.seg[k])
        own = bus.own_sum / (bus.own_n + self.config.own_prior_n)
        return info.run[k] * math.exp(self._network_now[0] + local + own)

    def _dwell_mean(self, stop: int, ts: float) -> float:
        g, _ = self._dwell.at(0, ts, self.dwell_prior_s)
        s, _ = self._stops.at(stop, ts)
        return max(0.0, g + s)

    def _fraction(self, bus: _Bus) -> float:
        info = bus.info
        j = bus.n - 1
        if j < 0:
            return 0.0
        span = info.dist[j + 1] - info.dist[j]
        return min(1.0, max(0.0, (bus.d - info.dist[j]) / span)) if span > 0 else 1.0

    # Forecasting.

    def _etas(self, bus: _Bus, through: int | None) -> list[Eta]:
        """Return the bus's forecast as :class:`Eta` s, up to stop ``through``."""
        f = self._forecast(bus)
        info = bus.info
        stop_ids = info.trip.stop_ids
        base, off_arr = bus.base, info.off_arr
        cal, now = self._cal, self.now
        end = len(f.eta) if through is None else max(0, min(len(f.eta), through - f.first + 1))
        out = []
        for i in range(end):
            k = f.first + i
            eta = f.eta[i]
            sd = f.raw[i] * cal[bisect_right(_CAL_EDGES, eta - now)]
            out.append(Eta(k, stop_ids[k], eta, sd, base + off_arr[k], f.dep[i]))
        return out

    def _forecast(self, bus: _Bus) -> _Forecast:
        """Return the bus's forecast at every stop ahead (memoised until the next tick)."""
        found = self._forecasts.get(bus.vehicle_id)
        if found is not None:
            return found
        info = bus.info
        run, seg, stop, off_dep = info.run, info.seg, info.stop, info.off_dep
        base = bus.base
        last = len(info.dist) - 1
        now = max(self.now, bus.t)
        hold = self.config.hold
        run_noise = self._run_noise
        dwell_var = self._dwell_noise
        fade_time = self.config.area_time_s
        local_var = self.config.area_var + self.config.segment_var
        g, pg = self._network_now
        level = g + bus.own_sum / (bus.own_n + self.config.own_prior_n)
        local_now, dwell_now = self._local_now, self._dwell_now
        exp, sqrt = math.exp, math.sqrt
        etas: list[float] = []
        raws: list[float] = []
        deps: list[float] = []
        n = bus.n
        corr = 0.0  # what the filters do not know: adds up along the trip
        ind = 0.0  # each segment's and stop's own noise: adds in quadrature
        if bus.at_stop:
            eta = bus.t if math.isnan(bus.arr_ts) else bus.arr_ts
        else:
            j = n - 1
            f = self._fraction(bus)
            loc, vloc = self._local(seg[j])
            expected = run[j] * exp(level + loc)
            w = f if not math.isnan(bus.dep_ts) and f > 0.05 else 0.0
            seen = (bus.t - bus.dep_ts) / f if w > 0.0 else expected
            rest = (1.0 - f) * (w * seen + (1.0 - w) * expected)
            eta = max(now, bus.t + rest)
            unknown = (1.0 - f) * (1.0 - w) * expected
            corr = unknown * sqrt(pg + vloc)
            ind = unknown * unknown * run_noise
        k = n
        while True:
            etas.append(eta)
            raws.append(sqrt(corr * corr + ind))
            if k == last:
                deps.append(eta)
                break
            if k > 0:
                dwell = dwell_now.get(stop[k])
                if dwell is None:
                    dwell = self._dwell_mean_now(stop[k])
                dep = eta + dwell
                ind += dwell_var
            else:
                dep = eta
            if k == n and bus.at_stop and dep < now:
                dep = now
            floor = base + off_dep[k]
            if hold and dep < floor:  # slack: the bus waits for its scheduled departure
                total = sqrt(corr * corr + ind)
                left = total - (floor - dep)
                scale = left / total if left > 0.0 else 0.0
                corr *= scale
                ind *= scale * scale
                dep = floor
            deps.append(dep)
            # The local anomaly fades as the segment lies further ahead.
            loc, vloc = local_now.get(seg[k]) or self._local(seg[k])
            fade = exp((now - dep) / fade_time)
            expected = run[k] * exp(level + loc * fade)
            corr += expected * sqrt(pg + vloc * fade * fade + local_var * (1.0 - fade * fade))
            ind += expected * expected * run_noise
            eta = dep + expected
            k += 1
        found = self._forecasts[bus.vehicle_id] = _Forecast(n, etas, raws, deps)
        return found

    def _new_tick(self, now: float) -> None:
        """Forget what was memoised for the previous tick."""
        self.now = now
        self._network_now = self._network.at(0, now)
        self._local_now = {}
        self._dwell_now = {}
        self._forecasts = {}

    # Calibration of the uncertainty.

    def _keep_for_checking(self, now: float) -> None:
        """Keep a few of some buses' predictions, to score them when the bus gets there."""
        every = self.config.calibrate_every_s
        if every <= 0:
            return
        for bus in self._buses.values():
            if bus.next_check > now:
                continue
            if bus.next_check == 0.0:  # spread the buses over the period
                bus.next_check = now + (zlib.crc32(bus.vehicle_id.encode()) % 1000) / 1000 * every
                continue
            bus.next_check = now + every
            f = self._forecast(bus)
            kept = bus.pending
            etas = f.eta  # non-decreasing along the trip
            for target in _CHECK_AT:
                i = bisect_left(etas, now + target)
                if i > 0 and (
                    i == len(etas) or now + target - etas[i - 1] < etas[i] - now - target
                ):
                    i -= 1
                ahead = etas[i] - now
                if ahead <= 0 or abs(ahead - target) > 0.5 * target:
                    continue
                kept.append((f.first + i, etas[i], f.raw[i], now))
            if len(kept) > 40:
                del kept[: len(kept) - 40]

    def _check(self, bus: _Bus, stop: int, arrived: float) -> None:
        """Score the kept predictions of the bus's arrival at ``stop``; recalibrate."""
        kept = bus.pending
        w = 1.0 / self.config.calibration_memory
        for k, eta, raw, made in kept:
            if k != stop:
                continue
            b = bisect_right(_CAL_EDGES, eta - made)
            err = eta - arrived
            self._cal_e2[b] = (1 - w) * self._cal_e2[b] + w * err * err
            self._cal_s2[b] = (1 - w) * self._cal_s2[b] + w * raw * raw
            self._cal_n[b] += 1
            if self._cal_n[b] >= 30 and self._cal_s2[b] > 0:
                self._cal[b] = min(4.0, max(0.25, math.sqrt(self._cal_e2[b] / self._cal_s2[b])))
        bus.pending = [p for p in kept if p[0] > stop]

    def _local(self, seg: int) -> tuple[float, float]:
        """Return ``(mean, variance)`` of segment ``seg``'s area + segment levels now."""
        found = self._local_now.get(seg)
        if found is None:
            now = self.now
            a, pa = self._areas.at(self._seg_cell[seg], now)
            s, ps = self._segments.at(seg, now)
            found = self._local_now[seg] = (a + s, pa + ps)
        return found

    def _dwell_mean_now(self, stop: int) -> float:
        found = self._dwell_now.get(stop)
        if found is None:
            found = self._dwell_now[stop] = self._dwell_mean(stop, self.now)
        return found

    def _scheduled_at(
        self,
        info: _TripInfo,
        k: int,
        now: float,
        hi: float,
        days: list[dt.date],
        out: list[_Candidate],
    ) -> None:
        """Add the runs of ``info``'s trip due at its stop ``k`` and not yet under way."""
        trip = info.trip
        lo = now - self.config.max_wait_s
        windows = self.feed.frequencies.get(trip.trip_id)
        off = info.off_arr[k]
        for day in days:
            if trip.service_id not in self._services_on(day):
                continue
            day_start = self._day_start(day)
            # Run starts s with day_start + s in [lo, hi - off].
            for s in _run_starts(trip, windows, lo - day_start, hi - day_start - off):
                key = (day, trip.trip_id, s)
                if key in self._runs or key in self._done:
                    continue
                eta = max(day_start + s + off, now + off)
                if eta <= hi:
                    out.append((eta, trip.trip_id, info, k, None, day, s, 0.0))

    # Indexing and calendars.

    def _index_trip(self, trip: Trip) -> _TripInfo:
        stops = self.feed.stops
        start = trip.start
        off_arr = [float(a - start) for a in trip.arrivals]
        off_dep = [float(d - start) for d in trip.departures]
        run, seg, cell = [], [], []
        for k in range(len(trip.stop_ids) - 1):
            a, b = trip.stop_ids[k], trip.stop_ids[k + 1]
            run.append(off_arr[k + 1] - off_dep[k])
            sid = self._seg_ids.get((a, b))
            lat = (stops[a].lat + stops[b].lat) / 2
            lon = (stops[a].lon + stops[b].lon) / 2
            key = (math.floor(lat / _CELL_DEG), math.floor(lon / _CELL_DEG))
            cid = self._cell_ids.get(key)
            if cid is None:
                cid = self._cell_ids[key] = self._areas.add()
            if sid is None:
                sid = self._seg_ids[(a, b)] = self._segments.add()
                self._seg_cell.append(cid)
            seg.append(sid)
            cell.append(cid)
        stop = []
        for sid_ in trip.stop_ids:
            i = self._stop_ids.get(sid_)
            if i is None:
                i = self._stop_ids[sid_] = self._stops.add()
            stop.append(i)
        return _TripInfo(trip, off_arr, off_dep, list(trip.distances), run, seg, cell, stop)

    def _day_start(self, day: dt.date) -> float:
        found = self._day_starts.get(day)
        if found is None:
            found = service_day_start(day, self._tz).timestamp()
            self._day_starts[day] = found
        return found

    def _services_on(self, day: dt.date) -> frozenset[str]:
        found = self._services.get(day)
        if found is None:
            if len(self._services) > 64:
                self._services.clear()
            found = self._services[day] = services_on(self.feed, day)
        return found


_NONE, _ARR, _DEP = 0, 1, 2


def _run_starts(trip: Trip, windows: Sequence[Frequency] | None, lo: float, hi: float) -> list[int]:
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
