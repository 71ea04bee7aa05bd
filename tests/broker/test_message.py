"""The broker's messages as bytes: what goes in comes out, and nothing else is read."""

from __future__ import annotations

import pytest

from bustrack.broker.message import (
    BoardsMessage,
    FleetMessage,
    MessageError,
    decode,
    encode_boards,
    encode_fleet,
)


def test_a_fleet_message_comes_back_as_it_went() -> None:
    msg = FleetMessage(
        epoch="run1",
        seq=7,
        ts_ms=1_800_000_000_000,
        clock={"service_time": "09:00:00", "mode": "live", "note": ""},
        snapshot={"all": b"\x01snap-all", "r/7|x": b"snap-route"},
        update={"all": b"upd-all", "r/7|x": b""},
    )
    assert decode(encode_fleet(msg)) == msg


def test_a_boards_message_comes_back_as_it_went() -> None:
    msg = BoardsMessage(
        "run1", 7, 5, {("arrivals", "S1"): b'{"a":1}', ("vehicle", "bus\x1f2"): b"{}"}
    )
    assert decode(encode_boards(msg)) == msg


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GET / HTTP/1.1\r\n",
        b"BT2F\x00\x00\x00\x02{}",  # another version
        b"BT1F\x00\x00\x00\x05{oops",
        b"BT1F\x00\x00\x00\x02{}",  # no epoch
        b"BT1X\x00\x00\x00\x1f" + b'{"epoch":"e","seq":1,"ts":1}' + b"   ",
    ],
)
def test_what_is_not_a_message_is_a_message_error(data: bytes) -> None:
    with pytest.raises(MessageError):
        decode(data)


def test_a_truncated_message_is_a_message_error() -> None:
    data = encode_fleet(FleetMessage("e", 1, 1, {}, {"all": b"x" * 50}, {"all": b"y" * 50}))
    with pytest.raises(MessageError, match="truncated"):
        decode(data[:-10])
