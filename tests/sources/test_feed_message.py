"""parse_message: the one way the three GTFS-realtime readers turn bytes into a FeedMessage."""

from __future__ import annotations

import re

import pytest
from google.transit import gtfs_realtime_pb2 as rt

from bustrack.sources.alerts_in import read_alerts
from bustrack.sources.feed_message import FeedDecodeError, parse_message


def _message() -> bytes:
    msg = rt.FeedMessage()
    msg.header.gtfs_realtime_version = "2.0"
    msg.header.timestamp = 1_700_000_000
    entity = msg.entity.add()
    entity.id = "bus-1"
    entity.vehicle.position.latitude = 19.0
    entity.vehicle.position.longitude = 72.8
    return msg.SerializeToString()


def test_a_message_parses_whole() -> None:
    msg = parse_message(_message())
    assert msg.header.timestamp == 1_700_000_000
    assert [e.id for e in msg.entity] == ["bus-1"]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"<html>502 Bad Gateway</html>", "not a GTFS-realtime message ("),
        (_message()[:-3], "not a GTFS-realtime message ("),  # cut short in transit
        (b"", "no header"),  # an empty body parses as an empty message: no header
    ],
)
def test_what_is_not_a_feed_message_is_a_clear_error(data: bytes, why: str) -> None:
    with pytest.raises(FeedDecodeError, match=re.escape(why)):
        parse_message(data)


def test_the_readers_raise_the_same_error() -> None:
    with pytest.raises(FeedDecodeError, match="no header"):
        read_alerts(b"", now=1_700_000_000)
