"""The /ws message format: encoding server frames, decoding client messages.

The format is written down once, in ``docs/protocol.md``; this module and
``frontend/src/protocol.js`` follow it. Pure: no I/O, and the time stamp of a
frame is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from bustrack.gtfs.model import Feed
from bustrack.palette import route_color
from bustrack.simulation import Vehicle

__all__ = [
    "MAX_CLIENT_MESSAGE",
    "PROTOCOL_VERSION",
    "ProtocolError",
    "Record",
    "RouteInfo",
    "diff_records",
    "encode_error",
    "encode_pong",
    "encode_snapshot",
    "encode_update",
    "parse_client_message",
    "route_infos",
    "vehicle_records",
]

PROTOCOL_VERSION = 1
MAX_CLIENT_MESSAGE = 64 * 1024
COORD_DECIMALS = 5  # about 1 m: finer than the map can show

Record = dict[str, Any]


class ProtocolError(ValueError):
    """A client message that does not follow the protocol."""


@dataclass(frozen=True, slots=True)
class RouteInfo:
    """What a vehicle record says about its route."""

    label: str
    color: str


def route_infos(feed: Feed) -> dict[str, RouteInfo]:
    """Return each route's label and colour, looked up once per feed."""
    return {rid: RouteInfo(r.label, route_color(r)) for rid, r in feed.routes.items()}


def vehicle_records(
    vehicles: Iterable[Vehicle], routes: Mapping[str, RouteInfo]
) -> dict[str, Record]:
    """Return the wire record of each vehicle, keyed by vehicle id."""
    out: dict[str, Record] = {}
    for v in vehicles:
        info = routes[v.route_id]
        out[v.vehicle_id] = {
            "id": v.vehicle_id,
            "route": info.label,
            "lat": round(v.lat, COORD_DECIMALS),
            "lon": round(v.lon, COORD_DECIMALS),
            "bearing": round(v.bearing) % 360,
            "headsign": v.headsign,
            "trip": v.trip_id,
            "color": info.color,
        }
    return out


def diff_records(
    before: Mapping[str, Record], after: Mapping[str, Record]
) -> tuple[list[Record], list[str]]:
    """Return ``(changed, removed)``: records new or different in ``after``, ids gone from it."""
    changed = [rec for vid, rec in after.items() if before.get(vid) != rec]
    removed = [vid for vid in before if vid not in after]
    return changed, removed


def encode_snapshot(records: Iterable[Record], ts_ms: int, clock: Mapping[str, str]) -> bytes:
    """Encode a ``snapshot`` frame: the whole state, replacing the client's."""
    return orjson.dumps(
        {
            "type": "snapshot",
            "v": PROTOCOL_VERSION,
            "ts": ts_ms,
            "clock": dict(clock),
            "vehicles": list(records),
        }
    )


def encode_update(changed: Sequence[Record], removed: Sequence[str], ts_ms: int) -> bytes:
    """Encode an ``update`` frame: upserts and removals since the previous frame."""
    return orjson.dumps({"type": "update", "ts": ts_ms, "vehicles": changed, "remove": removed})


def encode_error(message: str, ts_ms: int) -> bytes:
    """Encode an ``error`` frame telling the client what was wrong with its message."""
    return orjson.dumps({"type": "error", "ts": ts_ms, "error": message})


def encode_pong(ts_ms: int) -> bytes:
    """Encode the answer to a client's ``ping`` message."""
    return orjson.dumps({"type": "pong", "ts": ts_ms})


def parse_client_message(text: str) -> dict[str, Any]:
    """Decode one client text frame.

    Raises:
        ProtocolError: too long, not JSON, not an object, or no known ``type``.
    """
    if len(text) > MAX_CLIENT_MESSAGE:
        raise ProtocolError(f"message is longer than {MAX_CLIENT_MESSAGE} bytes")
    try:
        msg = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ProtocolError("message is not valid JSON") from None
    if not isinstance(msg, dict):
        raise ProtocolError("message must be a JSON object")
    kind = msg.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("message has no 'type' string")
    if kind not in {"ping"}:
        raise ProtocolError(f"unknown message type {kind!r}")
    return msg
