from __future__ import annotations

import dataclasses
import hashlib
import math
import pickle
import struct
from array import array
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from bustrack.gtfs import Feed, load_feed
from bustrack.gtfs.codec import FORMAT_VERSION, MAGIC, CodecError, decode_feed, encode_feed
from bustrack.gtfs.model import Frequency
from tests.gtfs.fixtures import FIXTURES

# The header as the module docstring writes it down.
HEADER = struct.Struct("<8sIBB32sQ")


def assert_identical(a: object, b: object, where: str = "feed") -> None:
    """Assert ``a`` and ``b`` are equal down to the type of every value and array typecode."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            assert_identical(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert isinstance(b, dict)
        assert list(a) == list(b), f"{where}: keys or their order differ"
        assert [type(k) for k in a] == [type(k) for k in b], f"{where}: key types differ"
        for key in a:
            assert_identical(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, tuple | list):
        assert isinstance(b, tuple | list) and len(a) == len(b), f"{where}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_identical(x, y, f"{where}[{i}]")
    elif isinstance(a, array):
        assert isinstance(b, array)
        assert (a.typecode, a.tobytes()) == (b.typecode, b.tobytes()), where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def resigned(entry: bytes, change: Callable[[dict[str, Any]], object]) -> bytes:
    """Return ``entry`` with its document changed by ``change`` and a valid digest again.

    ``change`` edits the document in place, or returns a replacement for it.
    """
    magic, version, isize, dsize, _, size = HEADER.unpack_from(entry)
    body = entry[HEADER.size :]
    doc = orjson.loads(body[:size])
    replaced = change(doc)
    document = orjson.dumps(doc if replaced is None else replaced)
    new_body = document + body[size:]
    digest = hashlib.sha256(new_body).digest()
    return HEADER.pack(magic, version, isize, dsize, digest, len(document)) + new_body


@pytest.fixture(scope="module")
def kochi() -> Feed:
    return load_feed(FIXTURES / "kochi")


def test_the_header_is_as_documented(kochi: Feed) -> None:
    entry = encode_feed(kochi)
    magic, version, isize, dsize, digest, size = HEADER.unpack_from(entry)
    assert (magic, version, isize, dsize) == (MAGIC, FORMAT_VERSION, 4, 8)
    assert digest == hashlib.sha256(entry[HEADER.size :]).digest()
    assert orjson.loads(entry[HEADER.size : HEADER.size + size])["content_hash"] == (
        kochi.content_hash
    )


def test_a_round_trip_keeps_every_value_and_what_trips_share(kochi: Feed) -> None:
    feed = decode_feed(encode_feed(kochi))
    assert_identical(kochi, feed)
    for attr in ("stop_ids", "distances", "stop_sequences"):
        before = {id(getattr(t, attr)) for t in kochi.trips.values()}
        after = {id(getattr(t, attr)) for t in feed.trips.values()}
        assert len(after) == len(before) < len(kochi.trips)
    for trip in feed.trips.values():  # the ids of a trip's stops are the stops' own strings
        assert all(s is feed.stops[s].stop_id for s in trip.stop_ids)


def test_a_pickle_is_refused_without_being_loaded() -> None:
    planted = b"cnope\nx\n(tR." + bytes(100)  # calls nope.x() when unpickled; then padding
    with pytest.raises(ModuleNotFoundError):
        pickle.loads(planted)  # what unpickling it would do
    with pytest.raises(CodecError, match="magic"):
        decode_feed(planted)


def test_every_truncation_and_every_changed_byte_is_refused() -> None:
    entry = encode_feed(load_feed(FIXTURES / "minimal"))
    for size in range(len(entry)):
        with pytest.raises(CodecError):
            decode_feed(entry[:size])
    for i in range(len(entry)):
        changed = bytearray(entry)
        changed[i] ^= 0x20
        with pytest.raises(CodecError):
            decode_feed(bytes(changed))
    with pytest.raises(CodecError):
        decode_feed(entry + b"\0")


def _set(path: tuple[object, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        del doc[key]

    return change


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (_set(("stops", 0, 2), 10), "bad row in 'stops'"),  # an int where a float belongs
        (_set(("stops", 0, 0), None), "bad row in 'stops'"),
        (_set(("trips", 0, 4), True), "bad row in 'trips'"),  # a bool is not a direction_id
        (_set(("trips", 0, 6), 8), "pattern index 8 out of range"),  # one past the last
        (_set(("trips", 0, 7), -1), "array index -1 out of range"),  # no wrapping around
        (_set(("trips", 0, 9), 10**6), "array index 1000000 out of range"),
        (_set(("shapes", 0, 1), 10**6), "array index 1000000 out of range"),
        (_set(("agencies", 0), ["a", "b", "c"]), "bad row in 'agencies'"),  # one value short
        (_set(("calendars", 0, 1), [1, 1, 1, 1, 1, 0, 0]), "bad row in weekdays"),
        (_set(("calendars", 0, 2), 0), "bad date ordinal 0"),
        (_set(("calendars", 0, 3), 10**9), "bad date ordinal"),
        (_set(("frequencies", 0, 1, 0, 1), 1.5), "bad row in frequencies"),
        (_set(("calendar_dates", 0, 1), "20250101"), "bad row in 'calendar_dates'"),
        (_set(("feed_info", "feed_lang"), 1), "feed_info"),
        (_set(("content_hash",), None), "content_hash"),
        (_set(("int_sizes", 0), 10**6), "do not fill"),
        (_set(("float_sizes",), {}), "'float_sizes' is not a list"),
        (_set(("patterns",), 3), "'patterns' is not a list"),
        (_drop("routes"), "'routes' is not a list"),
        (lambda doc: doc["stops"].append(doc["stops"][0]), "an id is given twice"),
        (lambda doc: doc["trips"].append(doc["trips"][0]), "an id is given twice"),
        (
            lambda doc: doc["calendar_dates"][0][1].append(doc["calendar_dates"][0][1][0]),
            "a calendar date is given twice",
        ),
        (
            lambda doc: doc["patterns"].__setitem__(0, doc["trips"][0][7]),  # times as stops
            "a pattern names an unknown stop",
        ),
        (
            lambda doc: doc["trips"][0].__setitem__(9, doc["shapes"][0][1]),  # shape points
            "arrays of different lengths",
        ),
        (lambda doc: [doc], "not an object"),
        (lambda doc: {"__reduce__": "os.system", "args": ["touch pwned"]}, "not a list"),
    ],
)
def test_a_document_of_another_structure_is_refused(
    kochi: Feed, change: Callable[[dict[str, Any]], object], why: str
) -> None:
    entry = encode_feed(kochi)
    assert_identical(decode_feed(resigned(entry, lambda doc: None)), kochi)  # re-signing only
    with pytest.raises(CodecError, match=f"not a feed entry: .*{why}"):
        decode_feed(resigned(entry, change))


def test_a_bad_warning_example_is_refused() -> None:
    entry = encode_feed(load_feed(FIXTURES / "warnings"))
    with pytest.raises(CodecError, match="warning examples"):
        decode_feed(resigned(entry, _set(("warnings", 0, 2), [1])))


def test_another_version_or_array_layout_is_refused(kochi: Feed) -> None:
    entry = encode_feed(kochi)
    magic, version, isize, dsize, digest, size = HEADER.unpack_from(entry)
    body = entry[HEADER.size :]
    newer = HEADER.pack(magic, version + 1, isize, dsize, digest, size) + body
    with pytest.raises(CodecError, match="version"):
        decode_feed(newer)
    wider = HEADER.pack(magic, version, 8, dsize, digest, size) + body
    with pytest.raises(CodecError, match="item sizes"):
        decode_feed(wider)


def test_a_feed_the_format_cannot_hold_exactly_is_refused(kochi: Feed) -> None:
    stop = next(iter(kochi.stops.values()))
    trip = next(iter(kochi.trips.values()))
    cases = [
        {"stops": {stop.stop_id: dataclasses.replace(stop, lat=math.nan)}},
        {"stops": {"another id": stop}},
        {"trips": {trip.trip_id: dataclasses.replace(trip, arrivals=array("q", trip.arrivals))}},
        {"frequencies": {trip.trip_id: (Frequency(trip.trip_id, 0, 2**70, 60),)}},
    ]
    for change in cases:
        with pytest.raises(CodecError):
            encode_feed(dataclasses.replace(kochi, **change))  # type: ignore[arg-type]
