"""The schedule as the predictor indexes it, and what it knows of each bus under way.

Pure: no I/O, no clock. :class:`TripIndex` numbers the feed's stop-to-stop segments,
their area cells (about 1 km) and the stops, which the history's levels are kept by
(:mod:`bustrack.live.predictions.history`); :class:`Bus` is one vehicle's state between
two of its reports.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from statistics import median

from bustrack.gtfs.model import Feed, Trip

__all__ = ["CELL_DEG", "Bus", "Candidate", "RunKey", "TripIndex", "TripInfo", "fraction"]

CELL_DEG = 0.01  # area cells of about 1.1 km


@dataclass(slots=True)
class TripInfo:
    """A trip's schedule as the predictor uses it (offsets from the trip's start)."""

    trip: Trip
    off_arr: list[float]
    off_dep: list[float]
    dist: list[float]
    run: list[float]  # scheduled running time of segment k (stop k to k + 1)
    seg: list[int]  # segment ids
    cell: list[int]  # area cell of each segment
    stop: list[int]  # stop ids (dwell index) of each stop


# A run: its service day, trip id and scheduled start (service-day s).
RunKey = tuple[dt.date, str, int]

# A stop board's candidate: eta, trip id, trip, stop index, vehicle id (None: not under
# way), service day, run start, uncertainty.
Candidate = tuple[float, str, TripInfo, int, str | None, dt.date, int, float]


class TripIndex:
    """Every trip of a feed indexed: its segments, their cells, its stops."""

    def __init__(self, feed: Feed) -> None:
        """Index ``feed``'s trips, numbering segments, cells and stops as first met."""
        self.feed = feed
        self.trips: dict[str, TripInfo] = {}
        self.serving: dict[str, list[tuple[TripInfo, int]]] = {}  # by stop id: trips, index
        self.seg_cell: list[int] = []  # each segment's cell
        self._seg_ids: dict[tuple[str, str], int] = {}
        self._cell_ids: dict[tuple[int, int], int] = {}
        self._stop_ids: dict[str, int] = {}
        dwells: list[float] = []
        for trip in feed.trips.values():
            info = self._index_trip(trip)
            self.trips[trip.trip_id] = info
            for k, sid in enumerate(trip.stop_ids):
                self.serving.setdefault(sid, []).append((info, k))
            dwells.extend(info.off_dep[k] - info.off_arr[k] for k in range(1, len(info.dist) - 1))
        # The typical scheduled dwell at an intermediate stop (None: no such stop).
        self.typical_dwell_s: float | None = median(dwells) if dwells else None

    @property
    def segments(self) -> int:
        """How many distinct stop-to-stop segments the feed has."""
        return len(self._seg_ids)

    @property
    def cells(self) -> int:
        """How many area cells the segments lie in."""
        return len(self._cell_ids)

    @property
    def stops(self) -> int:
        """How many stops the trips serve."""
        return len(self._stop_ids)

    def _index_trip(self, trip: Trip) -> TripInfo:
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
            key = (math.floor(lat / CELL_DEG), math.floor(lon / CELL_DEG))
            cid = self._cell_ids.get(key)
            if cid is None:
                cid = self._cell_ids[key] = len(self._cell_ids)
            if sid is None:
                sid = self._seg_ids[(a, b)] = len(self._seg_ids)
                self.seg_cell.append(cid)
            seg.append(sid)
            cell.append(cid)
        stop = []
        for sid_ in trip.stop_ids:
            i = self._stop_ids.get(sid_)
            if i is None:
                i = self._stop_ids[sid_] = len(self._stop_ids)
            stop.append(i)
        return TripInfo(trip, off_arr, off_dep, list(trip.distances), run, seg, cell, stop)


@dataclass(slots=True)
class Bus:
    """What the predictor knows of one vehicle under way."""

    vehicle_id: str
    info: TripInfo
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


def fraction(bus: Bus) -> float:
    """Return how far (0 to 1) the bus is along the segment it is on (0 before its trip)."""
    info = bus.info
    j = bus.n - 1
    if j < 0:
        return 0.0
    span = info.dist[j + 1] - info.dist[j]
    return min(1.0, max(0.0, (bus.d - info.dist[j]) / span)) if span > 0 else 1.0
