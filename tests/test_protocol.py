import orjson
import pytest

from bustrack.protocol import (
    MAX_CLIENT_MESSAGE,
    PROTOCOL_VERSION,
    ProtocolError,
    diff_records,
    encode_snapshot,
    encode_update,
    parse_client_message,
    route_infos,
    vehicle_records,
)
from bustrack.simulation import Vehicle
from tests.feeds import make_feed, make_trip


def _vehicle(vid: str, lat: float = 18.951234567, route: str = "R1") -> Vehicle:
    return Vehicle(vid, "T1", route, "To Charlie", lat, 72.8123456, 359.7, 10.0, 1)


def test_vehicle_records_round_and_label() -> None:
    feed = make_feed([make_trip("T1", [("10:00:00", "10:00:00")] * 3)])
    recs = vehicle_records([_vehicle("v1"), _vehicle("v2", route="R2")], route_infos(feed))
    assert recs["v1"] == {
        "id": "v1",
        "route": "7",
        "lat": 18.95123,
        "lon": 72.81235,
        "bearing": 0,
        "headsign": "To Charlie",
        "trip": "T1",
        "color": recs["v1"]["color"],
    }
    assert recs["v1"]["color"].startswith("#")
    # A route without a short name is labelled by its long name, in its own colour.
    assert recs["v2"]["route"] == "Night Special"
    assert recs["v2"]["color"] == "#ffee00"


def test_diff_records_finds_moved_new_and_gone() -> None:
    a = {"x": {"id": "x", "lat": 1.0}, "y": {"id": "y", "lat": 2.0}, "z": {"id": "z", "lat": 3.0}}
    b = {"x": {"id": "x", "lat": 1.0}, "y": {"id": "y", "lat": 2.5}, "w": {"id": "w", "lat": 4.0}}
    changed, removed = diff_records(a, b)
    assert sorted(r["id"] for r in changed) == ["w", "y"]
    assert removed == ["z"]


def test_frames_have_type_and_ts() -> None:
    snap = orjson.loads(encode_snapshot([{"id": "x"}], 123, {"mode": "live"}))
    assert snap == {
        "type": "snapshot",
        "v": PROTOCOL_VERSION,
        "ts": 123,
        "clock": {"mode": "live"},
        "vehicles": [{"id": "x"}],
    }
    upd = orjson.loads(encode_update([{"id": "x"}], ["y"], 456))
    assert upd == {"type": "update", "ts": 456, "vehicles": [{"id": "x"}], "remove": ["y"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{nope", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"kind": "ping"}', "no 'type'"),
        ('{"type": "launch"}', "unknown message type 'launch'"),
        ("x" * (MAX_CLIENT_MESSAGE + 1), "longer than"),
    ],
)
def test_bad_client_messages_are_explained(text: str, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        parse_client_message(text)


def test_ping_is_understood() -> None:
    assert parse_client_message('{"type": "ping"}') == {"type": "ping"}
