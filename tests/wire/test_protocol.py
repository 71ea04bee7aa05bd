import orjson
import pytest

from bustrack.wire.channels import Subscription
from bustrack.wire.protocol import (
    MAX_CLIENT_MESSAGE,
    MAX_GLANCE,
    MAX_ROUTES,
    PROTOCOL_VERSION,
    ProtocolError,
    encode_frame,
    encode_part,
    parse_client_message,
    parse_query,
    route_infos,
)
from tests.feeds import make_feed, make_trip


def test_route_infos_label_and_colour() -> None:
    infos = route_infos(make_feed([make_trip("T1", [("10:00:00", "10:00:00")] * 3)]))
    assert infos["R1"].label == "7"
    assert infos["R1"].color.startswith("#")
    # A route without a short name is labelled by its long name, in its own colour.
    assert infos["R2"].label == "Night Special"
    assert infos["R2"].color == "#ffee00"


def test_frames_join_parts_and_carry_type_and_ts() -> None:
    a = encode_part("14/1/2", entered=[(1, "v1", "R1", "7", "To C", "#123456", 1, 2, 3)])
    b = encode_part("14/1/3", moved=[(2, 4, 5, 6)], left=[3])
    snap = orjson.loads(encode_frame("snapshot", [a], 123, {"mode": "live"}))
    assert snap == {
        "type": "snapshot",
        "v": PROTOCOL_VERSION,
        "ts": 123,
        "clock": {"mode": "live"},
        "parts": [
            {
                "c": "14/1/2",
                "e": [[1, "v1", "R1", "7", "To C", "#123456", 1, 2, 3]],
                "m": [],
                "l": [],
            }
        ],
    }
    upd = orjson.loads(encode_frame("update", [a, b], 456))
    assert upd["type"] == "update" and upd["ts"] == 456
    assert [p["c"] for p in upd["parts"]] == ["14/1/2", "14/1/3"]
    assert upd["parts"][1] == {"c": "14/1/3", "e": [], "m": [[2, 4, 5, 6]], "l": [3]}
    assert orjson.loads(encode_frame("update", [], 7)) == {"type": "update", "ts": 7, "parts": []}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{nope", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"kind": "ping"}', "no 'type'"),
        ('{"type": "launch"}', "unknown message type 'launch'"),
        ("x" * (MAX_CLIENT_MESSAGE + 1), "longer than"),
        ('{"type": "subscribe", "bbox": "72,18,73,19"}', "bbox must be"),
        ('{"type": "subscribe", "bbox": [73, 18, 72, 19]}', "west < east"),
        ('{"type": "subscribe", "routes": "BEST_1"}', "routes must be a list"),
        ('{"type": "subscribe", "routes": [1, 2]}', "routes must be a list"),
    ],
)
def test_bad_client_messages_are_explained(text: str, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        parse_client_message(text)


def test_too_many_routes() -> None:
    routes = [f"R{i}" for i in range(MAX_ROUTES + 1)]
    with pytest.raises(ProtocolError, match=f"at most {MAX_ROUTES}"):
        parse_client_message(orjson.dumps({"type": "subscribe", "routes": routes}).decode())


def test_ping_and_subscribe_are_understood() -> None:
    assert parse_client_message('{"type": "ping"}') == ("ping", None)
    kind, sub = parse_client_message(
        '{"type": "subscribe", "bbox": [72.8, 18.9, 72.9, 19.0], "routes": ["A"]}'
    )
    assert kind == "subscribe"
    assert sub == Subscription((72.8, 18.9, 72.9, 19.0), ("A",))
    assert parse_client_message('{"type": "subscribe"}') == ("subscribe", Subscription())


def test_subscription_in_the_url() -> None:
    assert parse_query("72.8,18.9,72.9,19", "A,B") == Subscription(
        (72.8, 18.9, 72.9, 19.0), ("A", "B")
    )
    assert parse_query(None, None) == Subscription()
    with pytest.raises(ProtocolError, match="bbox"):
        parse_query("72.8,north,72.9,19", None)
    # The stop and the vehicle of a `subscribe` travel in the URL too; empty ones are absent.
    assert parse_query(None, None, "S1", "V1@0") == Subscription(None, (), "S1", "V1@0")
    assert parse_query(None, "", "", "") == Subscription()
    with pytest.raises(ProtocolError, match="vehicle"):
        parse_query(None, None, None, "v" * 201)


def test_glance_stops_are_a_short_list_of_ids_kept_sorted_once_each() -> None:
    msg = {"type": "subscribe", "glance": ["S2", "S1", "S2"]}
    kind, sub = parse_client_message(orjson.dumps(msg).decode())
    assert kind == "subscribe" and sub == Subscription(glance=("S1", "S2"))
    assert parse_client_message('{"type": "subscribe", "glance": []}')[1] == Subscription()
    too_many = [f"S{i}" for i in range(MAX_GLANCE + 1)]
    for bad, message in [
        ("S1", "glance must be a list of stop ids"),
        ([1], "glance must be a list of stop ids"),
        ([""], "glance must be a list of stop ids"),
        (["s" * 201], "glance must be a list of stop ids"),
        (too_many, f"at most {MAX_GLANCE} glance stops"),
    ]:
        with pytest.raises(ProtocolError, match=message):
            parse_client_message(orjson.dumps({"type": "subscribe", "glance": bad}).decode())
    # In the URL: comma-separated, empty ones absent.
    assert parse_query(None, None, glance="S2,,S1") == Subscription(glance=("S1", "S2"))
    assert parse_query(None, None, glance="") == Subscription()
    with pytest.raises(ProtocolError, match="at most"):
        parse_query(None, None, glance=",".join(too_many))
