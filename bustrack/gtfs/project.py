"""Placing a trip's stops along its shape, in order.

Pure geometry; no I/O. Used when a feed gives a shape but no ``shape_dist_traveled``.

A stop is projected onto the nearest point of the shape, but a shape may pass near
the same stop twice (loops, out-and-back legs), so the nearest point is not always
the right one. :func:`project_stops` therefore keeps, for every stop, one candidate
per pass of the shape near it (within the nearest distance plus ``max(100 m, that
distance)``) and picks the sequence of candidates that never goes backwards along
the shape and lies closest to the stops overall (a small dynamic programme). If no
candidate of a stop lies at or after the previous stop's, the stop is placed at the
previous stop's position. Positions are thus non-decreasing.

Distances to segments are measured on a local flat projection (equirectangular
around the shape's mean latitude), which is exact enough at city scale; a grid of
cells makes finding the segments near a stop cheap on long shapes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from bustrack.geo import EARTH_RADIUS_M, haversine_m, point_along
from bustrack.gtfs.model import Shape

__all__ = ["ShapeIndex", "project_stops"]

CELL_M = 250.0
SLACK_M = 100.0
_M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0


class ShapeIndex:
    """A shape prepared for projecting points onto it."""

    __slots__ = ("_cell", "_grid", "_kx", "_pos", "_xs", "_ys", "shape")

    def __init__(self, shape: Shape, cell: float = CELL_M) -> None:
        self.shape = shape
        lat0 = math.radians(sum(shape.lats) / len(shape.lats))
        self._kx = _M_PER_DEG * math.cos(lat0)
        self._xs = [lon * self._kx for lon in shape.lons]
        self._ys = [lat * _M_PER_DEG for lat in shape.lats]
        self._pos = shape.distances
        self._cell = cell
        self._grid: dict[tuple[int, int], list[int]] = {}
        for i in range(len(self._xs) - 1):
            self._add_segment(i)

    def _add_segment(self, i: int) -> None:
        """File segment ``i`` under every grid cell it passes through."""
        x1, y1, x2, y2 = self._xs[i], self._ys[i], self._xs[i + 1], self._ys[i + 1]
        steps = int(math.hypot(x2 - x1, y2 - y1) / (self._cell / 2)) + 1
        for s in range(steps + 1):
            f = s / steps
            key = (
                math.floor((x1 + (x2 - x1) * f) / self._cell),
                math.floor((y1 + (y2 - y1) * f) / self._cell),
            )
            found = self._grid.setdefault(key, [])
            if not found or found[-1] != i:
                found.append(i)

    def _near(self, x: float, y: float, radius: float) -> set[int] | range:
        """Return segments that may lie within ``radius`` of ``(x, y)`` (all when cheaper)."""
        ring = math.ceil(radius / self._cell) + 1
        if (2 * ring + 1) ** 2 >= len(self._grid):
            return range(len(self._xs) - 1)
        cx, cy = math.floor(x / self._cell), math.floor(y / self._cell)
        found: set[int] = set()
        for gx in range(cx - ring, cx + ring + 1):
            for gy in range(cy - ring, cy + ring + 1):
                found.update(self._grid.get((gx, gy), ()))
        return found

    def _measure(self, i: int, x: float, y: float) -> tuple[float, float, float]:
        """Return distance to segment ``i``; position and fraction along it of the nearest point."""
        x1, y1 = self._xs[i], self._ys[i]
        dx, dy = self._xs[i + 1] - x1, self._ys[i + 1] - y1
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0.0 else min(1.0, max(0.0, ((x - x1) * dx + (y - y1) * dy) / length2))
        distance = math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))
        return distance, self._pos[i] + t * (self._pos[i + 1] - self._pos[i]), t

    def candidates(
        self, lat: float, lon: float, within: float | None = None
    ) -> list[tuple[float, float]]:
        """Return ``(position, distance)`` in metres for each pass of the shape near a point.

        The first is the pass nearest to the point; the others are passes within
        the nearest distance plus ``max(SLACK_M, nearest distance)``. Sorted by position.
        With ``within``, only passes at most that far (none if the shape is farther: a
        cheap answer for a point nowhere near it).
        """
        x, y = lon * self._kx, lat * _M_PER_DEG
        radius = self._cell if within is None else within
        while True:
            near = self._near(x, y, radius)
            nearest = min((self._measure(i, x, y)[0] for i in near), default=math.inf)
            if nearest <= radius or isinstance(near, range):
                break
            if within is not None:
                return []
            radius *= 4
        limit = nearest + max(SLACK_M, nearest)
        if within is not None:
            limit = min(limit, within)
        hits = sorted(
            (i, *m) for i in self._near(x, y, limit) if (m := self._measure(i, x, y))[0] <= limit
        )
        # A pass is a local minimum of the distance along the shape. Two consecutive
        # segments whose nearest points are both inside them (not at the vertex they
        # share) have a hump between them: two passes.
        passes: list[tuple[float, float]] = []
        previous, previous_t = -2, 0.0
        for i, distance, position, t in hits:
            if i != previous + 1 or (previous_t < 1.0 and t > 0.0):
                passes.append((position, distance))
            elif distance < passes[-1][1]:
                passes[-1] = (position, distance)
            previous, previous_t = i, t
        return sorted(passes)

    def distance_at(self, position: float, lat: float, lon: float) -> float:
        """Return metres from a point to the shape's point at ``position``."""
        s = self.shape
        plat, plon, _ = point_along(s.lats, s.lons, s.distances, position)
        return haversine_m(lat, lon, plat, plon)


def project_stops(index: ShapeIndex, points: Sequence[tuple[float, float]]) -> list[float]:
    """Return the position along the shape of each ``(lat, lon)``, in metres, non-decreasing.

    Args:
        index: the shape.
        points: the stops, in trip order.
    """
    if not points:
        return []
    layers = [index.candidates(*points[0])]
    costs = [[d for _, d in layers[0]]]
    parents: list[list[int]] = [[-1] * len(layers[0])]
    for lat, lon in points[1:]:
        before, before_costs = layers[-1], costs[-1]
        here = index.candidates(lat, lon)
        cost: list[float] = []
        parent: list[int] = []
        for position, distance in here:
            best, best_p = math.inf, -1
            for p, (earlier, _) in enumerate(before):
                if earlier <= position and before_costs[p] < best:
                    best, best_p = before_costs[p], p
            cost.append(best + distance)
            parent.append(best_p)
        if all(c == math.inf for c in cost):  # every pass is behind: stay in place
            here = [(earlier, index.distance_at(earlier, lat, lon)) for earlier, _ in before]
            cost = [c + d for c, (_, d) in zip(before_costs, here, strict=True)]
            parent = list(range(len(before)))
        layers.append(here)
        costs.append(cost)
        parents.append(parent)
    k = min(range(len(costs[-1])), key=costs[-1].__getitem__)
    out = [0.0] * len(points)
    for j in range(len(points) - 1, -1, -1):
        out[j] = layers[j][k][0]
        k = parents[j][k]
    return out
