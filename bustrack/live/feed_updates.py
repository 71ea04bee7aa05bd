"""Other producers' predictions (GTFS-realtime TripUpdates in), blended with ours.

Pure: times are parameters. :class:`FeedUpdates` keeps the latest update of every trip
from every TripUpdates feed; :meth:`FeedUpdates.blend` adjusts one
:class:`~bustrack.live.predictions.Arrival` of a stop's board, and
:meth:`FeedUpdates.blend_etas` a bus's stops ahead (its popup, our TripUpdates out), alike:

- a run the feed predicts and we predict too (a bus we see): the two estimates are
  averaged, each weighted by the inverse of its variance (ours: the predictor's calibrated
  uncertainty; the feed's: :data:`FEED_SD_S` plus :data:`FEED_SD_PER_S` of the time ahead,
  since a feed rarely says how sure it is), and the spread narrows accordingly;
- a run only the feed predicts (its bus is not on our map): the feed's time, live;
- a stop the feed says the run skips, or a canceled run: the arrival is dropped (None).

An update older than :data:`MAX_AGE_S` is no longer used: a feed that stops updating
falls back to our own predictions, never to frozen ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Literal

from bustrack.live.predictions import Arrival, Eta
from bustrack.sources.simulation import Vehicle
from bustrack.sources.trip_updates_in import FeedTrip

__all__ = ["FEED_SD_PER_S", "FEED_SD_S", "MAX_AGE_S", "FeedUpdates"]

FEED_SD_S = 60.0
FEED_SD_PER_S = 0.1
MAX_AGE_S = 600.0


class FeedUpdates:
    """The latest TripUpdate of each trip, per feed."""

    def __init__(self) -> None:
        self._by_feed: dict[str, dict[str, list[FeedTrip]]] = {}
        self._received: dict[str, float] = {}

    def __len__(self) -> int:
        return sum(len(t) for t in self._by_feed.values())

    def replace(self, source: str, trips: list[FeedTrip], received: float) -> None:
        """Take a feed's whole message (it replaces the feed's last); ``received`` Unix s."""
        by_trip: dict[str, list[FeedTrip]] = {}
        for t in trips:
            by_trip.setdefault(t.trip_id, []).append(t)
        self._by_feed[source] = by_trip
        self._received[source] = received

    def find(
        self, trip_id: str, service_day: dt.date, run_start: int, now: float
    ) -> FeedTrip | None:
        """The freshest usable update of that run (``now`` real Unix s), or None."""
        best: FeedTrip | None = None
        for source, by_trip in self._by_feed.items():
            if now - self._received[source] > MAX_AGE_S:
                continue
            for t in by_trip.get(trip_id, ()):
                fresher = best is None or t.timestamp > best.timestamp
                if fresher and t.matches(service_day, run_start):
                    best = t
        return best

    def _run(
        self, trip_id: str, day: dt.date | None, run_start: int, now: float
    ) -> FeedTrip | None:
        """The freshest usable update of a run (``now`` real s), or None (no day: none)."""
        return None if day is None else self.find(trip_id, day, run_start, now)

    def blend(self, a: Arrival, now: float, shift: float) -> Arrival | None:
        """Return ``a`` (simulated times) with the feeds' prediction blended in, or None if
        the run skips the stop or is canceled. ``now`` is simulated Unix s; ``shift``
        turns simulated into real time (the feeds' times are real)."""
        if not self._by_feed:
            return a
        found = self._run(a.trip_id, a.service_day, a.run_start, now + shift)
        if found is None:
            return a
        got = _blended(found, a.stop_index, (a.eta_ts, a.uncertainty_s, a.live), now, shift)
        if got is None:
            return a
        if got == "skipped":
            return None
        eta, sd = got
        return dataclasses.replace(a, eta_ts=eta, uncertainty_s=sd, live=True)

    def blend_etas(self, vehicle: Vehicle, etas: list[Eta], now: float, shift: float) -> list[Eta]:
        """Return a bus's predicted stops ahead (:class:`Eta`, simulated times) with the
        feeds' predictions of its run blended in as :meth:`blend` does a board's: the stops
        the run skips are left out, and none if it is canceled. The bus popup's next stop
        and ``/gtfs-rt/trip-updates.pb`` take these, so they agree with the stops' boards."""
        if not self._by_feed or not etas:
            return etas
        found = self._run(vehicle.trip_id, vehicle.service_day, vehicle.run_start, now + shift)
        if found is None:  # most buses: one lookup, the list as it was
            return etas
        out: list[Eta] = []
        for e in etas:
            got = _blended(found, e.stop_index, (e.eta_ts, e.uncertainty_s, True), now, shift)
            if got is None:
                out.append(e)
            elif got != "skipped":
                out.append(e._replace(eta_ts=got[0], uncertainty_s=got[1]))
        return out


def _blended(
    found: FeedTrip,
    stop_index: int,
    ours: tuple[float, float, bool],
    now: float,
    shift: float,
) -> tuple[float, float] | Literal["skipped"] | None:
    """The blended ``(eta, sd)`` (simulated s) at ``stop_index`` of the run ``found`` updates,
    from ``ours`` ``(eta, sd, live)``; ``"skipped"`` if the run skips the stop or is canceled;
    None if the update says nothing of the stop (ours stands)."""
    if found.canceled or stop_index in found.skipped:
        return "skipped"
    real = found.times.get(stop_index)
    if real is None:
        return None
    theirs = real - shift
    sd_theirs = FEED_SD_S + FEED_SD_PER_S * max(0.0, theirs - now)
    eta, sd, live = ours
    if not live or sd <= 0:
        return theirs, sd_theirs
    w_ours, w_theirs = 1 / sd**2, 1 / sd_theirs**2
    return (eta * w_ours + theirs * w_theirs) / (w_ours + w_theirs), math.sqrt(
        1 / (w_ours + w_theirs)
    )
