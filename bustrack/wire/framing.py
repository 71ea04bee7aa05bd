"""Joining channels' parts into the WebSocket frames clients get, once per tick.

Pure: no I/O. A client's ``snapshot`` or ``update`` frame is its channels' parts joined
(:func:`~bustrack.wire.protocol.encode_frame`); clients with the same channels share one frame,
built once per tick and framed for WebSocket once. For clients that negotiated
per-message deflate, each part is compressed once per tick and the frames join the
compressed parts (:mod:`bustrack.wire.deflate`).

:class:`PartFrames` is that joining, whoever holds the parts: the fleet that encodes
them (:class:`~bustrack.live.fleet.Fleet`), or a web process that receives them already
encoded from a feeder (:class:`~bustrack.broker.remote.RemoteFrames`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bustrack.wire import deflate
from bustrack.wire.protocol import FRAME_TAIL, PART_SEPARATOR, encode_frame, frame_head
from bustrack.wire.wsframe import text_frame

__all__ = ["PartFrames", "channel_key", "key_channels"]


def channel_key(channels: Iterable[str]) -> str:
    """Return the cache key of a set of channels (the same for equal sets).

    The channels are joined with ``|``; a ``|`` (or ``%``) inside one, as a client's route
    id may hold, is escaped, so that :func:`key_channels` gives the same channels back.
    """
    return "|".join(sorted(c.replace("%", "%25").replace("|", "%7C") for c in channels))


def key_channels(key: str) -> list[str]:
    """Return the channels of a :func:`channel_key`."""
    return [c.replace("%7C", "|").replace("%25", "%") for c in key.split("|")]


_STORED_SEPARATOR = deflate.stored(PART_SEPARATOR)  # the same bytes for every frame
_STORED_TAIL = deflate.stored(FRAME_TAIL)


class PartFrames:
    """A tick's frames, joined from its channels' parts; each built at most once.

    Subclasses give :meth:`part` (and may give :meth:`deflated_part` from parts
    compressed elsewhere), set ``ts_ms`` and ``clock``, and call :meth:`new_tick`
    when the parts change.
    """

    ts_ms: int
    clock: Mapping[str, str]

    def __init__(self) -> None:
        """Start with empty caches."""
        self.ts_ms = 0
        self.clock = {}
        self._deflated: dict[tuple[str, str, int], bytes] = {}
        self._frames: dict[tuple[str, str, int], bytes] = {}

    def new_tick(self) -> None:
        """Forget the frames built from the previous tick's parts."""
        self._deflated = {}
        self._frames = {}

    def part(self, kind: str, channel: str) -> bytes:
        """Return channel ``channel``'s ``snapshot`` or ``update`` part for this tick."""
        raise NotImplementedError

    def deflated_part(self, kind: str, channel: str, wbits: int) -> bytes:
        """Return :meth:`part` compressed with window ``wbits``, at most once per tick."""
        cache_key = (kind, channel, wbits)
        found = self._deflated.get(cache_key)
        if found is None:
            found = self._deflated[cache_key] = deflate.deflated(self.part(kind, channel), wbits)
        return found

    def payload(self, kind: str, key: str) -> bytes:
        """Return the JSON of the ``snapshot`` or ``update`` frame for channel key ``key``."""
        parts = [self.part(kind, c) for c in key_channels(key)]
        clock = self.clock if kind == "snapshot" else None
        return encode_frame(kind, parts, self.ts_ms, clock)

    def frame(self, kind: str, key: str, deflate_bits: int = 0) -> bytes:
        """Return the complete WebSocket frame of :meth:`payload`, built once per tick.

        With ``deflate_bits`` (the window a client allowed, 9-15), the frame is
        compressed with per-message deflate, from parts compressed once per tick.
        """
        cache_key = (kind, key, deflate_bits)
        found = self._frames.get(cache_key)
        if found is None:
            if deflate_bits:
                found = text_frame(self._deflated_payload(kind, key, deflate_bits), compressed=True)
            else:
                found = text_frame(self.payload(kind, key))
            self._frames[cache_key] = found
        return found

    def _deflated_payload(self, kind: str, key: str, wbits: int) -> bytes:
        """Return :meth:`payload` compressed: the head and commas stored, the parts deflated."""
        clock = self.clock if kind == "snapshot" else None
        pieces = [deflate.stored(frame_head(kind, self.ts_ms, clock))]
        for i, channel in enumerate(key_channels(key)):
            if i:
                pieces.append(_STORED_SEPARATOR)
            pieces.append(self.deflated_part(kind, channel, wbits))
        pieces.append(_STORED_TAIL)
        return deflate.message(pieces)
