"""The /ws message format: encoding server frames, decoding client messages.

The format is written down once, in ``docs/protocol.md``; this module and
``frontend/src/protocol.js`` follow it. Pure: no I/O, and the time stamp of a
frame is a parameter.

Frames are built from *parts*, one per channel (see :mod:`bustrack.wire.channels`):
each part is encoded once per tick, and a client's frame is the parts of its
channels joined as bytes, never re-encoded per client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from bustrack.gtfs.model import Feed
from bustrack.palette import route_color
from bustrack.wire.channels import BBox, Subscription, parse_bbox

__all__ = [
    "COORD_SCALE",
    "FRAME_TAIL",
    "MAX_CLIENT_MESSAGE",
    "MAX_GLANCE",
    "MAX_ROUTES",
    "PART_SEPARATOR",
    "PROTOCOL_VERSION",
    "UNMATCHED",
    "ProtocolError",
    "RouteInfo",
    "encode_error",
    "encode_frame",
    "encode_part",
    "encode_pong",
    "frame_head",
    "parse_client_message",
    "parse_query",
    "route_infos",
]

PROTOCOL_VERSION = 2
MAX_CLIENT_MESSAGE = 64 * 1024
MAX_ROUTES = 100
MAX_GLANCE = 10  # stops one client may watch at a glance
MAX_ID = 200  # characters of a stop or vehicle id
COORD_SCALE = 100_000  # coordinates travel as integers of 1e-5 degree (about 1 m)

# A full vehicle record:
# [n, id, route_id, route label, headsign, colour, lat, lon, bearing, reported].
Full = tuple[int, str, str, str, str, str, int, int, int, int]
# A move: [n, lat, lon, bearing].
Move = tuple[int, int, int, int]


class ProtocolError(ValueError):
    """A client message that does not follow the protocol."""


@dataclass(frozen=True, slots=True)
class RouteInfo:
    """What a vehicle record says about its route."""

    label: str
    color: str


# What a bus matched to no route of the feed shows (a real device reporting no known trip
# or route): a grey dot, with "?" for its route.
UNMATCHED = RouteInfo("?", "#757575")


def route_infos(feed: Feed) -> dict[str, RouteInfo]:
    """Return each route's label and colour, looked up once per feed."""
    return {rid: RouteInfo(r.label, route_color(r)) for rid, r in feed.routes.items()}


def encode_part(
    channel: str,
    *,
    entered: Iterable[Full] = (),
    moved: Iterable[Move] = (),
    left: Iterable[int] = (),
) -> bytes:
    """Encode one channel's part of a frame (``c``, ``e``, ``m``, ``l``; see docs/protocol.md)."""
    return orjson.dumps({"c": channel, "e": list(entered), "m": list(moved), "l": list(left)})


def encode_frame(
    kind: str, parts: Sequence[bytes], ts_ms: int, clock: Mapping[str, str] | None = None
) -> bytes:
    """Join pre-encoded parts into a ``snapshot`` or ``update`` frame.

    A snapshot also carries the protocol version ``v`` and the ``clock``.
    """
    return b"".join((frame_head(kind, ts_ms, clock), PART_SEPARATOR.join(parts), FRAME_TAIL))


PART_SEPARATOR = b","
FRAME_TAIL = b"]}"


def frame_head(kind: str, ts_ms: int, clock: Mapping[str, str] | None = None) -> bytes:
    """Return what comes before the parts of a frame (see :func:`encode_frame`): the
    frame's ``type``, ``ts`` (and for a snapshot ``v`` and ``clock``), then ``"parts":[``.

    A frame is ``frame_head + PART_SEPARATOR.join(parts) + FRAME_TAIL``.
    """
    if kind == "snapshot":
        head = orjson.dumps(
            {"type": "snapshot", "v": PROTOCOL_VERSION, "ts": ts_ms, "clock": dict(clock or {})}
        )
    elif kind == "update":
        head = orjson.dumps({"type": "update", "ts": ts_ms})
    else:
        raise ValueError(f"unknown frame kind {kind!r}")
    return head[:-1] + b',"parts":['  # the object stays open for the parts


def encode_error(message: str, ts_ms: int) -> bytes:
    """Encode an ``error`` frame telling the client what was wrong with its message."""
    return orjson.dumps({"type": "error", "ts": ts_ms, "error": message})


def encode_pong(ts_ms: int) -> bytes:
    """Encode the answer to a client's ``ping`` message."""
    return orjson.dumps({"type": "pong", "ts": ts_ms})


def _subscription(msg: Mapping[str, Any]) -> Subscription:
    bbox: BBox | None = None
    if msg.get("bbox") is not None:
        raw = msg["bbox"]
        if not isinstance(raw, list):
            raise ProtocolError("subscribe: bbox must be [west, south, east, north]")
        try:
            bbox = parse_bbox(raw)
        except ValueError as err:
            raise ProtocolError(f"subscribe: {err}") from None
    routes = msg.get("routes") or []
    if not isinstance(routes, list) or not all(isinstance(r, str) for r in routes):
        raise ProtocolError("subscribe: routes must be a list of route ids")
    if len(routes) > MAX_ROUTES:
        raise ProtocolError(f"subscribe: at most {MAX_ROUTES} routes")
    extra: dict[str, str | None] = {}
    for name in ("stop", "vehicle"):
        value = msg.get(name)
        if value is not None and not _is_id(value):
            raise ProtocolError(f"subscribe: {name} must be an id (a string)")
        extra[name] = value
    glance = msg.get("glance") or []
    if not isinstance(glance, list) or not all(_is_id(s) for s in glance):
        raise ProtocolError("subscribe: glance must be a list of stop ids")
    stops = tuple(sorted(set(glance)))
    if len(stops) > MAX_GLANCE:
        raise ProtocolError(f"subscribe: at most {MAX_GLANCE} glance stops")
    return Subscription(bbox, tuple(routes), extra["stop"], extra["vehicle"], stops)


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID


def parse_query(
    bbox: str | None,
    routes: str | None,
    stop: str | None = None,
    vehicle: str | None = None,
    glance: str | None = None,
) -> Subscription:
    """Read a subscription from the /ws URL's ``bbox=w,s,e,n``, ``routes=a,b``, ``stop=id``,
    ``vehicle=id`` and ``glance=a,b`` parameters (the ``subscribe`` message's fields; empty
    ones are absent).

    Raises:
        ProtocolError: a malformed box or id, too many routes or glance stops.
    """
    msg: dict[str, Any] = {"stop": stop or None, "vehicle": vehicle or None}
    if glance:
        msg["glance"] = [s for s in glance.split(",") if s]
    if bbox:
        try:
            msg["bbox"] = [float(v) for v in bbox.split(",")]
        except ValueError:
            raise ProtocolError("bbox must be west,south,east,north in degrees") from None
    if routes:
        msg["routes"] = [r for r in routes.split(",") if r]
    return _subscription(msg)


def parse_client_message(text: str) -> tuple[str, Subscription | None]:
    """Decode one client text frame into its type and, for ``subscribe``, the subscription.

    Raises:
        ProtocolError: too long, not JSON, not an object, no known ``type``, or a
            ``subscribe`` with a bad box, route list, id or glance list.
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
    if kind == "ping":
        return kind, None
    if kind == "subscribe":
        return kind, _subscription(msg)
    raise ProtocolError(f"unknown message type {kind!r}")
