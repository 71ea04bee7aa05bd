"""A built :class:`~bustrack.gtfs.model.Feed` as bytes and back, in a format that cannot run code.

Pure: no I/O, no clock. :mod:`bustrack.gtfs.cache` stores feeds with it. Unlike a
pickle, decoding only ever makes the model's own objects (str, int, float, bool,
None, tuples, dicts, ``array('i')``/``array('d')``, dates and the dataclasses of
:mod:`~bustrack.gtfs.model`): whatever the bytes hold, no function or class they
name is called, because they cannot name one.

Layout (all integers little-endian)::

    magic      8 bytes   b"BTFEED\\r\\n"
    version    u32       FORMAT_VERSION
    itemsizes  2 bytes   array('i').itemsize, array('d').itemsize of the writer
    digest     32 bytes  SHA-256 of everything after the header
    doc_size   u64       bytes of the document that follows
    document   doc_size bytes of JSON (orjson), see below
    int_data   the int arrays, concatenated, little-endian
    float_data the float arrays, concatenated, little-endian

The document is one JSON object whose tables are lists of rows (lists), in the
order of the feed's dicts (the dict key is the object's id, the row's first value):
``agencies``, ``stops``, ``routes``, ``calendars`` (dates as day ordinals) and
``shapes`` rows hold their dataclass's fields in order, ``trips`` rows too but with
``stop_ids`` as a pattern index; ``frequencies`` rows are ``[trip_id, [[fields...],
...]]``, ``calendar_dates`` rows ``[service_id, [[day_ordinal, exception_type],
...]]``, ``warnings`` rows ``[kind, count, [examples...]]``; ``feed_info`` is an
object and ``content_hash`` a string. Arrays are held in ``int_data`` and
``float_data``: ``int_sizes`` and ``float_sizes`` list the length of each array in
turn, and rows name an array by its index there; an array shared by several trips
is stored once and shared again when read. ``patterns`` lists the distinct
``stop_ids`` tuples, each as the index of an int array of stop indices (into
``stops``).

:func:`decode_feed` checks everything: the header, the digest, the exact type and
count of every value, every index. Anything else raises :class:`CodecError`. The
digest catches a truncated or damaged entry, not a deliberate change (whoever can
write an entry can compute it); the checks bound what such a change can do: make
another timetable, never run code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import struct
import sys
from array import array
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import Any

import orjson

from bustrack.gtfs.model import (
    Agency,
    Calendar,
    Feed,
    Frequency,
    Route,
    Shape,
    Stop,
    Trip,
    Warning,
)

__all__ = ["FORMAT_VERSION", "MAGIC", "CodecError", "decode_feed", "encode_feed"]

MAGIC = b"BTFEED\r\n"
FORMAT_VERSION = 2  # 2: trips hold their stop_sequences
_HEADER = struct.Struct("<8sIBB32sQ")
_ITEMSIZES = (array("i").itemsize, array("d").itemsize)
_BIG_ENDIAN = sys.byteorder == "big"


class CodecError(ValueError):
    """The bytes are not a feed in this format, or the feed cannot be written in it."""


# Encoding.


class _Arrays:
    """The arrays of one typecode being written, each distinct object once."""

    def __init__(self, typecode: str) -> None:
        self.typecode = typecode
        self.data = array(typecode)
        self.sizes: list[int] = []
        self._index: dict[int, int] = {}
        self._keep: list[array[Any]] = []  # so that ids stay unique while encoding

    def add(self, values: object, what: str) -> int:
        """Return the index of ``values``, storing it if it is new."""
        if not isinstance(values, array) or values.typecode != self.typecode:
            raise CodecError(f"{what} is not an array('{self.typecode}')")
        found = self._index.get(id(values))
        if found is None:
            found = self._index[id(values)] = len(self.sizes)
            self.sizes.append(len(values))
            self.data.extend(values)
            self._keep.append(values)
        return found

    def to_bytes(self) -> bytes:
        """Return the concatenated arrays, little-endian."""
        if _BIG_ENDIAN:
            swapped = array(self.typecode, self.data)
            swapped.byteswap()
            return swapped.tobytes()
        return self.data.tobytes()


def _by_id(table: dict[str, Any], field: str, what: str) -> Iterable[Any]:
    """Yield the table's objects, checking each is keyed by its own id."""
    for key, obj in table.items():
        if getattr(obj, field) != key:
            raise CodecError(f"{what} '{key}' is keyed by something else than its id")
        yield obj


def _finite(value: float, what: str) -> float:
    """Return ``value`` as a float, which must be finite (JSON has no NaN)."""
    value = float(value)
    if not math.isfinite(value):
        raise CodecError(f"{what} is {value}")
    return value


def encode_feed(feed: Feed) -> bytes:
    """Return ``feed`` in this module's format (see the module docstring).

    Raises:
        CodecError: the feed holds something the format cannot express exactly
            (a non-finite stop coordinate, a dict not keyed by its objects' ids,
            an array of another typecode, a trip stopping at an unknown stop).
    """
    ints, floats = _Arrays("i"), _Arrays("d")
    stop_index = {stop_id: i for i, stop_id in enumerate(feed.stops)}
    patterns: dict[int, int] = {}
    pattern_rows: list[int] = []
    trips = []
    for trip in _by_id(feed.trips, "trip_id", "trip"):
        pattern = patterns.get(id(trip.stop_ids))
        if pattern is None:
            try:
                indices = array("i", [stop_index[s] for s in trip.stop_ids])
            except KeyError as err:
                raise CodecError(f"trip '{trip.trip_id}' stops at unknown stop {err}") from None
            pattern = patterns[id(trip.stop_ids)] = len(pattern_rows)
            pattern_rows.append(ints.add(indices, "a pattern"))
        what = f"trip '{trip.trip_id}'"
        trips.append(
            [
                trip.trip_id,
                trip.route_id,
                trip.service_id,
                trip.headsign,
                trip.direction_id,
                trip.shape_id,
                pattern,
                ints.add(trip.arrivals, f"{what} arrivals"),
                ints.add(trip.departures, f"{what} departures"),
                floats.add(trip.distances, f"{what} distances"),
                _finite(trip.shape_offset, f"{what} shape_offset"),
                ints.add(trip.stop_sequences, f"{what} stop_sequences"),
            ]
        )
    doc = {
        "agencies": [
            [a.agency_id, a.name, a.url, a.timezone]
            for a in _by_id(feed.agencies, "agency_id", "agency")
        ],
        "stops": [
            [
                s.stop_id,
                s.name,
                _finite(s.lat, f"stop '{s.stop_id}' lat"),
                _finite(s.lon, f"stop '{s.stop_id}' lon"),
                s.location_type,
                s.parent_station,
            ]
            for s in _by_id(feed.stops, "stop_id", "stop")
        ],
        "routes": [
            [
                r.route_id,
                r.agency_id,
                r.short_name,
                r.long_name,
                r.route_type,
                r.color,
                r.text_color,
            ]
            for r in _by_id(feed.routes, "route_id", "route")
        ],
        "patterns": pattern_rows,
        "trips": trips,
        "frequencies": [
            [key, [[f.trip_id, f.start, f.end, f.headway, f.exact_times] for f in windows]]
            for key, windows in feed.frequencies.items()
        ],
        "shapes": [
            [
                s.shape_id,
                floats.add(s.lats, f"shape '{s.shape_id}' lats"),
                floats.add(s.lons, f"shape '{s.shape_id}' lons"),
                floats.add(s.distances, f"shape '{s.shape_id}' distances"),
            ]
            for s in _by_id(feed.shapes, "shape_id", "shape")
        ],
        "calendars": [
            [c.service_id, list(c.weekdays), c.start_date.toordinal(), c.end_date.toordinal()]
            for c in _by_id(feed.calendars, "service_id", "calendar")
        ],
        "calendar_dates": [
            [key, [[day.toordinal(), kind] for day, kind in days.items()]]
            for key, days in feed.calendar_dates.items()
        ],
        "feed_info": feed.feed_info,
        "warnings": [[w.kind, w.count, list(w.examples)] for w in feed.warnings],
        "content_hash": feed.content_hash,
        "int_sizes": ints.sizes,
        "float_sizes": floats.sizes,
    }
    try:
        document = orjson.dumps(doc)
    except orjson.JSONEncodeError as err:  # e.g. an int beyond 64 bits, a non-str
        raise CodecError(f"the feed cannot be written: {err}") from None
    body = document + ints.to_bytes() + floats.to_bytes()
    digest = hashlib.sha256(body).digest()
    header = _HEADER.pack(MAGIC, FORMAT_VERSION, *_ITEMSIZES, digest, len(document))
    return header + body


# Decoding.

_NONE = type(None)
# The types each value of a row may have, per table of the document.
_COLUMNS: dict[str, tuple[tuple[type, ...], ...]] = {
    "agencies": ((str,),) * 4,
    "stops": ((str,), (str,), (float,), (float,), (int,), (str, _NONE)),
    "routes": ((str,), (str,), (str,), (str,), (int,), (str, _NONE), (str, _NONE)),
    "trips": ((str,),) * 4 + ((int, _NONE), (str, _NONE)) + ((int,),) * 4 + ((float,), (int,)),
    "frequencies": ((str,), (list,)),
    "shapes": ((str,), (int,), (int,), (int,)),
    "calendars": ((str,), (list,), (int,), (int,)),
    "calendar_dates": ((str,), (list,)),
    "warnings": ((str,), (int,), (list,)),
}
_WINDOW = ((str,), (int,), (int,), (int,), (int,))
_WEEKDAYS = ((bool,),) * 7
_DAY = ((int,), (int,))
_MAX_DAY = dt.date.max.toordinal()


def _fail(what: str) -> CodecError:
    return CodecError(f"not a feed entry: {what}")


def _rows(rows: object, columns: tuple[tuple[type, ...], ...], what: str) -> list[list[Any]]:
    """Return ``rows``, which must be a list of lists whose values have the ``columns``' types.

    Exact types: a bool is not an int, an int not a float.
    """
    if type(rows) is not list:
        raise _fail(f"{what} is not a list")
    width = len(columns)
    for row in rows:
        if (
            type(row) is not list
            or len(row) != width
            or not all(type(v) in t for v, t in zip(row, columns, strict=True))
        ):
            raise _fail(f"a bad row in {what}: {str(row)[:80]}")
    return rows


def _sizes(doc: dict[str, Any], key: str) -> list[int]:
    """Return the list of array lengths ``key`` of the document."""
    sizes = doc.get(key)
    if type(sizes) is not list or not all(type(n) is int and n >= 0 for n in sizes):
        raise _fail(f"'{key}' is not a list of array lengths")
    return sizes


def _arrays(typecode: str, data: memoryview, sizes: list[int]) -> list[array[Any]]:
    """Split ``data`` (little-endian) into arrays of ``sizes`` items each."""
    whole = array(typecode)
    whole.frombytes(data)
    if _BIG_ENDIAN:
        whole.byteswap()
    return [whole[end - n : end] for n, end in zip(sizes, accumulate(sizes), strict=True)]


def _pick(table: Sequence[Any], index: int, what: str) -> Any:
    """Return ``table[index]`` for an index in range (negative ones are not)."""
    if not 0 <= index < len(table):
        raise _fail(f"{what} index {index} out of range")
    return table[index]


def _date(ordinal: int) -> dt.date:
    """Return the date of a day ordinal, which must be in the calendar's range."""
    if not 1 <= ordinal <= _MAX_DAY:
        raise _fail(f"bad date ordinal {ordinal}")
    return dt.date.fromordinal(ordinal)


def _keyed(objects: Iterable[Any], rows: Sequence[list[Any]]) -> dict[str, Any]:
    """Return the objects keyed by the first value of their rows, each key once."""
    table = dict(zip((row[0] for row in rows), objects, strict=True))
    if len(table) != len(rows):
        raise _fail("an id is given twice")
    return table


def _days(rows: object) -> dict[dt.date, int]:
    """Return the ``{date: exception_type}`` of a service's calendar dates."""
    checked = _rows(rows, _DAY, "calendar dates")
    days = {_date(day): kind for day, kind in checked}
    if len(days) != len(checked):
        raise _fail("a calendar date is given twice")
    return days


def decode_feed(data: bytes) -> Feed:
    """Return the feed encoded by :func:`encode_feed` in ``data``.

    Raises:
        CodecError: ``data`` is not exactly such a feed: another format or
            version, truncated, altered, or not of the expected structure.
    """
    if len(data) < _HEADER.size:
        raise _fail("shorter than the header")
    magic, version, isize, dsize, digest, doc_size = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise _fail("no magic number (another format, e.g. an old pickle)")
    if version != FORMAT_VERSION:
        raise _fail(f"format version {version}, expected {FORMAT_VERSION}")
    if (isize, dsize) != _ITEMSIZES:
        raise _fail(f"written with array item sizes {isize}, {dsize}")
    body = memoryview(data)[_HEADER.size :]
    if hashlib.sha256(body).digest() != digest:
        raise _fail("its digest does not match (truncated or altered)")
    try:
        doc = orjson.loads(body[:doc_size])
    except orjson.JSONDecodeError as err:
        raise _fail(f"bad document ({err})") from None
    if type(doc) is not dict:
        raise _fail("the document is not an object")
    int_sizes, float_sizes = _sizes(doc, "int_sizes"), _sizes(doc, "float_sizes")
    int_end = doc_size + sum(int_sizes) * isize
    if int_end + sum(float_sizes) * dsize != len(body):
        raise _fail("the arrays do not fill the rest of the entry")
    ints = _arrays("i", body[doc_size:int_end], int_sizes)
    floats = _arrays("d", body[int_end:], float_sizes)
    return _feed(doc, ints, floats)


def _feed(doc: dict[str, Any], ints: list[array[int]], floats: list[array[float]]) -> Feed:
    """Build the feed from the document, checking every value, and its arrays."""
    t = {key: _rows(doc.get(key), columns, f"'{key}'") for key, columns in _COLUMNS.items()}
    feed_info, content_hash = doc.get("feed_info"), doc.get("content_hash")
    if type(feed_info) is not dict or not all(type(v) is str for v in feed_info.values()):
        raise _fail("feed_info is not an object of strings")
    if type(content_hash) is not str:
        raise _fail("content_hash is not a string")
    stop_ids = [row[0] for row in t["stops"]]
    patterns = []
    pattern_rows = doc.get("patterns")
    if type(pattern_rows) is not list or not all(type(i) is int for i in pattern_rows):
        raise _fail("'patterns' is not a list of array indices")
    for index in pattern_rows:
        indices = _pick(ints, index, "pattern")
        if indices and not 0 <= min(indices) <= max(indices) < len(stop_ids):
            raise _fail("a pattern names an unknown stop")
        patterns.append(tuple(map(stop_ids.__getitem__, indices)))
    trips = []
    for row in t["trips"]:
        stop_tuple = _pick(patterns, row[6], "pattern")
        arrivals, departures = _pick(ints, row[7], "array"), _pick(ints, row[8], "array")
        distances = _pick(floats, row[9], "array")
        sequences = _pick(ints, row[11], "array")
        if not len(stop_tuple) == len(arrivals) == len(departures) == len(distances):
            raise _fail(f"trip '{row[0]}' has arrays of different lengths")
        if len(sequences) not in (0, len(stop_tuple)):
            raise _fail(f"trip '{row[0]}' has {len(sequences)} stop_sequences")
        trips.append(
            Trip(
                *(row[0], row[1], row[2], row[3], row[4], row[5]),
                *(stop_tuple, arrivals, departures, distances, row[10], sequences),
            )
        )
    shapes = []
    for row in t["shapes"]:
        lats, lons, distances = (_pick(floats, i, "array") for i in row[1:])
        if not len(lats) == len(lons) == len(distances):
            raise _fail(f"shape '{row[0]}' has arrays of different lengths")
        shapes.append(Shape(row[0], lats, lons, distances))
    calendars, warnings = t["calendars"], t["warnings"]
    _rows([row[1] for row in calendars], _WEEKDAYS, "weekdays")
    _rows([[e] for row in warnings for e in row[2]], ((str,),), "warning examples")
    return Feed(
        agencies=_keyed((Agency(*row) for row in t["agencies"]), t["agencies"]),
        stops=_keyed((Stop(*row) for row in t["stops"]), t["stops"]),
        routes=_keyed((Route(*row) for row in t["routes"]), t["routes"]),
        trips=_keyed(trips, t["trips"]),
        frequencies=_keyed(
            (
                tuple(Frequency(*w) for w in _rows(r[1], _WINDOW, "frequencies"))
                for r in t["frequencies"]
            ),
            t["frequencies"],
        ),
        shapes=_keyed(shapes, t["shapes"]),
        calendars=_keyed(
            (Calendar(c[0], tuple(c[1]), _date(c[2]), _date(c[3])) for c in calendars), calendars
        ),
        calendar_dates=_keyed((_days(row[1]) for row in t["calendar_dates"]), t["calendar_dates"]),
        feed_info=feed_info,
        warnings=tuple(Warning(w[0], w[1], tuple(w[2])) for w in warnings),
        content_hash=content_hash,
    )
