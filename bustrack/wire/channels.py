"""Channels: the pieces of the fleet that clients subscribe to.

Pure: no I/O. Every vehicle belongs, at each tick, to a few channels:

- ``"all"``: the whole fleet;
- ``"14/x/y"`` and ``"12/x/y"``: the web-map tile (zoom 14, about 2.3 km wide at
  Mumbai's latitude, or zoom 12, about 9 km) that holds its position;
- ``"r/<route_id>"``: its route.

A client's subscription (a bounding box, or a list of routes) maps to a small set of
channels of one kind, so the channels it gets never overlap. The server builds each
channel's frame part once per tick for everybody, and a client's frame joins the
parts of its channels. Tiles are the standard Web Mercator ("slippy map") tiles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "ALL",
    "MAX_TILES",
    "TILE_ZOOMS",
    "BBox",
    "Subscription",
    "TilePlace",
    "channels_for",
    "parse_bbox",
    "route_channel",
    "tile_channel",
    "tile_place",
    "tile_xy",
    "tiles_covering",
    "vehicle_channels",
]

ALL = "all"
TILE_ZOOMS = (14, 12)  # finest first
MAX_TILES = 9  # more tiles than this at the finest zoom: try a coarser one
_MAX_LAT = 85.05112878

BBox = tuple[float, float, float, float]  # west, south, east, north


@dataclass(frozen=True, slots=True)
class Subscription:
    """What a client asked to see: a box, and optionally only some routes.

    ``bbox`` None means the whole fleet. With ``routes``, the client gets every
    vehicle of those routes wherever it is (a route's fleet is small), and the
    box is not used to filter. ``stop`` and ``vehicle`` ask, besides, for a stop's
    arrivals and a bus's details every tick; ``glance`` (sorted stop ids) for a few
    stops' next buses at a glance.
    """

    bbox: BBox | None = None
    routes: tuple[str, ...] = ()
    stop: str | None = None
    vehicle: str | None = None
    glance: tuple[str, ...] = ()


def tile_xy(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    """Return the x, y of the Web Mercator tile at ``zoom`` that holds the point."""
    n = 1 << zoom
    lat = max(-_MAX_LAT, min(_MAX_LAT, lat))
    x = int((lon + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def _tile_north(y: int, n: int) -> float:
    """Return the latitude of the northern edge of tile row ``y`` of ``n``."""
    return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y / n))))


@dataclass(frozen=True, slots=True)
class TilePlace:
    """The tile channels that hold a point (one per zoom in :data:`TILE_ZOOMS`), and
    the bounds of the finest of those tiles.

    A moving bus keeps its place until it leaves those bounds, so its channels are
    worked out again only when it crosses a tile edge, not every tick.
    """

    channels: tuple[str, ...]
    west: float
    south: float
    east: float
    north: float

    def holds(self, lat: float, lon: float) -> bool:
        """Return whether the point lies in this place's finest tile."""
        return self.west <= lon < self.east and self.south < lat <= self.north


def tile_place(lat: float, lon: float) -> TilePlace:
    """Return the tiles that hold the point, at every zoom of :data:`TILE_ZOOMS`.

    The coarser tiles are the finest one's ancestors (a slippy-map tile at zoom
    ``z - k`` is ``x >> k, y >> k``), so one tile lookup serves every zoom.
    """
    zoom = TILE_ZOOMS[0]
    x, y = tile_xy(lat, lon, zoom)
    n = 1 << zoom
    channels = tuple(tile_channel(z, x >> (zoom - z), y >> (zoom - z)) for z in TILE_ZOOMS)
    return TilePlace(
        channels,
        west=x / n * 360.0 - 180.0,
        south=_tile_north(y + 1, n),
        east=(x + 1) / n * 360.0 - 180.0,
        north=_tile_north(y, n),
    )


def tile_channel(zoom: int, x: int, y: int) -> str:
    """Return the channel name of tile ``x``, ``y`` at ``zoom``."""
    return f"{zoom}/{x}/{y}"


def route_channel(route_id: str) -> str:
    """Return the channel name of route ``route_id``."""
    return f"r/{route_id}"


def vehicle_channels(lat: float, lon: float, route_id: str) -> tuple[str, ...]:
    """Return every channel a vehicle at ``lat``, ``lon`` on ``route_id`` belongs to."""
    return (ALL, route_channel(route_id), *tile_place(lat, lon).channels)


def tiles_covering(bbox: BBox, zoom: int) -> list[tuple[int, int]]:
    """Return the tiles at ``zoom`` that the box touches, row by row."""
    west, south, east, north = bbox
    x0, y0 = tile_xy(north, west, zoom)
    x1, y1 = tile_xy(south, east, zoom)
    return [(x, y) for y in range(y0, y1 + 1) for x in range(x0, x1 + 1)]


def _tile_count(bbox: BBox, zoom: int) -> int:
    west, south, east, north = bbox
    x0, y0 = tile_xy(north, west, zoom)
    x1, y1 = tile_xy(south, east, zoom)
    return (x1 - x0 + 1) * (y1 - y0 + 1)


def channels_for(sub: Subscription) -> tuple[str, ...]:
    """Return the channels that serve subscription ``sub``, sorted.

    Routes win over the box. A box maps to the tiles it touches at the finest
    zoom that needs at most :data:`MAX_TILES` of them; a box wider than that (a
    whole-city view) gets the ``all`` channel, as does no subscription.
    """
    if sub.routes:
        return tuple(sorted({route_channel(r) for r in sub.routes}))
    if sub.bbox is None:
        return (ALL,)
    for zoom in TILE_ZOOMS:
        if _tile_count(sub.bbox, zoom) <= MAX_TILES:
            tiles = tiles_covering(sub.bbox, zoom)
            return tuple(sorted(tile_channel(zoom, x, y) for x, y in tiles))
    return (ALL,)


def parse_bbox(raw: Sequence[object]) -> BBox:
    """Check a ``[west, south, east, north]`` list and return it as a tuple.

    Raises:
        ValueError: not four finite numbers in range with west < east and south < north.
    """
    if len(raw) != 4 or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in raw
    ):
        raise ValueError("bbox must be [west, south, east, north] in degrees")
    west, south, east, north = (float(v) for v in raw)  # type: ignore[arg-type]
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise ValueError("bbox must hold finite numbers")
    if not (-180 <= west < east <= 180):
        raise ValueError("bbox west/east must satisfy -180 <= west < east <= 180")
    if not (-90 <= south < north <= 90):
        raise ValueError("bbox south/north must satisfy -90 <= south < north <= 90")
    return west, south, east, north
