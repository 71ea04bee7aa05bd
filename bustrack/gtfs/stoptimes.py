"""Building :class:`~bustrack.gtfs.model.Trip` objects from ``stop_times.txt``.

Pure; no I/O. Built for big feeds: rows are read column-wise into :mod:`array`
arrays (ids become indices, repeated time strings are parsed once), grouped by trip
without sorting when the file lists each trip's rows together, and trips sharing a
stop pattern share one ``stop_ids`` tuple (and, when computed, one ``distances``
array: treat the arrays of a trip as read-only).

Rules:

- Each trip's rows are sorted by ``stop_sequence``; a repeated ``stop_sequence``
  within a trip is a :class:`~bustrack.gtfs.errors.FeedError`.
- A stop with only one of ``arrival_time``/``departure_time`` uses it for both.
  The first and last stop must have a time (else ``FeedError``); the times of
  other stops without one are interpolated by distance along the trip between the
  nearest stops with times (by stop count when those are at the same distance),
  rounded to the second.
- Dropped trips (warnings): ``trip_without_stop_times``, ``too_few_stop_times``
  (fewer than 2), ``times_backwards`` (a departure before the arrival at the same
  stop, or an arrival before the departure from the previous stop).
- ``distances`` (metres from the first stop, ``distances[0] == 0``):

  1. from ``shape_dist_traveled`` when every stop of the trip has one and they do
     not decrease: converted with the shape's :class:`~bustrack.gtfs.shapes.ShapeScale`
     when the trip's shape gives ``shape_dist_traveled`` too; otherwise the unit
     is chosen once for the whole feed between metres and kilometres: kilometres
     when the values span less than ``1/sqrt(1000)`` (about 3 %) of the straight
     line distance between the stops, i.e. when kilometres bring the values closer
     to that distance, which a path can only exceed (sampled on up to 2,000 trips);
  2. else, with a shape, each stop projected onto it in order
     (:func:`~bustrack.gtfs.project.project_stops`);
  3. else the straight-line (haversine) distance from stop to stop, summed.

  Values present on some stops only, decreasing or all equal are ignored (case 2
  or 3 then applies), with a ``shape_dist_traveled_ignored`` warning.
- ``shape_offset``: where the first stop lies along the shape, in metres.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from typing import NamedTuple

from bustrack.geo import cumulative_distances
from bustrack.gtfs.csvfile import Table
from bustrack.gtfs.errors import WarningLog
from bustrack.gtfs.grouping import group_rows, order_rows
from bustrack.gtfs.model import Shape, Stop, Trip
from bustrack.gtfs.project import ShapeIndex, project_stops
from bustrack.gtfs.shapes import ShapeScale
from bustrack.gtfs.tables import TripRow
from bustrack.gtfs.values import MAX_INTEGER, Cells, format_time

__all__ = ["build_trips"]

NO_TIME = -1
REPORT_EVERY = 1024  # trips between two progress reports
UNIT_SAMPLE = 2000
KM_BELOW = 1 / math.sqrt(1000)


class _Rows(NamedTuple):
    """``stop_times.txt`` column-wise: one entry per row."""

    trip: array[int]
    sequence: array[int]
    arrival: array[int]
    departure: array[int]
    stop: array[int]
    dist: array[float]
    line: array[int]


def build_trips(
    table: Table,
    trips: Sequence[TripRow],
    stops: Mapping[str, Stop],
    shapes: Mapping[str, Shape],
    scales: Mapping[str, ShapeScale],
    log: WarningLog,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Trip]:
    """Return the trips of ``trips`` that load, by id, with their stop times.

    Args:
        table: ``stop_times.txt``.
        trips: the rows of ``trips.txt``.
        stops: every stop by id.
        shapes: the usable shapes by id.
        scales: the shapes whose ``shape_dist_traveled`` converts to metres.
        log: where warnings go.
        progress: called with ``(trips built, trips in all)`` every
            :data:`REPORT_EVERY` trips and at the end.

    Raises:
        FeedError: a missing column or field, an unknown trip or stop, a bad time or
            number, a repeated ``stop_sequence``, a trip end without a time.
    """
    return _Builder(table, trips, stops, shapes, scales, log).build(progress)


class _Builder:
    """Holds what building the trips of one feed needs: indexes, caches, the log."""

    def __init__(
        self,
        table: Table,
        trips: Sequence[TripRow],
        stops: Mapping[str, Stop],
        shapes: Mapping[str, Shape],
        scales: Mapping[str, ShapeScale],
        log: WarningLog,
    ) -> None:
        self.table = table
        self.trips = trips
        self.stop_ids = list(stops)
        self.lats = array("d", (s.lat for s in stops.values()))
        self.lons = array("d", (s.lon for s in stops.values()))
        self.shapes = shapes
        self.scales = scales
        self.log = log
        self.has_dist = table.column("shape_dist_traveled") is not None
        self.rows = _read_rows(table, {t.trip_id: i for i, t in enumerate(trips)}, stops)
        self.patterns: dict[tuple[int, ...], tuple[str, ...]] = {}
        self.sequences: dict[tuple[int, ...], array[int]] = {}
        self.computed: dict[tuple[str | None, tuple[int, ...]], tuple[array[float], float]] = {}
        self.indexes: dict[str, ShapeIndex] = {}
        self.unit = 1.0

    def build(self, progress: Callable[[int, int], None] | None) -> dict[str, Trip]:
        groups = group_rows(self.rows.trip, len(self.trips))
        ordered = [self._ordered(trip, rows) for trip, rows in zip(self.trips, groups, strict=True)]
        self.unit = self._unit(ordered)
        built: dict[str, Trip] = {}
        count = len(self.trips)
        for k, (trip, rows) in enumerate(zip(self.trips, ordered, strict=True)):
            if progress is not None and not k % REPORT_EVERY:
                progress(k, count)
            made = self._trip(trip, rows)
            if made is not None:
                built[trip.trip_id] = made
        if progress is not None:
            progress(count, count)
        return built

    def _where(self, row: int) -> str:
        return f"{self.table.name} line {self.rows.line[row]}"

    def _ordered(self, trip: TripRow, rows: Sequence[int]) -> Sequence[int]:
        """Sort a trip's rows by stop_sequence; raise on a repeated one."""
        ordered, repeat = order_rows(rows, self.rows.sequence)
        if repeat is not None:
            cells = Cells(self.table.name)
            cells.line = self.rows.line[ordered[repeat]]
            raise cells.error(
                "stop_sequence",
                f"stop_sequence {self.rows.sequence[ordered[repeat]]} of trip "
                f"'{trip.trip_id}' repeats line {self.rows.line[ordered[repeat - 1]]}",
            )
        return ordered

    def _trip(self, trip: TripRow, rows: Sequence[int]) -> Trip | None:
        if len(rows) < 2:
            if rows:
                self.log.add(
                    "too_few_stop_times",
                    f"{self._where(rows[0])}: trip '{trip.trip_id}' has only one stop time "
                    "(trip dropped)",
                )
            else:
                self.log.add(
                    "trip_without_stop_times",
                    f"trips.txt line {trip.line}: trip '{trip.trip_id}' has no stop times "
                    "(trip dropped)",
                )
            return None
        r = self.rows
        arrivals = [r.arrival[i] for i in rows]
        departures = [r.departure[i] for i in rows]
        if NO_TIME in arrivals or NO_TIME in departures:
            _fill_pairs(arrivals, departures)
            for k, end in ((0, "first"), (-1, "last")):
                if arrivals[k] == NO_TIME:
                    cells = Cells(self.table.name)
                    cells.line = r.line[rows[k]]
                    raise cells.error(
                        "arrival_time",
                        f"trip '{trip.trip_id}' has no arrival_time or departure_time at its "
                        f"{end} stop",
                    )
        stops = tuple(r.stop[i] for i in rows)
        distances, offset = self._distances(trip, rows, stops)
        if NO_TIME in arrivals:
            _interpolate(arrivals, departures, distances)
        backwards = _backwards(arrivals, departures)
        if backwards is not None:
            k, what = backwards
            self.log.add(
                "times_backwards",
                f"{self._where(rows[k])}: trip '{trip.trip_id}' {what} (trip dropped)",
            )
            return None
        stop_ids = self.patterns.get(stops)
        if stop_ids is None:
            stop_ids = self.patterns[stops] = tuple(self.stop_ids[s] for s in stops)
        numbers = tuple(r.sequence[i] for i in rows)
        sequences = self.sequences.get(numbers)
        if sequences is None:  # most trips number their stops alike: one array for them
            sequences = self.sequences[numbers] = array("i", numbers)
        return Trip(
            trip_id=trip.trip_id,
            route_id=trip.route_id,
            service_id=trip.service_id,
            headsign=trip.headsign,
            direction_id=trip.direction_id,
            shape_id=trip.shape_id if trip.shape_id in self.shapes else None,
            stop_ids=stop_ids,
            arrivals=array("i", arrivals),
            departures=array("i", departures),
            distances=distances,
            shape_offset=offset,
            stop_sequences=sequences,
        )

    # Distances along the trip.

    def _given(
        self, trip: TripRow, rows: Sequence[int], log: WarningLog | None
    ) -> list[float] | None:
        """Return the trip's usable shape_dist_traveled values; warn to ``log`` if unusable."""
        if not self.has_dist:
            return None
        values = [self.rows.dist[i] for i in rows]
        missing = sum(1 for v in values if math.isnan(v))
        if missing == len(values):
            return None
        if missing:
            problem = f"is missing on {missing} of {len(values)} stops"
        elif any(a > b for a, b in pairwise(values)):
            problem = "decreases"
        elif values[-1] <= values[0]:
            problem = "does not increase"
        else:
            return values
        if log is not None:
            log.add(
                "shape_dist_traveled_ignored",
                f"{self._where(rows[0])}: trip '{trip.trip_id}' shape_dist_traveled {problem} "
                "(computed instead)",
            )
        return None

    def _unit(self, ordered: Sequence[Sequence[int]]) -> float:
        """Return 1000 if the feed's unscaled shape_dist_traveled look like km, else 1."""
        span = straight = 0.0
        seen = 0
        for trip, rows in zip(self.trips, ordered, strict=True):
            if seen >= UNIT_SAMPLE:
                break
            if len(rows) < 2 or trip.shape_id in self.scales:
                continue
            values = self._given(trip, rows, None)  # warnings come when trips are built
            if values is None:
                continue
            seen += 1
            span += values[-1] - values[0]
            straight += self._straight(tuple(self.rows.stop[i] for i in rows))[-1]
        return 1000.0 if span < straight * KM_BELOW else 1.0

    def _straight(self, stops: tuple[int, ...]) -> list[float]:
        return cumulative_distances([self.lats[s] for s in stops], [self.lons[s] for s in stops])

    def _distances(
        self, trip: TripRow, rows: Sequence[int], stops: tuple[int, ...]
    ) -> tuple[array[float], float]:
        """Return the trip's distances from its first stop and its shape offset."""
        shape = self.shapes.get(trip.shape_id) if trip.shape_id is not None else None
        given = self._given(trip, rows, self.log)
        if given is not None:
            scale = self.scales.get(trip.shape_id) if shape is not None and trip.shape_id else None
            if scale is not None:
                metres = [scale.metres(v) for v in given]
                offset = metres[0]
                return array("d", (m - offset for m in metres)), offset
            first = given[0]
            unit = self.unit
            offset = 0.0 if shape is None else self._project(shape, stops[:1])[0]
            return array("d", ((v - first) * unit for v in given)), offset
        key = (trip.shape_id if shape is not None else None, stops)
        found = self.computed.get(key)
        if found is None:
            if shape is None:
                found = array("d", self._straight(stops)), 0.0
            else:
                positions = self._project(shape, stops)
                offset = positions[0]
                found = array("d", (p - offset for p in positions)), offset
            self.computed[key] = found
        return found

    def _project(self, shape: Shape, stops: tuple[int, ...]) -> list[float]:
        index = self.indexes.get(shape.shape_id)
        if index is None:
            index = self.indexes[shape.shape_id] = ShapeIndex(shape)
        return project_stops(index, [(self.lats[s], self.lons[s]) for s in stops])


def _read_rows(table: Table, trip_index: Mapping[str, int], stops: Mapping[str, Stop]) -> _Rows:
    """Read ``stop_times.txt`` column-wise, checking references, times and numbers."""
    c_trip = table.require("trip_id")
    c_arrival = table.require("arrival_time")
    c_departure = table.require("departure_time")
    c_stop = table.require("stop_id")
    c_sequence = table.require("stop_sequence")
    c_dist = table.column("shape_dist_traveled")
    stop_index = {stop_id: i for i, stop_id in enumerate(stops)}
    cells = Cells(table.name)
    times: dict[str, int] = {"": NO_TIME}
    out = _Rows(array("i"), array("q"), array("i"), array("i"), array("i"), array("d"), array("i"))
    trip_a, seq_a, arr_a, dep_a, stop_a, dist_a, line_a = out
    nan = math.nan
    for line, row in table.rows():
        trip = trip_index.get(row[c_trip])
        if trip is None:
            cells.line = line
            text = cells.required(row[c_trip], "trip_id")
            raise cells.error("trip_id", f"trip_id '{text}' is not in trips.txt")
        stop = stop_index.get(row[c_stop])
        if stop is None:
            cells.line = line
            text = cells.required(row[c_stop], "stop_id")
            raise cells.error("stop_id", f"stop_id '{text}' is not in stops.txt")
        text = row[c_sequence]
        try:
            sequence = int(text)
            if not 0 <= sequence <= MAX_INTEGER:
                raise ValueError(text)
        except ValueError:
            cells.line = line
            sequence = cells.integer(text, "stop_sequence")
        arrival = times.get(text := row[c_arrival])
        if arrival is None:
            cells.line = line
            arrival = times[text] = (
                NO_TIME if not text.strip() else cells.time(text, "arrival_time")
            )
        departure = times.get(text := row[c_departure])
        if departure is None:
            cells.line = line
            departure = times[text] = (
                NO_TIME if not text.strip() else cells.time(text, "departure_time")
            )
        dist = nan
        if c_dist is not None and (text := row[c_dist]):
            try:
                dist = float(text)
            except ValueError:
                cells.line = line
                dist = nan if not text.strip() else cells.number(text, "shape_dist_traveled")
        trip_a.append(trip)
        seq_a.append(sequence)
        arr_a.append(arrival)
        dep_a.append(departure)
        stop_a.append(stop)
        dist_a.append(dist)
        line_a.append(line)
    return out


def _fill_pairs(arrivals: list[int], departures: list[int]) -> None:
    """Use a stop's only time for both its arrival and departure."""
    for k, (a, d) in enumerate(zip(arrivals, departures, strict=True)):
        if a == NO_TIME:
            arrivals[k] = d
        elif d == NO_TIME:
            departures[k] = a


def _interpolate(arrivals: list[int], departures: list[int], distances: Sequence[float]) -> None:
    """Fill missing times by distance between the nearest stops with times."""
    before = 0
    for k in range(1, len(arrivals)):
        if arrivals[k] == NO_TIME:
            continue
        if k > before + 1:
            t0, t1 = departures[before], arrivals[k]
            d0, d1 = distances[before], distances[k]
            for j in range(before + 1, k):
                f = (distances[j] - d0) / (d1 - d0) if d1 > d0 else (j - before) / (k - before)
                arrivals[j] = departures[j] = round(t0 + (t1 - t0) * f)
        before = k


def _backwards(arrivals: Sequence[int], departures: Sequence[int]) -> tuple[int, str] | None:
    """Return the first stop where time goes backwards and how, or None."""
    previous = arrivals[0]
    for k, (a, d) in enumerate(zip(arrivals, departures, strict=True)):
        if a < previous:
            return k, (
                f"arrives at {format_time(a)}, before leaving the previous stop at "
                f"{format_time(previous)}"
            )
        if d < a:
            return k, f"departs at {format_time(d)}, before arriving at {format_time(a)}"
        previous = d
    return None
