"""The forecast of a bus under way: its arrival and departure at every stop ahead.

Pure: the moment is the history's (:meth:`~bustrack.live.predictions.history.History.new_tick`).
The deviation is carried forward (OneBusAway's rule) through the expected running
times: each stop's arrival is the previous departure plus the segment's expected
running time; the departure is the arrival plus the expected boarding time, but never
before the scheduled departure (a bus does not leave early), so the timetable's slack
absorbs delay, and spread with it. The spread is what the levels do not know
(correlated along the trip: adds up linearly) plus each segment's and stop's own noise
(adds in quadrature), before calibration (:mod:`bustrack.live.predictions.calibration`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bustrack.live.predictions.history import History
from bustrack.live.predictions.trips import Bus, fraction

__all__ = ["Forecast", "Forecaster"]


@dataclass(slots=True)
class Forecast:
    """A bus's forecast from stop ``first`` on: arrivals, spreads before calibration, departures.

    Plain lists of floats rather than one object per stop: a tick makes tens of
    thousands of them, and floats do not wake the garbage collector.
    """

    first: int
    eta: list[float]
    raw: list[float]
    dep: list[float]


class Forecaster:
    """Every bus's forecast from what ``history`` expects, each made once per tick."""

    def __init__(self, history: History) -> None:
        """Forecast with ``history``'s expectations (and its configuration)."""
        self.history = history
        self._forecasts: dict[str, Forecast] = {}

    def new_tick(self) -> None:
        """Forget the previous tick's forecasts."""
        self._forecasts = {}

    def forecast(self, bus: Bus) -> Forecast:
        """Return the bus's forecast at every stop ahead (memoised until the next tick)."""
        found = self._forecasts.get(bus.vehicle_id)
        if found is not None:
            return found
        history = self.history
        config = history.config
        info = bus.info
        run, seg, stop, off_dep = info.run, info.seg, info.stop, info.off_dep
        base = bus.base
        last = len(info.dist) - 1
        now = max(history.now, bus.t)
        hold = config.hold
        run_noise = history.run_noise
        dwell_var = history.dwell_noise
        fade_time = config.area_time_s
        local_var = config.area_var + config.segment_var
        g, pg = history.network_now
        level = g + history.own_pace(bus)
        local_now, dwell_now = history.local_now, history.dwell_now
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
            f = fraction(bus)
            loc, vloc = history.local(seg[j])
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
                    dwell = history.dwell_mean_now(stop[k])
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
            loc, vloc = local_now.get(seg[k]) or history.local(seg[k])
            fade = exp((now - dep) / fade_time)
            expected = run[k] * exp(level + loc * fade)
            corr += expected * sqrt(pg + vloc * fade * fade + local_var * (1.0 - fade * fade))
            ind += expected * expected * run_noise
            eta = dep + expected
            k += 1
        found = self._forecasts[bus.vehicle_id] = Forecast(n, etas, raws, deps)
        return found
