"""The history of running and dwell times: what the predictor learns, and what it
expects now.

Pure: times are parameters. Each completed stop-to-stop segment gives a *log pace*,
``log(actual / scheduled running time)``, that updates three levels at once (the whole
network, the segment's area cell and the segment itself, :class:`~bustrack.live.predictions.
levels.Levels`); a bus's own pace so far on its trip, shrunk towards 0, is added to its
own expectations. Each stop's boarding time is learnt likewise (network and stop), from
the typical scheduled dwell on. What the levels say is memoised for the current tick
(:meth:`History.new_tick`).
"""

from __future__ import annotations

import math

from bustrack.live.predictions.levels import Levels
from bustrack.live.predictions.model import PredictorConfig
from bustrack.live.predictions.trips import Bus, TripIndex

__all__ = ["History"]


class History:
    """The levels of running and dwell times, learnt from the buses' completed segments
    and stops."""

    def __init__(self, index: TripIndex, config: PredictorConfig, dwell_prior_s: float) -> None:
        """Levels for ``index``'s segments, cells and stops; dwells start at
        ``dwell_prior_s``."""
        c = self.config = config
        self.dwell_prior_s = dwell_prior_s
        self._seg_cell = index.seg_cell
        self._network = Levels(1, c.network_time_s, c.network_var)
        self._areas = Levels(index.cells, c.area_time_s, c.area_var)
        self._segments = Levels(index.segments, c.segment_time_s, c.segment_var)
        self._stops = Levels(index.stops, c.dwell_stop_time_s, c.dwell_stop_var)
        self._dwell = Levels(1, c.network_time_s, c.dwell_network_var, dwell_prior_s)
        self.run_noise = c.run_noise_var  # log pace², each segment's own
        self.dwell_noise = c.dwell_noise_var  # s², each stop's own
        # Memoised for the current tick.
        self.now = 0.0
        self.network_now = (0.0, c.network_var)
        self.local_now: dict[int, tuple[float, float]] = {}
        self.dwell_now: dict[int, float] = {}

    def new_tick(self, now: float) -> None:
        """Forget what was memoised for the previous tick; expect as of ``now``."""
        self.now = now
        self.network_now = self._network.at(0, now)
        self.local_now = {}
        self.dwell_now = {}

    # Learning.

    def learn_run(self, bus: Bus, k: int, run: float, sd: float, ts: float) -> None:
        """Learn that ``bus`` ran its segment ``k`` in ``run`` s (± ``sd``), ending at ``ts``."""
        info = bus.info
        scheduled = info.run[k]
        if not self.config.history or scheduled <= 0.0 or run <= 0.0:
            return
        y = math.log(max(run, 1.0) / scheduled)
        r = self.run_noise + (sd / scheduled) ** 2
        seg, cell = info.seg[k], info.cell[k]
        g, pg = self._network.at(0, ts)
        a, pa = self._areas.at(cell, ts)
        s, ps = self._segments.at(seg, ts)
        own = self.own_pace(bus)
        e = y - own - (g + a + s)
        v = pg + pa + ps + r
        self._network.set(0, ts, g + pg / v * e, pg - pg * pg / v)
        self._areas.set(cell, ts, a + pa / v * e, pa - pa * pa / v)
        self._segments.set(seg, ts, s + ps / v * e, ps - ps * ps / v)
        w = 1.0 / self.config.noise_memory
        self.run_noise = max(0.002, (1 - w) * self.run_noise + w * (e * e - (pg + pa + ps)))
        bus.own_sum += y - (g + a + s)
        bus.own_n += 1.0

    def learn_dwell(self, bus: Bus, k: int, arr: float, dep: float, sd: float) -> None:
        """Learn that ``bus`` stood at its stop ``k`` from ``arr`` to ``dep`` (± ``sd``)."""
        if not self.config.history:
            return
        scheduled_dep = bus.base + bus.info.off_dep[k]
        if self.config.hold and dep <= scheduled_dep + max(3.0, 2 * sd):
            return  # it may have waited for its scheduled departure: not a boarding time
        stop = bus.info.stop[k]
        g, pg = self._dwell.at(0, dep, self.dwell_prior_s)
        s, ps = self._stops.at(stop, dep)
        e = dep - arr - (g + s)
        v = pg + ps + self.dwell_noise + sd * sd
        self._dwell.set(0, dep, g + pg / v * e, pg - pg * pg / v)
        self._stops.set(stop, dep, s + ps / v * e, ps - ps * ps / v)
        w = 1.0 / self.config.noise_memory
        self.dwell_noise = max(1.0, (1 - w) * self.dwell_noise + w * (e * e - (pg + ps)))

    # Expectations.

    def own_pace(self, bus: Bus) -> float:
        """Return the bus's own log pace so far on its trip, shrunk towards 0."""
        return bus.own_sum / (bus.own_n + self.config.own_prior_n)

    def expected_run(self, bus: Bus, k: int) -> float:
        """Return the running time the bus is expected to take on its segment ``k`` now."""
        info = bus.info
        local, _ = self.local(info.seg[k])
        return info.run[k] * math.exp(self.network_now[0] + local + self.own_pace(bus))

    def dwell_mean(self, stop: int, ts: float) -> float:
        """Return the expected boarding time (s) at stop ``stop`` (dwell index) at ``ts``."""
        g, _ = self._dwell.at(0, ts, self.dwell_prior_s)
        s, _ = self._stops.at(stop, ts)
        return max(0.0, g + s)

    def dwell_mean_now(self, stop: int) -> float:
        """Return :meth:`dwell_mean` now (memoised for the tick)."""
        found = self.dwell_now.get(stop)
        if found is None:
            found = self.dwell_now[stop] = self.dwell_mean(stop, self.now)
        return found

    def local(self, seg: int) -> tuple[float, float]:
        """Return ``(mean, variance)`` of segment ``seg``'s area + segment levels now."""
        found = self.local_now.get(seg)
        if found is None:
            now = self.now
            a, pa = self._areas.at(self._seg_cell[seg], now)
            s, ps = self._segments.at(seg, now)
            found = self.local_now[seg] = (a + s, pa + ps)
        return found
