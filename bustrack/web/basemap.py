"""The operator's own basemap: a PMTiles v3 archive of vector tiles, served at /basemap.pmtiles.

``--basemap city.pmtiles`` (a Protomaps basemap, built from OpenStreetMap) replaces the raster
tiles of ``--tile-url``: the page draws it with protomaps-leaflet (served from npm's
``node_modules`` like Leaflet), which reads the archive with HTTP range requests, the header
and directories first, then each tile's bytes. aiohttp's :class:`~aiohttp.web.FileResponse`
answers ``Range`` (206 with ``Content-Range``, 416 for a range past the end), ``ETag`` /
``Last-Modified`` and their conditional requests.

:func:`read_header` reads the archive's fixed 127-byte header (the PMTiles v3 specification,
github.com/protomaps/PMTiles, spec/v3/spec.md): it checks the magic and the version, that the
tiles are vector tiles (MVT), and gives the zoom levels the page needs. No other I/O here but
reading that header; the routes are added by :func:`add_basemap_routes`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

__all__ = [
    "BASEMAP_PATH",
    "HEADER_LENGTH",
    "Basemap",
    "BasemapError",
    "BasemapHeader",
    "add_basemap_routes",
    "basemap_key",
    "read_header",
]

BASEMAP_PATH = "/basemap.pmtiles"
HEADER_LENGTH = 127
MAGIC = b"PMTiles"
VERSION = 3
TILE_TYPE_MVT = 1
_TILE_TYPES = {0: "of an unknown type", 1: "MVT", 2: "PNG", 3: "JPEG", 4: "WebP", 5: "AVIF"}
# The browser keeps what it read for a day (tiles already seen still draw in a tunnel), then
# revalidates with the ETag: a 304 unless the operator replaced the file.
CACHE_CONTROL = "public, max-age=86400"


class BasemapError(ValueError):
    """The basemap file cannot be served; the message says why, naming the file."""


@dataclass(frozen=True, slots=True)
class BasemapHeader:
    """What the page needs of a PMTiles archive's header."""

    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]  # west, south, east, north (degrees)


@dataclass(frozen=True, slots=True)
class Basemap:
    """The archive served and its header."""

    path: Path
    header: BasemapHeader


basemap_key = web.AppKey("basemap_key", Basemap)


def read_header(path: Path) -> BasemapHeader:
    """Read and check the header of the PMTiles v3 archive at ``path``.

    Raises:
        BasemapError: the file is missing or unreadable, is not PMTiles v3, or holds raster
            tiles (the page draws vector tiles only).
    """
    where = f"--basemap {path}"
    try:
        with path.open("rb") as f:
            head = f.read(HEADER_LENGTH)
    except FileNotFoundError:
        raise BasemapError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise BasemapError(f"{where}: is a folder, not a .pmtiles file") from None
    except OSError as err:
        raise BasemapError(f"{where}: cannot be read ({err.strerror})") from None
    if not head.startswith(MAGIC):
        raise BasemapError(f"{where}: not a PMTiles file (it does not start with 'PMTiles')")
    if len(head) > 7 and head[7] != VERSION:
        raise BasemapError(
            f"{where}: PMTiles version {head[7]}, not 3 "
            "(`pmtiles convert` makes a v3 archive of an older one)"
        )
    if len(head) < HEADER_LENGTH:
        raise BasemapError(f"{where}: cut short ({len(head)} bytes, not even a header)")
    tile_type = head[99]
    if tile_type != TILE_TYPE_MVT:
        kind = _TILE_TYPES.get(tile_type, f"of type {tile_type}")
        raise BasemapError(
            f"{where}: its tiles are {kind}, not vector tiles (MVT): "
            "use --tile-url for raster tiles"
        )
    min_zoom, max_zoom = head[100], head[101]
    west, south, east, north = (v / 1e7 for v in struct.unpack_from("<4i", head, 102))
    return BasemapHeader(min_zoom=min_zoom, max_zoom=max_zoom, bounds=(west, south, east, north))


async def _basemap(request: web.Request) -> web.FileResponse:
    return web.FileResponse(
        request.app[basemap_key].path,
        headers={"Cache-Control": CACHE_CONTROL, "Content-Type": "application/octet-stream"},
    )


def add_basemap_routes(app: web.Application, basemap: Basemap) -> None:
    """Serve ``basemap`` as :data:`BASEMAP_PATH` (GET and HEAD, with ranges)."""
    app[basemap_key] = basemap
    app.router.add_get(BASEMAP_PATH, _basemap, name="basemap")
