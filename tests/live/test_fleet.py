import zlib
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from bustrack.live.fleet import Fleet, channel_key, key_channels
from bustrack.sources.simulation import Vehicle
from bustrack.wire.channels import ALL, vehicle_channels
from bustrack.wire.protocol import RouteInfo
from bustrack.wire.wsframe import text_frame

ROUTES = {"R1": RouteInfo("7", "#111111"), "R2": RouteInfo("9", "#222222")}
# Two points a few km apart in Mumbai: different zoom-14 tiles.
COLABA = (18.9067, 72.8147)
BANDRA = (19.0544, 72.8406)


def vehicle(vid: str, lat: float, lon: float, route: str = "R1", bearing: float = 90) -> Vehicle:
    return Vehicle(vid, "T", route, "To X", lat, lon, bearing, 0.0, 1)


def tile14(lat: float, lon: float) -> str:
    return vehicle_channels(lat, lon, "R1")[2]


def payload(fleet: Fleet, kind: str, *channels: str) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(fleet.payload(kind, channel_key(channels)))
    return data


def test_first_snapshot_lists_everything_with_full_records() -> None:
    fleet = Fleet()
    fleet.advance([vehicle("a", *COLABA), vehicle("b", *BANDRA)], ROUTES, 1000, {"mode": "live"})
    snap = payload(fleet, "snapshot", ALL)
    assert snap["type"] == "snapshot" and snap["ts"] == 1000 and snap["clock"] == {"mode": "live"}
    (part,) = snap["parts"]
    assert part["c"] == ALL
    records = {r[1]: r for r in part["e"]}
    assert records["a"] == [
        records["a"][0], "a", "R1", "7", "To X", "#111111", 1890670, 7281470, 90, 0
    ]  # fmt: skip
    assert records["a"][0] != records["b"][0]


def test_updates_carry_moves_entries_and_leavers_per_channel() -> None:
    fleet = Fleet()
    fleet.advance([vehicle("a", *COLABA), vehicle("b", *BANDRA)], ROUTES, 1000, {})
    n = {r[1]: r[0] for r in payload(fleet, "snapshot", ALL)["parts"][0]["e"]}
    # a moves a little, b ends, c appears.
    fleet.advance(
        [vehicle("a", COLABA[0] + 0.0001, COLABA[1]), vehicle("c", *BANDRA)], ROUTES, 2000, {}
    )
    (part,) = payload(fleet, "update", ALL)["parts"]
    assert part["m"] == [[n["a"], 1890680, 7281470, 90]]
    assert [r[1] for r in part["e"]] == ["c"]
    assert part["e"][0][0] not in n.values()  # numbers are never reused
    assert part["l"] == [n["b"]]


def test_a_vehicle_that_does_not_move_is_not_repeated() -> None:
    fleet = Fleet()
    fleet.advance([vehicle("a", *COLABA)], ROUTES, 1000, {})
    fleet.advance([vehicle("a", *COLABA)], ROUTES, 2000, {})
    assert payload(fleet, "update", ALL)["parts"] == [{"c": ALL, "e": [], "m": [], "l": []}]


def test_crossing_from_one_tile_to_another() -> None:
    fleet = Fleet()
    here, there = tile14(*COLABA), tile14(*BANDRA)
    assert here != there
    fleet.advance([vehicle("a", *COLABA)], ROUTES, 1000, {})
    fleet.advance([vehicle("a", *BANDRA)], ROUTES, 2000, {})
    parts = {p["c"]: p for p in payload(fleet, "update", here, there)["parts"]}
    n = parts[here]["l"][0]
    assert [r[0] for r in parts[there]["e"]] == [n]
    # A client watching only the first tile sees it leave; only the second, enter.
    assert payload(fleet, "update", here)["parts"][0]["l"] == [n]
    assert payload(fleet, "update", there)["parts"][0]["e"][0][1] == "a"


def test_a_bus_walking_across_tile_edges_is_always_in_its_own_tile() -> None:
    # Small steps east and north across several zoom-14 tile edges: each tick the bus is
    # in exactly the tiles its position is in, and every tile it left says so.
    fleet = Fleet()
    lat, lon = COLABA
    previous: str | None = None
    crossings = 0
    for tick in range(60):
        lat, lon = lat + 0.0007, lon + 0.0009
        fleet.advance([vehicle("a", lat, lon)], ROUTES, 1000 * tick, {})
        here = vehicle_channels(round(lat, 5), round(lon, 5), "R1")
        assert fleet.entries["a"].channels == here
        for tile in here[2:]:
            assert [r[1] for r in payload(fleet, "snapshot", tile)["parts"][0]["e"]] == ["a"]
        if previous is not None and previous != here[2]:
            crossings += 1
            assert payload(fleet, "update", previous)["parts"][0]["l"] == [fleet.entries["a"].n]
        previous = here[2]
    assert crossings >= 2


def test_route_channels_filter_by_route() -> None:
    fleet = Fleet()
    fleet.advance([vehicle("a", *COLABA), vehicle("b", *BANDRA, route="R2")], ROUTES, 1000, {})
    (part,) = payload(fleet, "snapshot", "r/R2")["parts"]
    assert [r[1] for r in part["e"]] == ["b"]


def test_frames_and_parts_are_built_once_per_tick() -> None:
    fleet = Fleet()
    fleet.advance([vehicle("a", *COLABA)], ROUTES, 1000, {})
    key = channel_key([ALL])
    frame = fleet.frame("update", key)
    assert fleet.frame("update", key) is frame
    assert fleet.part("update", ALL) is fleet.part("update", ALL)
    assert frame == text_frame(fleet.payload("update", key))
    fleet.advance([vehicle("a", *BANDRA)], ROUTES, 2000, {})
    assert fleet.frame("update", key) is not frame


def test_compressed_frames_inflate_to_the_plain_ones_and_are_built_once() -> None:
    fleet = Fleet()
    fleet.advance([vehicle("a", *COLABA), vehicle("b", *BANDRA)], ROUTES, 1000, {"mode": "live"})
    key = channel_key([tile14(*COLABA), tile14(*BANDRA)])
    for kind in ("snapshot", "update"):
        frame = fleet.frame(kind, key, deflate_bits=15)
        assert frame[0] == 0xC1  # FIN, RSV1 (compressed), text
        start = {126: 4, 127: 10}.get(frame[1], 2)  # after the extended length, if any
        inflater = zlib.decompressobj(-15)
        inflated = inflater.decompress(frame[start:] + b"\x00\x00\xff\xff")
        assert inflated == fleet.payload(kind, key)
        assert fleet.frame(kind, key, deflate_bits=15) is frame
        assert fleet.frame(kind, key) == text_frame(fleet.payload(kind, key))  # plain: unchanged


def test_channel_key_ignores_order() -> None:
    assert channel_key(["b", "a"]) == channel_key(["a", "b"]) == "a|b"


@settings(max_examples=300, derandomize=True, database=None)
@given(st.lists(st.text(alphabet="ab|%7C/"), min_size=1, max_size=5, unique=True))
def test_a_channel_key_gives_its_channels_back(channels: list[str]) -> None:
    # Route channels are "r/" and whatever id a client sends, "|" included.
    assert sorted(key_channels(channel_key(channels))) == sorted(channels)


def test_a_bus_that_goes_silent_is_sent_again_with_its_last_report() -> None:
    fleet = Fleet()
    fleet.advance([vehicle("a", *COLABA)], ROUTES, 1000, {})
    fleet.advance([vehicle("a", *COLABA)], ROUTES, 2000, {}, silent={"a": 1})
    (part,) = payload(fleet, "update", ALL)["parts"]
    assert [r[1] for r in part["e"]] == ["a"]
    assert part["e"][0][9] == 1  # the Unix second of its last report
    # Still silent: nothing new to say.
    fleet.advance([vehicle("a", *COLABA)], ROUTES, 3000, {}, silent={"a": 1})
    assert payload(fleet, "update", ALL)["parts"][0]["e"] == []
    # Back: its record again, with no silence.
    fleet.advance([vehicle("a", *COLABA)], ROUTES, 4000, {})
    assert payload(fleet, "update", ALL)["parts"][0]["e"][0][9] == 0
