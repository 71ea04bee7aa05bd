"""The in-memory GTFS Schedule feed: plain, immutable data.

This module holds only data classes. It does no I/O and reads no clock; the loader
(:mod:`bustrack.gtfs.load`) builds a :class:`Feed` and every other module reads it.

Times of day are integer seconds since the start of the service day ("noon minus
12 h" in GTFS terms), so ``25:10:00`` is ``90600``: a trip running after midnight
belongs to the previous service day. Distances are metres.
"""

from __future__ import annotations

import datetime as dt
from array import array
from dataclasses import dataclass, field

__all__ = [
    "Agency",
    "Calendar",
    "Feed",
    "Frequency",
    "Route",
    "Shape",
    "Stop",
    "Trip",
    "Warning",
]


@dataclass(frozen=True, slots=True)
class Agency:
    """One row of ``agency.txt``."""

    agency_id: str
    name: str
    url: str
    timezone: str


@dataclass(frozen=True, slots=True)
class Stop:
    """One row of ``stops.txt``.

    ``location_type`` 0 is a stop or platform, 1 a station (which groups stops
    through their ``parent_station``).
    """

    stop_id: str
    name: str
    lat: float
    lon: float
    location_type: int = 0
    parent_station: str | None = None


@dataclass(frozen=True, slots=True)
class Route:
    """One row of ``routes.txt``. Colours are ``RRGGBB`` without ``#``, or None."""

    route_id: str
    agency_id: str
    short_name: str
    long_name: str
    route_type: int
    color: str | None = None
    text_color: str | None = None

    @property
    def label(self) -> str:
        """The name riders know the route by: its short name, else its long name."""
        return self.short_name or self.long_name


@dataclass(frozen=True, slots=True)
class Trip:
    """One trip with its stop times, ready for the simulator.

    ``arrivals`` and ``departures`` are seconds since the start of the service day,
    one per stop, all known (the loader interpolates missing intermediate times).
    ``distances`` are metres from the trip's first stop along its path, one per stop:
    from ``shape_dist_traveled`` when the feed gives it, else computed.
    ``shape_offset`` is where the first stop lies along the trip's shape, in metres
    from the shape's first point (0.0 without a shape): stop ``i`` is at
    ``shape_offset + distances[i]`` on the shape. It is non-zero when a trip starts
    part-way along its shape, e.g. a short working sharing a full route's shape.
    ``stop_sequences`` are the ``stop_sequence`` values of ``stop_times.txt``, one per
    stop (increasing, not necessarily consecutive); empty for a trip built in code, whose
    stops then count 1, 2, 3... (see :meth:`stop_sequence`).
    """

    trip_id: str
    route_id: str
    service_id: str
    headsign: str
    direction_id: int | None
    shape_id: str | None
    stop_ids: tuple[str, ...]
    arrivals: array[int]
    departures: array[int]
    distances: array[float]
    shape_offset: float = 0.0
    stop_sequences: array[int] = field(default_factory=lambda: array("i"))

    def stop_sequence(self, k: int) -> int:
        """Return the ``stop_sequence`` of the trip's ``k``-th stop (from 0)."""
        return self.stop_sequences[k] if self.stop_sequences else k + 1

    @property
    def start(self) -> int:
        """Departure time from the first stop, in service-day seconds."""
        return self.departures[0]

    @property
    def end(self) -> int:
        """Arrival time at the last stop, in service-day seconds."""
        return self.arrivals[-1]


@dataclass(frozen=True, slots=True)
class Frequency:
    """One row of ``frequencies.txt``: the trip repeats every ``headway`` seconds.

    Instances start at ``start``, ``start + headway``, ... while before ``end``.
    ``exact_times`` 1 means a fixed schedule, 0 a headway-based service; the
    simulator runs both at the stated headway.
    """

    trip_id: str
    start: int
    end: int
    headway: int
    exact_times: int = 0


@dataclass(frozen=True, slots=True)
class Shape:
    """A path as parallel arrays, sorted by ``shape_pt_sequence``.

    ``distances`` are metres from the first point: ``shape_dist_traveled`` scaled
    to metres when the feed gives it, else computed along the points.
    """

    shape_id: str
    lats: array[float]
    lons: array[float]
    distances: array[float]


@dataclass(frozen=True, slots=True)
class Calendar:
    """One row of ``calendar.txt``: weekdays Monday..Sunday and a date range."""

    service_id: str
    weekdays: tuple[bool, bool, bool, bool, bool, bool, bool]
    start_date: dt.date
    end_date: dt.date


@dataclass(frozen=True, slots=True)
class Warning:
    """A problem that did not stop the feed loading, e.g. an orphan stop.

    ``kind`` groups warnings of the same sort; ``count`` says how many there were
    and ``examples`` holds the first few, as text naming file and line.
    """

    kind: str
    count: int
    examples: tuple[str, ...]


@dataclass(slots=True)
class Feed:
    """A whole loaded GTFS feed.

    ``calendar_dates`` maps a service id to ``{date: exception_type}`` (1 added,
    2 removed). ``frequencies`` maps a trip id to its frequency windows; trips
    without an entry run once at their stop times. ``content_hash`` is the hex
    SHA-256 of the files the feed was built from (see
    :func:`bustrack.gtfs.cache.content_hash`), set by the loader; ``""`` for a feed
    built in memory.
    """

    agencies: dict[str, Agency]
    stops: dict[str, Stop]
    routes: dict[str, Route]
    trips: dict[str, Trip]
    frequencies: dict[str, tuple[Frequency, ...]]
    shapes: dict[str, Shape]
    calendars: dict[str, Calendar]
    calendar_dates: dict[str, dict[dt.date, int]]
    feed_info: dict[str, str] = field(default_factory=dict)
    warnings: tuple[Warning, ...] = ()
    content_hash: str = ""

    @property
    def timezone(self) -> str:
        """The agency timezone (all agencies of a feed share one, per the spec)."""
        return next(iter(self.agencies.values())).timezone
