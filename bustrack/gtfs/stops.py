"""Reading ``stops.txt`` into :class:`~bustrack.gtfs.model.Stop` objects.

Pure; no I/O. Rules, after the GTFS Schedule reference:

- ``stop_lat``/``stop_lon`` are required for location types 0 (stop or platform),
  1 (station) and 2 (entrance); a missing, unparseable or out-of-range value is a
  :class:`~bustrack.gtfs.errors.FeedError`. Types 3 (generic node) and 4 (boarding
  area) may omit them: they take their parent's position.
- ``parent_station`` is required for types 2, 3 and 4 and must name a stop of the
  file. A station (type 1) may not have one: it is ignored, with a
  ``station_with_parent`` warning.
"""

from __future__ import annotations

from typing import NamedTuple

from bustrack.gtfs.csvfile import Table
from bustrack.gtfs.errors import WarningLog
from bustrack.gtfs.model import Stop
from bustrack.gtfs.values import Cells

__all__ = ["read_stops"]

STATION = 1
_NEEDS_POSITION = (0, 1, 2)
_NEEDS_PARENT = (2, 3, 4)


class _Row(NamedTuple):
    stop_id: str
    name: str
    lat: float | None
    lon: float | None
    location_type: int
    parent: str | None
    line: int


def read_stops(table: Table, log: WarningLog) -> tuple[dict[str, Stop], dict[str, int]]:
    """Read every stop, station, entrance, node and boarding area.

    Args:
        table: ``stops.txt``.
        log: where warnings go.

    Returns:
        The stops by id, in file order, and the line each was read from.

    Raises:
        FeedError: a missing column or id, a duplicate id, a bad or missing
            coordinate, a bad location type, an unknown or missing parent.
    """
    c_id = table.require("stop_id")
    c_lat = table.require("stop_lat")
    c_lon = table.require("stop_lon")
    c_name = table.column("stop_name")
    c_type = table.column("location_type")
    c_parent = table.column("parent_station")
    cells = Cells(table.name)
    rows: dict[str, _Row] = {}
    for line, row in table.rows():
        cells.line = line
        stop_id = cells.required(row[c_id], "stop_id")
        if stop_id in rows:
            raise cells.error(
                "stop_id", f"stop_id '{stop_id}' is a duplicate of line {rows[stop_id].line}"
            )
        kind = 0 if c_type is None else cells.choice(row[c_type], "location_type", range(5), 0)
        assert kind is not None
        lat = _coordinate(cells, row[c_lat], "stop_lat", 90.0, kind)
        lon = _coordinate(cells, row[c_lon], "stop_lon", 180.0, kind)
        parent = (row[c_parent].strip() or None) if c_parent is not None else None
        if parent is None and kind in _NEEDS_PARENT:
            raise cells.error(
                "parent_station", f"parent_station is empty (required for location_type {kind})"
            )
        if parent is not None and kind == STATION:
            log.add(
                "station_with_parent",
                f"{table.name} line {line}: station '{stop_id}' has parent_station "
                f"'{parent}' (ignored)",
            )
            parent = None
        name = row[c_name] if c_name is not None else ""
        rows[stop_id] = _Row(stop_id, name, lat, lon, kind, parent, line)
    stops = {stop_id: _stop(table, rows, r) for stop_id, r in rows.items()}
    return stops, {stop_id: r.line for stop_id, r in rows.items()}


def _coordinate(cells: Cells, text: str, field: str, limit: float, kind: int) -> float | None:
    """Parse a latitude or longitude; None when empty and the location type allows it."""
    if not text.strip():
        if kind in _NEEDS_POSITION:
            raise cells.error(field, f"{field} is empty (required for location_type {kind})")
        return None
    return cells.number(text, field, -limit, limit)


def _stop(table: Table, rows: dict[str, _Row], row: _Row) -> Stop:
    """Build one stop, checking its parent and filling a missing position from it."""
    cells = Cells(table.name)
    cells.line = row.line
    lat, lon = row.lat, row.lon
    if row.parent is not None:
        parent = rows.get(row.parent)
        if parent is None:
            raise cells.error(
                "parent_station",
                f"parent_station '{row.parent}' is not a stop_id of {table.name}",
            )
        if lat is None or lon is None:
            lat, lon = parent.lat, parent.lon
    if lat is None or lon is None:
        raise cells.error(
            "stop_lat",
            f"stop_lat is empty and parent_station '{row.parent}' has no position either",
        )
    return Stop(row.stop_id, row.name, lat, lon, row.location_type, row.parent)
