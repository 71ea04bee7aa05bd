"""Reading ``shapes.txt`` into :class:`~bustrack.gtfs.model.Shape` objects.

Pure; no I/O. Points are sorted by ``shape_pt_sequence`` (feeds may list them in any
order; equal numbers keep file order). ``Shape.distances`` are always metres along
the points. When every point has a non-decreasing ``shape_dist_traveled`` the feed's
spacing is kept but scaled so the total equals the measured length, whatever unit
the feed used; the scale (a :class:`ShapeScale`) also converts the
``shape_dist_traveled`` of stop times on that shape.

Repairs (each counted as a warning):

- ``bad_shape_point``: a point with an empty coordinate, a coordinate out of range,
  or exactly ``0,0`` is skipped. A coordinate that is not a number is a
  :class:`~bustrack.gtfs.errors.FeedError`, as everywhere.
- ``shape_dist_traveled_ignored``: values missing on some points, decreasing, or
  all equal; distances are then measured along the points.
- ``unusable_shape``: fewer than two usable points, or zero length. The shape is
  left out and trips using it run along straight lines between their stops.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from bustrack.geo import cumulative_distances
from bustrack.gtfs.csvfile import Table
from bustrack.gtfs.errors import WarningLog
from bustrack.gtfs.grouping import group_rows, order_rows
from bustrack.gtfs.model import Shape
from bustrack.gtfs.values import MAX_INTEGER, Cells

__all__ = ["ShapeScale", "Shapes", "read_shapes"]


class ShapeScale(NamedTuple):
    """Converts a shape's ``shape_dist_traveled`` units to metres along it."""

    origin: float
    factor: float

    def metres(self, value: float) -> float:
        """Return metres from the shape's first point for a feed distance ``value``."""
        return (value - self.origin) * self.factor


class Shapes(NamedTuple):
    """What :func:`read_shapes` found."""

    shapes: dict[str, Shape]
    scales: dict[str, ShapeScale]
    ids: frozenset[str]  # every shape id of the file, usable or not


class _Points(NamedTuple):
    shape: array[int]
    sequence: array[int]
    lats: array[float]
    lons: array[float]
    dists: array[float]
    lines: array[int]


def read_shapes(table: Table | None, log: WarningLog) -> Shapes:
    """Read every shape of ``shapes.txt`` (None when the feed has no such file).

    Raises:
        FeedError: a missing column or field, a number that does not parse.
    """
    if table is None or table.empty:
        return Shapes({}, {}, frozenset())
    names: list[str] = []
    points = _read_points(table, names, log)
    shapes: dict[str, Shape] = {}
    scales: dict[str, ShapeScale] = {}
    for k, rows in enumerate(group_rows(points.shape, len(names))):
        rows, _ = order_rows(rows, points.sequence)
        built = _build(table.name, names[k], rows, points, table.column("shape_dist_traveled"), log)
        if built is not None:
            shapes[names[k]] = built[0]
            if built[1] is not None:
                scales[names[k]] = built[1]
    return Shapes(shapes, scales, frozenset(names))


def _read_points(table: Table, names: list[str], log: WarningLog) -> _Points:
    c_id = table.require("shape_id")
    c_lat = table.require("shape_pt_lat")
    c_lon = table.require("shape_pt_lon")
    c_seq = table.require("shape_pt_sequence")
    c_dist = table.column("shape_dist_traveled")
    cells = Cells(table.name)
    ids: dict[str, int] = {}
    p = _Points(array("i"), array("q"), array("d"), array("d"), array("d"), array("i"))
    for line, row in table.rows():
        shape_id = row[c_id]
        k = ids.get(shape_id)
        if k is None:
            cells.line = line
            k = ids[shape_id] = len(names)
            names.append(cells.required(shape_id, "shape_id"))
        lat_text, lon_text = row[c_lat], row[c_lon]
        try:
            lat, lon = float(lat_text), float(lon_text)
        except ValueError:
            cells.line = line
            for text, field in ((lat_text, "shape_pt_lat"), (lon_text, "shape_pt_lon")):
                if text.strip():
                    cells.number(text, field)  # raises unless it is a number
            lat = lon = math.nan  # an empty coordinate: the point is skipped below
        try:
            sequence = int(row[c_seq])
            if abs(sequence) > MAX_INTEGER:
                raise ValueError(row[c_seq])
        except ValueError:
            cells.line = line
            sequence = cells.integer(row[c_seq], "shape_pt_sequence")
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or lat == lon == 0.0:
            log.add(
                "bad_shape_point",
                f"{table.name} line {line}: shape '{shape_id}' point at "
                f"'{lat_text}','{lon_text}' (skipped)",
            )
            continue
        dist = math.nan
        if c_dist is not None and (text := row[c_dist]).strip():
            try:
                dist = float(text)
            except ValueError:
                cells.line = line
                cells.number(text, "shape_dist_traveled")
        p.shape.append(k)
        p.sequence.append(sequence)
        p.lats.append(lat)
        p.lons.append(lon)
        p.dists.append(dist)
        p.lines.append(line)
    return p


def _build(
    file: str,
    shape_id: str,
    rows: Sequence[int],
    p: _Points,
    c_dist: int | None,
    log: WarningLog,
) -> tuple[Shape, ShapeScale | None] | None:
    """Build one shape from its ordered rows; None (with a warning) when unusable."""
    where = f"{file} line {p.lines[rows[0]]}" if rows else file
    lats = array("d", (p.lats[i] for i in rows))
    lons = array("d", (p.lons[i] for i in rows))
    measured = cumulative_distances(lats, lons)
    if len(rows) < 2 or measured[-1] <= 0.0:
        log.add(
            "unusable_shape",
            f"{where}: shape '{shape_id}' has {len(rows)} usable point(s) and "
            f"{measured[-1] if measured else 0.0:.0f} m length (left out)",
        )
        return None
    values = [p.dists[i] for i in rows]
    scale = None
    if c_dist is not None and any(not math.isnan(v) for v in values):
        problem = _dist_problem(values)
        if problem is None:
            scale = ShapeScale(values[0], measured[-1] / (values[-1] - values[0]))
            measured = [scale.metres(v) for v in values]
        else:
            log.add(
                "shape_dist_traveled_ignored",
                f"{where}: shape '{shape_id}' shape_dist_traveled {problem} "
                "(measured along the points instead)",
            )
    return Shape(shape_id, lats, lons, array("d", measured)), scale


def _dist_problem(values: Sequence[float]) -> str | None:
    """Return why these ``shape_dist_traveled`` values are unusable, or None."""
    if any(math.isnan(v) for v in values):
        return "is missing on some points"
    if any(a > b for a, b in pairwise(values)):
        return "decreases"
    if values[-1] <= values[0]:
        return "does not increase"
    return None
