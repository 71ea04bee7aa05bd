"""A web process's frames, joined from a feeder's message, are the feeder's own frames."""

from __future__ import annotations

import orjson
import pytest

from bustrack.broker.message import BoardsMessage, decode, encode_boards, encode_fleet
from bustrack.broker.remote import RemoteFrames, boards_message, fleet_message
from bustrack.live.boards import Boards
from bustrack.live.fleet import Fleet, channel_key
from bustrack.sources.simulation import Vehicle
from bustrack.wire.channels import ALL, vehicle_channels
from bustrack.wire.protocol import RouteInfo
from tests.live.test_boards import context
from tests.live.test_predictions import TIGHT, between, line_trip, report

ROUTES = {"R1": RouteInfo("7", "#111111"), "R2": RouteInfo("9", "#222222")}
COLABA = (18.9067, 72.8147)
BANDRA = (19.0544, 72.8406)


def vehicle(vid: str, lat: float, lon: float, route: str = "R1") -> Vehicle:
    return Vehicle(vid, "T", route, "To X", lat, lon, 90.0, 0.0, 1)


def two_ticks() -> Fleet:
    fleet = Fleet()
    fleet.advance([vehicle("a", *COLABA), vehicle("b", *BANDRA, "R2")], ROUTES, 1000, {"m": "1"})
    fleet.advance(
        [vehicle("a", COLABA[0] + 0.001, COLABA[1]), vehicle("c", *BANDRA)], ROUTES, 2000, {}
    )
    return fleet


def received(fleet: Fleet, seq: int = 2, epoch: str = "run") -> RemoteFrames:
    frames = RemoteFrames()
    msg = decode(encode_fleet(fleet_message(fleet, epoch, seq)))
    assert not isinstance(msg, type(None))
    frames.apply_fleet(msg)  # type: ignore[arg-type]
    return frames


KEYS = [
    channel_key([ALL]),
    channel_key(["r/R1", "r/R2"]),
    channel_key([vehicle_channels(*COLABA, "R1")[2], vehicle_channels(*BANDRA, "R1")[2]]),
    channel_key(["r/nobody-runs-this"]),  # a channel without a bus: an empty part
]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("kind", ["snapshot", "update"])
@pytest.mark.parametrize("bits", [0, 15, 12])
def test_frames_are_byte_for_byte_the_fleets(key: str, kind: str, bits: int) -> None:
    fleet = two_ticks()
    assert received(fleet).frame(kind, key, bits) == fleet.frame(kind, key, bits)


def test_before_any_tick_a_snapshot_is_an_empty_fleet() -> None:
    payload = orjson.loads(RemoteFrames().payload("snapshot", channel_key([ALL])))
    assert payload["type"] == "snapshot" and payload["parts"] == [
        {"c": ALL, "e": [], "m": [], "l": []}
    ]


def test_only_the_next_tick_of_the_same_run_follows() -> None:
    fleet = two_ticks()
    frames = received(fleet, seq=2)
    assert frames.follows(fleet_message(fleet, "run", 3))
    assert not frames.follows(fleet_message(fleet, "run", 4))  # a tick was missed
    assert not frames.follows(fleet_message(fleet, "run", 2))
    assert not frames.follows(fleet_message(fleet, "other", 3))  # another feeder took over
    assert not RemoteFrames().follows(fleet_message(fleet, "run", 1))


def test_a_board_not_in_the_tick_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        received(two_ticks()).frame("arrivals", "S1")


def test_a_glance_joined_from_the_feeders_parts_is_the_feeders_own() -> None:
    t = line_trip(TIGHT)
    boards = Boards(context([report(t, "10:05:00", *between(t, 0, 0.5))], "10:05:00"), {})
    wanted = [("glance", "C"), ("glance", "D"), ("glance", "NOPE"), ("arrivals", "D")]
    msg = decode(encode_boards(boards_message(boards, wanted, "run", 2)))
    assert isinstance(msg, BoardsMessage)
    assert ("glance", "NOPE") not in msg.boards  # a stop the feed does not have
    frames = received(two_ticks())
    frames.apply_boards(msg)
    assert frames.glance(("C", "D")) == boards.glance(("C", "D"))
    # A stop the feeder has not built yet is left out until it has; none at all: not yet.
    assert frames.glance(("B", "D"))[0] == boards.glance(("D",))[0]
    with pytest.raises(LookupError):
        frames.glance(("B",))
    with pytest.raises(LookupError):
        RemoteFrames().glance(("D",))
