"""The :class:`Predictor`: each tick's reports in, every bus's arrivals and the stops'
boards out.

Pure: no I/O and no clock; every time is a parameter, in Unix seconds. Between two
reports of a bus, the stops it reached and left get arrival and departure times, by
sharing out the elapsed time in proportion to the expected running and dwell times (at
1-s reports this is exact to a second); those events teach the history
(:mod:`~bustrack.live.predictions.history`) and score the kept predictions
(:mod:`~bustrack.live.predictions.calibration`). Asking is answered from the forecasts
(:mod:`~bustrack.live.predictions.forecast`) and, for the runs not yet under way, the
timetable (:mod:`~bustrack.live.predictions.schedule`).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections.abc import Iterable
from operator import itemgetter

from bustrack.gtfs.model import Feed
from bustrack.live.predictions.calibration import CAL_EDGES, Calibration
from bustrack.live.predictions.forecast import Forecaster
from bustrack.live.predictions.history import History
from bustrack.live.predictions.model import Arrival, Eta, Observation, PredictorConfig
from bustrack.live.predictions.schedule import Schedule
from bustrack.live.predictions.trips import Bus, Candidate, RunKey, TripIndex, TripInfo, fraction

__all__ = ["Predictor"]

_AT_STOP_M = 0.5  # a report this close to a stop's distance is at the stop
_NONE, _ARR, _DEP = 0, 1, 2  # what ends a piece of the time between two reports


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
        index = TripIndex(feed)
        self._trips = index.trips
        self._serving = index.serving
        typical = index.typical_dwell_s
        self.dwell_prior_s = min(c.dwell_cap_s, typical) if typical is not None else c.dwell_cap_s
        self._history = History(index, c, self.dwell_prior_s)
        self._forecaster = Forecaster(self._history)
        self._calibration = Calibration(c)
        self._schedule = Schedule(feed, c.max_wait_s)
        self._buses: dict[str, Bus] = {}
        self._by_trip: dict[str, dict[str, None]] = {}  # ordered sets
        self._runs: dict[RunKey, str] = {}
        self._done: dict[RunKey, float] = {}
        self.now = 0.0  # the last tick's time

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
        self._calibration.keep_for_checking(self._buses.values(), now_ts, self._forecaster.forecast)

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
        forecast = self._forecaster.forecast
        return sum(len(forecast(bus).eta) for bus in self._buses.values())

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
        cands: list[Candidate] = []
        hi = now_ts + within_s
        serving = self._serving.get(stop_id, ())
        forecast = self._forecaster.forecast
        cal = self._calibration.factors
        for info, k in serving:
            for vid in self._by_trip.get(info.trip.trip_id, ()):
                bus = self._buses[vid]
                if bus.n > k:
                    continue
                f = forecast(bus)
                eta = f.eta[k - f.first]
                if eta <= hi:
                    sd = f.raw[k - f.first] * cal[bisect_right(CAL_EDGES, eta - self.now)]
                    cands.append((eta, info.trip.trip_id, info, k, vid, bus.day, bus.run_start, sd))
        schedule = self._schedule
        days = schedule.days_around(now_ts)
        for info, k in serving:
            schedule.scheduled_at(info, k, now_ts, hi, days, self._runs, self._done, cands)
        out = []
        for eta, trip_id, info, k, bus_id, day, run_start, sd in heapq.nsmallest(
            limit, cands, key=itemgetter(0, 1)
        ):
            trip = info.trip
            scheduled = schedule.day_start(day) + run_start + info.off_arr[k]
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

    # The buses' events between two reports.

    def _start(self, v: Observation, info: TripInfo, ts: float, n: int, at_stop: bool) -> Bus:
        old = self._buses.pop(v.vehicle_id, None)
        if old is not None:
            self._finish(old)
        assert v.service_day is not None
        base = self._schedule.day_start(v.service_day) + v.run_start
        bus = Bus(v.vehicle_id, info, v.service_day, v.run_start, base, ts, v.distance, n, at_stop)
        if at_stop:
            if n == 0:
                bus.arr_ts = ts
        elif n == 1 and v.distance - info.dist[0] < 1.0:
            bus.dep_ts, bus.dep_sd = ts, 1.0
        self._buses[v.vehicle_id] = bus
        self._by_trip.setdefault(info.trip.trip_id, {})[v.vehicle_id] = None
        self._runs[(bus.day, info.trip.trip_id, bus.run_start)] = v.vehicle_id
        return bus

    def _finish(self, bus: Bus) -> None:
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
            f = fraction(bus)
            if f >= 0.5:
                run = (bus.t - bus.dep_ts) / f
                self._history.learn_run(bus, last - 1, run, bus.dep_sd + 0.2 * run * (1 - f), bus.t)

    def _advance(self, bus: Bus, ts: float, d: float, n: int, at_stop: bool) -> None:
        info = bus.info
        history = self._history
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
            rest = history.dwell_mean_now(info.stop[k]) - gone if k > 0 else 0.0
            pieces.append((max(0.0, rest), _DEP, k))
        else:
            k, f0 = bus.n - 1, fraction(bus)
        f1 = 0.0
        if not at_stop:
            span = info.dist[n] - info.dist[n - 1] if n > 0 else 0.0
            f1 = (d - info.dist[n - 1]) / span if span > 0 else 1.0
        last = len(info.dist) - 1
        while True:
            expected = history.expected_run(bus, k)
            if not at_stop and n - 1 == k:
                pieces.append((max(0.0, f1 - f0) * expected, _NONE, k))
                break
            pieces.append(((1.0 - f0) * expected, _ARR, k + 1))
            if k + 1 >= last or (at_stop and n == k + 1):
                if at_stop:
                    pieces.append((0.5 * history.dwell_mean_now(info.stop[k + 1]), _NONE, k + 1))
                break
            pieces.append((history.dwell_mean_now(info.stop[k + 1]), _DEP, k + 1))
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
                    self._calibration.check(bus, stop, clock)
                if not math.isnan(bus.dep_ts):
                    history.learn_run(bus, stop - 1, clock - bus.dep_ts, bus.dep_sd + sd, clock)
                bus.arr_ts = clock
            elif kind == _DEP:
                if not math.isnan(bus.arr_ts) and 0 < stop < last:
                    history.learn_dwell(bus, stop, bus.arr_ts, clock, sd)
                bus.dep_ts, bus.dep_sd = clock, sd
                bus.arr_ts = math.nan
        bus.t, bus.d, bus.n, bus.at_stop = ts, d, n, at_stop

    # Forecasts as asked for.

    def _etas(self, bus: Bus, through: int | None) -> list[Eta]:
        """Return the bus's forecast as :class:`Eta` s, up to stop ``through``."""
        f = self._forecaster.forecast(bus)
        info = bus.info
        stop_ids = info.trip.stop_ids
        base, off_arr = bus.base, info.off_arr
        cal, now = self._calibration.factors, self.now
        end = len(f.eta) if through is None else max(0, min(len(f.eta), through - f.first + 1))
        out = []
        for i in range(end):
            k = f.first + i
            eta = f.eta[i]
            sd = f.raw[i] * cal[bisect_right(CAL_EDGES, eta - now)]
            out.append(Eta(k, stop_ids[k], eta, sd, base + off_arr[k], f.dep[i]))
        return out

    def _new_tick(self, now: float) -> None:
        """Forget what was memoised for the previous tick."""
        self.now = now
        self._history.new_tick(now)
        self._forecaster.new_tick()
