"""Reading the small GTFS tables: agencies, routes, calendars, trips, frequencies.

Pure; no I/O. Each reader takes a :class:`~bustrack.gtfs.csvfile.Table` and returns
model objects (or, for trips, plain rows that :mod:`bustrack.gtfs.stoptimes` turns
into :class:`~bustrack.gtfs.model.Trip` objects once their stop times are known).

Rules where the reference leaves a choice:

- ``agency_id`` may be empty when there is one agency; a route with an empty
  ``agency_id`` then belongs to it. All agencies must share one timezone.
- A route with neither a short nor a long name loads, with an ``unnamed_route``
  warning. A colour that is not six hex digits is dropped (``bad_color`` warning).
- A calendar ending before it starts loads (it is simply never active), with a
  ``calendar_ends_before_start`` warning. A repeated ``(service_id, date)`` in
  ``calendar_dates.txt`` keeps the first row (``duplicate_calendar_date`` warning).
- A frequency window with ``end_time <= start_time`` is dropped
  (``empty_frequency_window`` warning); windows of a trip are sorted by start.
- ``feed_info.txt``: the first row, as column to value, empty values left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Container, Mapping
from typing import NamedTuple

from bustrack.gtfs.csvfile import Table
from bustrack.gtfs.errors import FeedError, WarningLog
from bustrack.gtfs.model import Agency, Calendar, Frequency, Route
from bustrack.gtfs.values import Cells, format_time, parse_color

__all__ = [
    "TripRow",
    "read_agencies",
    "read_calendar",
    "read_calendar_dates",
    "read_feed_info",
    "read_frequencies",
    "read_routes",
    "read_trips",
]

_NO_AGENCY_ID = "agency_id is empty (required with several agencies)"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class TripRow(NamedTuple):
    """One row of ``trips.txt``, checked against routes, services and shapes."""

    trip_id: str
    route_id: str
    service_id: str
    headsign: str
    direction_id: int | None
    shape_id: str | None
    line: int


def _optional(row: list[str], index: int | None) -> str:
    return row[index] if index is not None else ""


def _duplicate(cells: Cells, field: str, value: str, first: int) -> FeedError:
    return cells.error(field, f"{field} '{value}' is a duplicate of line {first}")


def read_agencies(table: Table) -> dict[str, Agency]:
    """Read ``agency.txt``; an empty ``agency_id`` is kept as ``""``.

    Raises:
        FeedError: no agency, a missing field, a duplicate id, a missing id when
            there are several agencies, or agencies in different timezones.
    """
    c_id = table.column("agency_id")
    c_name = table.require("agency_name")
    c_url = table.require("agency_url")
    c_tz = table.require("agency_timezone")
    cells = Cells(table.name)
    agencies: dict[str, Agency] = {}
    lines: dict[str, int] = {}
    for line, row in table.rows():
        cells.line = line
        agency_id = _optional(row, c_id).strip()
        if agency_id in lines:
            if not agency_id:
                raise cells.error("agency_id", _NO_AGENCY_ID)
            raise _duplicate(cells, "agency_id", agency_id, lines[agency_id])
        if "" in lines:
            raise FeedError(
                _NO_AGENCY_ID,
                file=table.name,
                line=lines[""],
                field="agency_id",
            )
        tz = cells.required(row[c_tz].strip(), "agency_timezone")
        first = next(iter(agencies.values()), None)
        if first is not None and tz != first.timezone:
            raise cells.error(
                "agency_timezone",
                f"agency_timezone '{tz}' differs from '{first.timezone}' (line "
                f"{lines[first.agency_id]}); all agencies must share one",
            )
        name = cells.required(row[c_name], "agency_name")
        url = cells.required(row[c_url].strip(), "agency_url")
        agencies[agency_id] = Agency(agency_id, name, url, tz)
        lines[agency_id] = line
    if not agencies:
        raise FeedError("has no agency", file=table.name)
    return agencies


def read_routes(
    table: Table, agencies: Mapping[str, Agency], log: WarningLog
) -> tuple[dict[str, Route], dict[str, int]]:
    """Read ``routes.txt``; return the routes by id and the line each came from.

    Raises:
        FeedError: a missing field, a duplicate id, an unknown agency, a bad type.
    """
    c_id = table.require("route_id")
    c_type = table.require("route_type")
    c_agency = table.column("agency_id")
    c_short = table.column("route_short_name")
    c_long = table.column("route_long_name")
    c_color = table.column("route_color")
    c_text = table.column("route_text_color")
    only_agency = next(iter(agencies)) if len(agencies) == 1 else None
    cells = Cells(table.name)
    routes: dict[str, Route] = {}
    lines: dict[str, int] = {}
    for line, row in table.rows():
        cells.line = line
        route_id = cells.required(row[c_id], "route_id")
        if route_id in lines:
            raise _duplicate(cells, "route_id", route_id, lines[route_id])
        agency_id = _optional(row, c_agency).strip()
        if not agency_id:
            if only_agency is None:
                raise cells.error("agency_id", _NO_AGENCY_ID)
            agency_id = only_agency
        elif agency_id not in agencies:
            raise cells.error("agency_id", f"agency_id '{agency_id}' is not in agency.txt")
        short, long = _optional(row, c_short), _optional(row, c_long)
        if not short and not long:
            log.add(
                "unnamed_route",
                f"{table.name} line {line}: route '{route_id}' has neither "
                "route_short_name nor route_long_name",
            )
        route_type = cells.integer(row[c_type], "route_type")
        color = _color(table, log, line, "route_color", _optional(row, c_color))
        text_color = _color(table, log, line, "route_text_color", _optional(row, c_text))
        routes[route_id] = Route(route_id, agency_id, short, long, route_type, color, text_color)
        lines[route_id] = line
    return routes, lines


def _color(table: Table, log: WarningLog, line: int, field: str, text: str) -> str | None:
    if not text.strip():
        return None
    color = parse_color(text)
    if color is None:
        log.add("bad_color", f"{table.name} line {line}: {field} '{text}' is not RRGGBB (ignored)")
    return color


def read_calendar(table: Table, log: WarningLog) -> dict[str, Calendar]:
    """Read ``calendar.txt``.

    Raises:
        FeedError: a missing column or field, a duplicate service, a bad date or day flag.
    """
    c_id = table.require("service_id")
    c_days = [table.require(day) for day in WEEKDAYS]
    c_start = table.require("start_date")
    c_end = table.require("end_date")
    cells = Cells(table.name)
    calendars: dict[str, Calendar] = {}
    lines: dict[str, int] = {}
    for line, row in table.rows():
        cells.line = line
        service_id = cells.required(row[c_id], "service_id")
        if service_id in lines:
            raise _duplicate(cells, "service_id", service_id, lines[service_id])
        flags = [
            cells.choice(cells.required(row[c].strip(), day), day, range(2), None) == 1
            for c, day in zip(c_days, WEEKDAYS, strict=True)
        ]
        start = cells.date(row[c_start], "start_date")
        end = cells.date(row[c_end], "end_date")
        if end < start:
            log.add(
                "calendar_ends_before_start",
                f"{table.name} line {line}: service '{service_id}' ends {end:%Y%m%d} "
                f"before it starts {start:%Y%m%d}",
            )
        weekdays = (flags[0], flags[1], flags[2], flags[3], flags[4], flags[5], flags[6])
        calendars[service_id] = Calendar(service_id, weekdays, start, end)
        lines[service_id] = line
    return calendars


def read_calendar_dates(table: Table, log: WarningLog) -> dict[str, dict[dt.date, int]]:
    """Read ``calendar_dates.txt``: service id to ``{date: exception_type}``.

    Raises:
        FeedError: a missing column or field, a bad date or exception type.
    """
    c_id = table.require("service_id")
    c_date = table.require("date")
    c_type = table.require("exception_type")
    cells = Cells(table.name)
    dates: dict[str, dict[dt.date, int]] = {}
    for line, row in table.rows():
        cells.line = line
        service_id = cells.required(row[c_id], "service_id")
        day = cells.date(row[c_date], "date")
        kind = cells.choice(
            cells.required(row[c_type].strip(), "exception_type"),
            "exception_type",
            range(1, 3),
            None,
        )
        assert kind is not None
        exceptions = dates.setdefault(service_id, {})
        if day in exceptions:
            log.add(
                "duplicate_calendar_date",
                f"{table.name} line {line}: service '{service_id}' on {day:%Y%m%d} "
                "is listed again (first row kept)",
            )
            continue
        exceptions[day] = kind
    return dates


def read_trips(
    table: Table,
    routes: Container[str],
    services: Container[str],
    shapes: Container[str],
) -> list[TripRow]:
    """Read ``trips.txt``, checking every reference.

    Args:
        table: ``trips.txt``.
        routes: the route ids.
        services: the service ids of ``calendar.txt`` and ``calendar_dates.txt``.
        shapes: the shape ids of ``shapes.txt`` (also those of unusable shapes).

    Raises:
        FeedError: a missing field, a duplicate id, an unknown route, service or shape.
    """
    c_id = table.require("trip_id")
    c_route = table.require("route_id")
    c_service = table.require("service_id")
    c_headsign = table.column("trip_headsign")
    c_direction = table.column("direction_id")
    c_shape = table.column("shape_id")
    cells = Cells(table.name)
    trips: list[TripRow] = []
    lines: dict[str, int] = {}
    for line, row in table.rows():
        cells.line = line
        trip_id = cells.required(row[c_id], "trip_id")
        if trip_id in lines:
            raise _duplicate(cells, "trip_id", trip_id, lines[trip_id])
        route_id = cells.required(row[c_route], "route_id")
        if route_id not in routes:
            raise cells.error("route_id", f"route_id '{route_id}' is not in routes.txt")
        service_id = cells.required(row[c_service], "service_id")
        if service_id not in services:
            raise cells.error(
                "service_id",
                f"service_id '{service_id}' is not in calendar.txt or calendar_dates.txt",
            )
        shape_id = _optional(row, c_shape) or None
        if shape_id is not None and shape_id not in shapes:
            raise cells.error("shape_id", f"shape_id '{shape_id}' is not in shapes.txt")
        direction = cells.choice(_optional(row, c_direction), "direction_id", range(2), None)
        headsign = _optional(row, c_headsign)
        trips.append(TripRow(trip_id, route_id, service_id, headsign, direction, shape_id, line))
        lines[trip_id] = line
    return trips


def read_frequencies(
    table: Table,
    trip_ids: Collection[str],
    kept: Container[str],
    log: WarningLog,
) -> dict[str, tuple[Frequency, ...]]:
    """Read ``frequencies.txt``: trip id to its windows, sorted by start.

    Args:
        table: ``frequencies.txt``.
        trip_ids: every trip id of ``trips.txt``.
        kept: the trips that loaded; windows of dropped trips are left out.
        log: where warnings go.

    Raises:
        FeedError: a missing field, an unknown trip, a bad time, headway or flag.
    """
    c_trip = table.require("trip_id")
    c_start = table.require("start_time")
    c_end = table.require("end_time")
    c_headway = table.require("headway_secs")
    c_exact = table.column("exact_times")
    cells = Cells(table.name)
    windows: dict[str, list[Frequency]] = {}
    for line, row in table.rows():
        cells.line = line
        trip_id = cells.required(row[c_trip], "trip_id")
        if trip_id not in trip_ids:
            raise cells.error("trip_id", f"trip_id '{trip_id}' is not in trips.txt")
        start = cells.time(row[c_start], "start_time")
        end = cells.time(row[c_end], "end_time")
        headway = cells.integer(row[c_headway], "headway_secs", low=1)
        exact = cells.choice(_optional(row, c_exact), "exact_times", range(2), 0)
        assert exact is not None
        if end <= start:
            log.add(
                "empty_frequency_window",
                f"{table.name} line {line}: trip '{trip_id}' window {format_time(start)}"
                f"-{format_time(end)} ends before it starts (dropped)",
            )
            continue
        if trip_id in kept:
            windows.setdefault(trip_id, []).append(Frequency(trip_id, start, end, headway, exact))
    return {
        trip_id: tuple(sorted(found, key=lambda f: f.start)) for trip_id, found in windows.items()
    }


def read_feed_info(table: Table) -> dict[str, str]:
    """Read the first row of ``feed_info.txt`` as column to value (empty values left out)."""
    for _, row in table.rows():
        return {column: row[i].strip() for column, i in table.columns.items() if row[i].strip()}
    return {}
