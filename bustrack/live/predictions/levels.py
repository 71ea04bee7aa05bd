"""Ornstein-Uhlenbeck levels with Kalman updates: what the history of running and dwell
times is made of (:mod:`bustrack.live.predictions.history`).

Pure: times are parameters.
"""

from __future__ import annotations

import math

__all__ = ["Levels"]


class Levels:
    """``n`` levels, each a mean, a variance and the time of its last update.

    Without new data a level drifts back to a rest value (its parent's) with time
    constant ``tau``, and its variance grows back to ``q``.
    """

    __slots__ = ("p", "q", "t", "tau", "x")

    def __init__(self, n: int, tau: float, q: float, x0: float = 0.0) -> None:
        """``n`` levels at ``x0`` with variance ``q``, never updated."""
        self.x = [x0] * n
        self.p = [q] * n
        self.t = [0.0] * n
        self.tau = tau
        self.q = q

    def at(self, i: int, ts: float, rest: float = 0.0) -> tuple[float, float]:
        """Return ``(mean, variance)`` of level ``i`` at ``ts``, drifting back to ``rest``."""
        dt_ = ts - self.t[i]
        if dt_ <= 0.0:
            return self.x[i], self.p[i]
        a = math.exp(-dt_ / self.tau)
        return rest + (self.x[i] - rest) * a, self.p[i] * a * a + self.q * (1.0 - a * a)

    def set(self, i: int, ts: float, x: float, p: float) -> None:
        """Set level ``i`` to mean ``x`` and variance ``p``, as of ``ts``."""
        self.x[i] = x
        self.p[i] = p
        self.t[i] = ts
