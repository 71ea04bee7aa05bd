"""The messages a feeder publishes each tick, as bytes: pure, no I/O.

A *fleet* message carries every channel's ``snapshot`` and ``update`` part of one tick,
as per-message-deflate data (window 15, what browsers allow), so that a web process joins
them into its clients' frames without encoding or compressing anything per client (for
the rare client that takes no compression, a part is inflated once per tick). A *boards*
message carries the tick's ``arrivals`` and ``vehicle`` payloads and stops' ``glance``
parts that some web process asked for (see :data:`WATCH_KINDS`).

Layout: ``BT1`` and a kind byte (``F`` fleet, ``B`` boards), a 4-byte big-endian length,
a JSON header of that length, then the header's blobs back to back. The header says the
feeder's ``epoch`` (one per feeder run) and the tick's ``seq``: a web process that sees
either jump knows it missed a tick, and sends its clients snapshots.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import orjson

__all__ = [
    "WATCH_KINDS",
    "BoardsMessage",
    "FleetMessage",
    "MessageError",
    "decode",
    "encode_boards",
    "encode_fleet",
]

MAGIC = b"BT1"
_LEN = struct.Struct(">I")
WATCH_KINDS = ("arrivals", "glance", "vehicle")  # the boards a web process asks a feeder for


class MessageError(ValueError):
    """The bytes are not a message of this version."""


@dataclass(frozen=True, slots=True)
class FleetMessage:
    """One tick of the fleet, as published by feeder ``epoch``."""

    epoch: str
    seq: int
    ts_ms: int
    clock: Mapping[str, str]
    snapshot: Mapping[str, bytes] = field(default_factory=dict)  # deflated parts, by channel
    update: Mapping[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BoardsMessage:
    """The boards of tick ``seq``: payloads by (kind, key), e.g. ("arrivals", stop id)."""

    epoch: str
    seq: int
    ts_ms: int
    boards: Mapping[tuple[str, str], bytes] = field(default_factory=dict)


def _pack(kind: bytes, header: dict[str, object], blobs: Iterable[bytes]) -> bytes:
    head = orjson.dumps(header)
    return b"".join((MAGIC, kind, _LEN.pack(len(head)), head, *blobs))


def encode_fleet(msg: FleetMessage) -> bytes:
    """Return ``msg`` as bytes."""
    channels = sorted(set(msg.snapshot) | set(msg.update))
    rows = []
    blobs: list[bytes] = []
    for c in channels:
        s, u = msg.snapshot.get(c, b""), msg.update.get(c, b"")
        rows.append([c, len(s), len(u)])
        blobs += (s, u)
    header = {
        "epoch": msg.epoch,
        "seq": msg.seq,
        "ts": msg.ts_ms,
        "clock": dict(msg.clock),
        "parts": rows,
    }
    return _pack(b"F", header, blobs)


def encode_boards(msg: BoardsMessage) -> bytes:
    """Return ``msg`` as bytes."""
    rows = [[kind, key, len(payload)] for (kind, key), payload in msg.boards.items()]
    header = {"epoch": msg.epoch, "seq": msg.seq, "ts": msg.ts_ms, "boards": rows}
    return _pack(b"B", header, msg.boards.values())


def decode(data: bytes) -> FleetMessage | BoardsMessage:
    """Read a message from its bytes.

    Raises:
        MessageError: not a message, or a truncated one.
    """
    if len(data) < 8 or data[:3] != MAGIC:
        raise MessageError("not a bustrack broker message (or of another version)")
    kind = data[3:4]
    (n,) = _LEN.unpack_from(data, 4)
    body = 8 + n
    try:
        header = orjson.loads(data[8:body])
        epoch, seq, ts_ms = str(header["epoch"]), int(header["seq"]), int(header["ts"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise MessageError(f"bad message header: {err}") from None
    view = memoryview(data)
    at = body

    def take(size: int) -> bytes:
        nonlocal at
        if size < 0 or at + size > len(data):
            raise MessageError("truncated message")
        out = bytes(view[at : at + size])
        at += size
        return out

    try:
        if kind == b"F":
            snapshot: dict[str, bytes] = {}
            update: dict[str, bytes] = {}
            for channel, s, u in header["parts"]:
                snapshot[str(channel)] = take(s)
                update[str(channel)] = take(u)
            clock = {str(k): str(v) for k, v in dict(header.get("clock") or {}).items()}
            return FleetMessage(epoch, seq, ts_ms, clock, snapshot, update)
        if kind == b"B":
            boards = {(str(k), str(key)): take(size) for k, key, size in header["boards"]}
            return BoardsMessage(epoch, seq, ts_ms, boards)
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, MessageError):
            raise
        raise MessageError(f"bad message header: {err}") from None
    raise MessageError(f"unknown message kind {kind!r}")
