"""Geometry on the Earth's surface: distances, bearings, points along a path.

Pure functions on WGS84 degrees and metres; no I/O. Accurate enough for city
scale (spherical Earth, mean radius).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence

__all__ = [
    "EARTH_RADIUS_M",
    "bearing_deg",
    "cumulative_distances",
    "haversine_m",
    "point_along",
    "segment_bearings",
]

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in metres between two points."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the initial bearing from point 1 to point 2, degrees clockwise from north."""
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360.0


def cumulative_distances(lats: Sequence[float], lons: Sequence[float]) -> list[float]:
    """Return metres from the first point to each point along the polyline."""
    out = [0.0] * len(lats)
    total = 0.0
    for i in range(1, len(lats)):
        total += haversine_m(lats[i - 1], lons[i - 1], lats[i], lons[i])
        out[i] = total
    return out


def segment_bearings(lats: Sequence[float], lons: Sequence[float]) -> list[float]:
    """Return the bearing of each segment ``[i, i + 1]`` of a polyline (for :func:`point_along`)."""
    return [bearing_deg(lats[i], lons[i], lats[i + 1], lons[i + 1]) for i in range(len(lats) - 1)]


def point_along(
    lats: Sequence[float],
    lons: Sequence[float],
    distances: Sequence[float],
    d: float,
    bearings: Sequence[float] | None = None,
) -> tuple[float, float, float]:
    """Return ``(lat, lon, bearing)`` at ``d`` metres along a polyline.

    Args:
        lats, lons: the polyline's points.
        distances: metres from the first point to each point, non-decreasing.
        d: how far along; clamped to the polyline's ends.
        bearings: the polyline's :func:`segment_bearings`, if the caller keeps them
            (a polyline walked every second needs its trigonometry once).

    Returns:
        The interpolated position and the bearing of the segment it lies on (the
        last segment of non-zero length when ``d`` is at or past the end).
    """
    n = len(lats)
    if n == 1:
        return lats[0], lons[0], 0.0
    # Index of the segment [i, i + 1] that holds d.
    i = bisect_right(distances, d) - 1
    i = max(0, min(i, n - 2))
    # Skip zero-length segments so the bearing is defined.
    j = i
    while j < n - 2 and distances[j + 1] - distances[j] <= 0.0:
        j += 1
    while j > 0 and distances[j + 1] - distances[j] <= 0.0:
        j -= 1
    i = j
    seg = distances[i + 1] - distances[i]
    f = 0.0 if seg <= 0.0 else min(1.0, max(0.0, (d - distances[i]) / seg))
    lat = lats[i] + (lats[i + 1] - lats[i]) * f
    lon = lons[i] + (lons[i + 1] - lons[i]) * f
    if bearings is not None:
        return lat, lon, bearings[i]
    return lat, lon, bearing_deg(lats[i], lons[i], lats[i + 1], lons[i + 1])
