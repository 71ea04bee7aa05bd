"""A GTFS-realtime FeedMessage from a feed's bytes, or a clear error: what the three readers
(:mod:`~bustrack.sources.gtfsrt_in`, :mod:`~bustrack.sources.trip_updates_in`,
:mod:`~bustrack.sources.alerts_in`) start from. Pure."""

from __future__ import annotations

from google.protobuf.message import DecodeError
from google.transit import gtfs_realtime_pb2 as rt

__all__ = ["FeedDecodeError", "parse_message"]


class FeedDecodeError(ValueError):
    """The bytes are not a GTFS-realtime FeedMessage."""


def parse_message(data: bytes) -> rt.FeedMessage:
    """Parse a GTFS-realtime FeedMessage, or raise :class:`FeedDecodeError` (bytes that do
    not parse, truncated ones, or a message without the header every feed must have)."""
    msg = rt.FeedMessage()
    try:
        msg.ParseFromString(data)
    except (DecodeError, RuntimeWarning) as err:
        raise FeedDecodeError(f"not a GTFS-realtime message ({err})") from None
    if not msg.HasField("header"):
        raise FeedDecodeError("not a GTFS-realtime message (no header)")
    return msg
