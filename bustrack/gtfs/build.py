"""Building a :class:`~bustrack.gtfs.model.Feed` from the bytes of its files.

Pure: :func:`build_feed` takes file name to content and does no I/O (reading a
folder or a zip is :mod:`bustrack.gtfs.load`'s job), so it can be fed bytes made in
a test. It follows the GTFS Schedule reference; each table has its own reader
(:mod:`~bustrack.gtfs.stops`, :mod:`~bustrack.gtfs.tables`,
:mod:`~bustrack.gtfs.shapes`, :mod:`~bustrack.gtfs.stoptimes`), whose docstrings
hold the rules chosen where the reference leaves a choice.

Fatal problems raise :class:`~bustrack.gtfs.errors.FeedError` naming the file, the
line, the field and what was expected: a missing required file or column, a
duplicate id, a reference to an unknown id, a value that does not parse, a stop
position out of range, a trip whose first or last stop has no time.

Problems that let the rest load become :class:`~bustrack.gtfs.model.Warning` entries
of ``Feed.warnings`` (a count and the first 5 examples, each naming file and line).
Kinds:

``orphan_stop``
    a stop (location_type 0) that no loaded trip uses; kept.
``trip_stops_at_station``
    stop_times name a station, entrance, node or boarding area; kept as is.
``route_without_trips``
    a route that no loaded trip runs; kept.
``trip_without_stop_times``, ``too_few_stop_times``, ``times_backwards``
    trip dropped (with its frequencies).
``empty_frequency_window``
    ``end_time <= start_time``; window dropped.
``shape_dist_traveled_ignored``
    unusable values (on a shape or a trip); distances computed instead.
``bad_shape_point``, ``unusable_shape``
    point skipped; shape left out (its trips run stop to stop).
``unnamed_route``, ``bad_color``, ``station_with_parent``,
``calendar_ends_before_start``, ``duplicate_calendar_date``
    see :mod:`~bustrack.gtfs.tables` and :mod:`~bustrack.gtfs.stops`.

Columns the model has no field for (``pickup_type``, ``timepoint``, ``block_id``,
``zone_id``, ...) and files other than :data:`FEED_FILES` are ignored. Ids are taken
as written (case and spaces matter, as the reference says). An optional file of
zero bytes counts as absent. The agency timezone is not checked
against the time zone database here (that needs the database: see
:func:`bustrack.gtfs.load.load_feed`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from bustrack.gtfs.csvfile import Table, read_table
from bustrack.gtfs.errors import FeedError, WarningLog
from bustrack.gtfs.model import Feed, Route, Stop, Trip
from bustrack.gtfs.progress import TRIPS, ProgressCallback, ProgressTracker
from bustrack.gtfs.shapes import read_shapes
from bustrack.gtfs.stops import read_stops
from bustrack.gtfs.stoptimes import build_trips
from bustrack.gtfs.tables import (
    read_agencies,
    read_calendar,
    read_calendar_dates,
    read_feed_info,
    read_frequencies,
    read_routes,
    read_trips,
)

__all__ = ["FEED_FILES", "REQUIRED_FILES", "build_feed"]

REQUIRED_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
CALENDAR_FILES = ("calendar.txt", "calendar_dates.txt")
OPTIONAL_FILES = ("frequencies.txt", "shapes.txt", "feed_info.txt")
FEED_FILES = REQUIRED_FILES + CALENDAR_FILES + OPTIONAL_FILES


def build_feed(files: Mapping[str, bytes], progress: ProgressCallback | None = None) -> Feed:
    """Validate a GTFS feed and build its model.

    Args:
        files: file name (``"stops.txt"``) to the file's bytes. Names other than
            :data:`FEED_FILES` are ignored.
        progress: called with :class:`~bustrack.gtfs.progress.Progress` events
            while files are parsed and trips built, and once at the end.

    Returns:
        The feed, with the warnings found.

    Raises:
        FeedError: the feed cannot be loaded; its text says where and why.
    """
    for name in REQUIRED_FILES:
        if name not in files:
            raise FeedError.missing_file(name)
    if not any(name in files for name in CALENDAR_FILES):
        raise FeedError.missing_file(*CALENDAR_FILES)
    tables = _tables(files)
    tracker = _track(tables, files, progress) if progress is not None else None
    log = WarningLog()
    agencies = read_agencies(tables["agency.txt"])
    stops, stop_lines = read_stops(tables["stops.txt"], log)
    routes, route_lines = read_routes(tables["routes.txt"], agencies, log)
    calendar = tables.get("calendar.txt")
    calendars = read_calendar(calendar, log) if calendar is not None else {}
    dates_table = tables.get("calendar_dates.txt")
    dates = read_calendar_dates(dates_table, log) if dates_table is not None else {}
    shapes = read_shapes(tables.get("shapes.txt"), log)
    trip_rows = read_trips(tables["trips.txt"], routes, calendars.keys() | dates.keys(), shapes.ids)
    trips = build_trips(
        tables["stop_times.txt"],
        trip_rows,
        stops,
        shapes.shapes,
        shapes.scales,
        log,
        None if tracker is None else partial(tracker.update, TRIPS, unit="trips"),
    )
    frequencies_table = tables.get("frequencies.txt")
    frequencies = (
        read_frequencies(frequencies_table, {t.trip_id for t in trip_rows}, trips, log)
        if frequencies_table is not None
        else {}
    )
    info = tables.get("feed_info.txt")
    _check_use(stops, stop_lines, routes, route_lines, trips, log)
    if tracker is not None:
        tracker.finish()
    return Feed(
        agencies=agencies,
        stops=stops,
        routes=routes,
        trips=trips,
        frequencies=frequencies,
        shapes=shapes.shapes,
        calendars=calendars,
        calendar_dates=dates,
        feed_info=read_feed_info(info) if info is not None else {},
        warnings=log.warnings(),
    )


def _tables(files: Mapping[str, bytes]) -> dict[str, Table]:
    """Read the header of every known file; leave out empty optional ones."""
    tables: dict[str, Table] = {}
    for name in FEED_FILES:
        data = files.get(name)
        if data is None:
            continue
        table = read_table(name, data)
        if table.empty:
            other_calendar = any(n in files for n in CALENDAR_FILES if n != name)
            if name in REQUIRED_FILES or (name in CALENDAR_FILES and not other_calendar):
                raise FeedError("file is empty (no header line)", file=name)
            continue
        tables[name] = table
    return tables


def _track(
    tables: Mapping[str, Table], files: Mapping[str, bytes], progress: ProgressCallback
) -> ProgressTracker:
    """Return a tracker for the load, and make every table report its parsing to it."""
    weights = {name: len(files[name]) for name in tables}
    weights[TRIPS] = len(files["stop_times.txt"]) // 2
    tracker = ProgressTracker(progress, weights)
    for name, table in tables.items():
        table.report = partial(tracker.update, name, total=weights[name])
    return tracker


def _check_use(
    stops: Mapping[str, Stop],
    stop_lines: Mapping[str, int],
    routes: Mapping[str, Route],
    route_lines: Mapping[str, int],
    trips: Mapping[str, Trip],
    log: WarningLog,
) -> None:
    """Warn about stops and routes no trip uses, and trips stopping at stations."""
    patterns = {id(t.stop_ids): t.stop_ids for t in trips.values()}
    used: set[str] = set()
    for pattern in patterns.values():
        used.update(pattern)
    for stop_id, stop in stops.items():
        where = f"stops.txt line {stop_lines[stop_id]}"
        if stop.location_type == 0 and stop_id not in used:
            log.add("orphan_stop", f"{where}: stop '{stop_id}' is used by no trip")
        elif stop.location_type != 0 and stop_id in used:
            log.add(
                "trip_stops_at_station",
                f"{where}: '{stop_id}' has location_type {stop.location_type} but trips stop at it",
            )
    running = {t.route_id for t in trips.values()}
    for route_id in routes:
        if route_id not in running:
            log.add(
                "route_without_trips",
                f"routes.txt line {route_lines[route_id]}: route '{route_id}' has no trips",
            )
