"""Calibration of the predictions' uncertainty, per horizon band.

Pure: times are parameters. Every ``calibrate_every_s`` each bus keeps a few of its
predictions (1 to 40 min ahead), scores them when it reaches the stop, and the spread
of each horizon band is scaled so that it matches the errors actually made there.
"""

from __future__ import annotations

import math
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable

from bustrack.live.predictions.forecast import Forecast
from bustrack.live.predictions.model import PredictorConfig
from bustrack.live.predictions.trips import Bus

__all__ = ["CAL_EDGES", "CHECK_AT", "Calibration"]

# Uncertainty is calibrated separately for predictions this far ahead (s)...
CAL_EDGES = (60.0, 180.0, 420.0, 900.0, 1800.0)
# ...from predictions kept about this far ahead.
CHECK_AT = (60.0, 180.0, 420.0, 900.0, 1500.0, 2400.0)


class Calibration:
    """The factor each horizon band's spread is scaled by, and how it is learnt."""

    def __init__(self, config: PredictorConfig) -> None:
        """Every band's factor at 1 until 30 of its predictions have been scored."""
        self.config = config
        bands = len(CAL_EDGES) + 1
        # By band (``bisect_right(CAL_EDGES, seconds ahead)``): the factor, the mean
        # squared error and the mean squared spread of the scored predictions, how many.
        self.factors = [1.0] * bands
        self._e2 = [0.0] * bands
        self._s2 = [0.0] * bands
        self._n = [0] * bands

    def keep_for_checking(
        self, buses: Iterable[Bus], now: float, forecast: Callable[[Bus], Forecast]
    ) -> None:
        """Keep a few of some buses' predictions, to score them when the bus gets there."""
        every = self.config.calibrate_every_s
        if every <= 0:
            return
        for bus in buses:
            if bus.next_check > now:
                continue
            if bus.next_check == 0.0:  # spread the buses over the period
                bus.next_check = now + (zlib.crc32(bus.vehicle_id.encode()) % 1000) / 1000 * every
                continue
            bus.next_check = now + every
            f = forecast(bus)
            kept = bus.pending
            etas = f.eta  # non-decreasing along the trip
            for target in CHECK_AT:
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

    def check(self, bus: Bus, stop: int, arrived: float) -> None:
        """Score the kept predictions of the bus's arrival at ``stop``; recalibrate."""
        kept = bus.pending
        w = 1.0 / self.config.calibration_memory
        e2, s2, n, factors = self._e2, self._s2, self._n, self.factors
        for k, eta, raw, made in kept:
            if k != stop:
                continue
            b = bisect_right(CAL_EDGES, eta - made)
            err = eta - arrived
            e2[b] = (1 - w) * e2[b] + w * err * err
            s2[b] = (1 - w) * s2[b] + w * raw * raw
            n[b] += 1
            if n[b] >= 30 and s2[b] > 0:
                factors[b] = min(4.0, max(0.25, math.sqrt(e2[b] / s2[b])))
        bus.pending = [p for p in kept if p[0] > stop]
