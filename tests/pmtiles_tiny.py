"""A tiny Protomaps-style basemap for tests: a PMTiles v3 archive of a few vector tiles.

The tiles (Mapbox Vector Tile 2.1, encoded here by hand: a handful of protobuf fields) cover
:data:`BBOX` at zooms 0 to :data:`MAX_ZOOM` with three layers of the Protomaps basemap schema
(the layer names and ``kind`` values protomaps-leaflet's flavors draw): ``earth`` (land
everywhere), ``water`` (the sea west of :data:`COAST_LON`) and ``roads`` (one highway along
:data:`ROAD_LAT`, east of the coast). The archive is written by the ``pmtiles`` package's
writer (Protomaps' own), tiles gzipped as in Protomaps' builds.
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Iterator, Sequence
from pathlib import Path

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write

__all__ = [
    "BBOX",
    "COAST_LON",
    "MAX_ZOOM",
    "ROAD_LAT",
    "encode_tile",
    "tile_of",
    "write_tiny_basemap",
]

# west, south, east, north: Mumbai, as the README's extract.
BBOX = (72.7, 18.85, 73.1, 19.35)
COAST_LON = 72.84  # the sea is west of it
ROAD_LAT = 19.0  # the highway runs east-west along it, from the coast to the east
ROAD_EAST = 73.1
MAX_ZOOM = 12
EXTENT = 4096

Point = tuple[float, float]  # lon, lat


def _mercator(lon: float, lat: float, z: int) -> tuple[float, float]:
    """The point in tile units of zoom ``z`` (x east, y south)."""
    n = 1 << z
    lat_r = math.radians(lat)
    x = (lon + 180) / 360 * n
    y = (1 - math.log(math.tan(lat_r) + 1 / math.cos(lat_r)) / math.pi) / 2 * n
    return x, y


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The ``(x, y)`` of the zoom ``z`` tile holding the point."""
    x, y = _mercator(lon, lat, z)
    return int(x), int(y)


# Protobuf, as much as MVT needs.


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _bytes(field: int, data: bytes) -> bytes:
    return _key(field, 2) + _varint(len(data)) + data


def _uint(field: int, n: int) -> bytes:
    return _key(field, 0) + _varint(n)


def _packed(field: int, values: Sequence[int]) -> bytes:
    return _bytes(field, b"".join(_varint(v) for v in values))


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 31)


def _geometry(parts: Sequence[Sequence[tuple[int, int]]], closed: bool) -> list[int]:
    """MVT geometry commands: per part MoveTo, LineTo … (ClosePath for rings)."""
    out: list[int] = []
    cx = cy = 0
    for part in parts:
        for i, (x, y) in enumerate(part):
            if i == 0:
                out.append(1 | 1 << 3)  # MoveTo, 1 point
            elif i == 1:
                out.append(2 | (len(part) - 1) << 3)  # LineTo, the rest
            out += [_zigzag(x - cx), _zigzag(y - cy)]
            cx, cy = x, y
        if closed:
            out.append(7 | 1 << 3)  # ClosePath
    return out


def _layer(name: str, features: Sequence[tuple[int, list[int], dict[str, str]]]) -> bytes:
    keys: list[str] = []
    values: list[str] = []
    body = b""
    for fid, (kind, geometry, props) in enumerate(features, start=1):
        tags: list[int] = []
        for k, v in props.items():
            if k not in keys:
                keys.append(k)
            if v not in values:
                values.append(v)
            tags += [keys.index(k), values.index(v)]
        feature = _uint(1, fid) + _packed(2, tags) + _uint(3, kind) + _packed(4, geometry)
        body += _bytes(2, feature)
    layer = _uint(15, 2) + _bytes(1, name.encode())
    layer += body
    layer += b"".join(_bytes(3, k.encode()) for k in keys)
    layer += b"".join(_bytes(4, _bytes(1, v.encode())) for v in values)  # string values
    layer += _uint(5, EXTENT)
    return _bytes(3, layer)


def encode_tile(z: int, x: int, y: int, coast_lon: float = COAST_LON) -> bytes:
    """The MVT of tile ``z/x/y`` (not compressed), the sea west of ``coast_lon``."""

    def local(lon: float, lat: float) -> tuple[int, int]:
        mx, my = _mercator(lon, lat, z)
        return round((mx - x) * EXTENT), round((my - y) * EXTENT)

    def ring(corners: Sequence[Point]) -> list[tuple[int, int]]:
        return [local(lon, lat) for lon, lat in corners]

    west, south, east, north = BBOX
    margin = 0.5
    # Exterior rings clockwise on screen (y down): north-west, north-east, south-east, south-west.
    land = ring([(west - margin, north + margin), (east + margin, north + margin),
                 (east + margin, south - margin), (west - margin, south - margin)])  # fmt: skip
    sea = ring([(west - margin, north + margin), (coast_lon, north + margin),
                (coast_lon, south - margin), (west - margin, south - margin)])  # fmt: skip
    road = ring([(coast_lon, ROAD_LAT), (ROAD_EAST, ROAD_LAT)])
    polygon, line = 3, 2
    return (
        _layer("earth", [(polygon, _geometry([land], closed=True), {"kind": "earth"})])
        + _layer("water", [(polygon, _geometry([sea], closed=True), {"kind": "ocean"})])
        + _layer(
            "roads",
            [(line, _geometry([road], closed=False), {"kind": "highway", "name": "Test Road"})],
        )
    )


def _tiles() -> Iterator[tuple[int, int, int]]:
    west, south, east, north = BBOX
    for z in range(MAX_ZOOM + 1):
        x0, y0 = tile_of(west, north, z)
        x1, y1 = tile_of(east, south, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                yield z, x, y


def write_tiny_basemap(path: Path, coast_lon: float = COAST_LON) -> Path:
    """Write the archive to ``path``, the sea west of ``coast_lon``; return ``path``."""
    tiles = sorted(_tiles(), key=lambda t: zxy_to_tileid(*t))
    west, south, east, north = BBOX
    with write(str(path)) as writer:
        for z, x, y in tiles:
            tile = encode_tile(z, x, y, coast_lon)
            writer.write_tile(zxy_to_tileid(z, x, y), gzip.compress(tile, mtime=0))
        writer.finalize(
            {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.GZIP,
                "min_lon_e7": round(west * 1e7),
                "min_lat_e7": round(south * 1e7),
                "max_lon_e7": round(east * 1e7),
                "max_lat_e7": round(north * 1e7),
                "center_zoom": 11,
                "center_lon_e7": round((west + east) / 2 * 1e7),
                "center_lat_e7": round((south + north) / 2 * 1e7),
            },
            {
                "name": "bustrack test basemap",
                "attribution": "test data",
                "vector_layers": [
                    {"id": name, "fields": {"kind": "String"}}
                    for name in ("earth", "water", "roads")
                ],
            },
        )
    return path
