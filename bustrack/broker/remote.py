"""A tick's frames on both sides of the broker: pure, no I/O.

The feeder turns its :class:`~bustrack.live.fleet.Fleet` and :class:`~bustrack.live.boards.Boards`
into messages (:func:`fleet_message`, :func:`boards_message`): every channel's parts,
encoded and compressed once. A web process keeps the latest of them in
:class:`RemoteFrames`, which gives the hub the same frames a local fleet would: the
parts joined per distinct set of channels, once per tick, whatever the number of clients;
``glance`` frames likewise, from the stops' parts.
"""

from __future__ import annotations

from collections.abc import Iterable

from bustrack.broker.message import BoardsMessage, FleetMessage
from bustrack.live.boards import Boards
from bustrack.live.fleet import Fleet
from bustrack.live.glance import GlanceFrames
from bustrack.wire import deflate
from bustrack.wire.framing import PartFrames
from bustrack.wire.protocol import encode_part
from bustrack.wire.wsframe import text_frame

__all__ = ["BROWSER_WBITS", "RemoteFrames", "boards_message", "fleet_message"]

BROWSER_WBITS = 15  # the window browsers let a server compress with; others are built here


def fleet_message(fleet: Fleet, epoch: str, seq: int) -> FleetMessage:
    """Every channel's parts of ``fleet``'s current tick (see :meth:`Fleet.channels`)."""
    kinds: dict[str, dict[str, bytes]] = {"snapshot": {}, "update": {}}
    for channel in fleet.channels():
        for kind, parts in kinds.items():
            parts[channel] = fleet.deflated_part(kind, channel, BROWSER_WBITS)
    return FleetMessage(
        epoch, seq, fleet.ts_ms, dict(fleet.clock), kinds["snapshot"], kinds["update"]
    )


def boards_message(
    boards: Boards, wanted: Iterable[tuple[str, str]], epoch: str, seq: int
) -> BoardsMessage:
    """The payloads of the ``wanted`` boards, e.g. ``("arrivals", stop_id)`` or a stop's
    ``("glance", stop_id)`` part; a stop or a kind the feed does not know is left out."""
    out: dict[tuple[str, str], bytes] = {}
    for kind, key in wanted:
        if kind in ("arrivals", "glance") and key not in boards.ctx.feed.stops:
            continue
        try:
            out[(kind, key)] = boards.payload(kind, key)
        except ValueError:
            continue
    return BoardsMessage(epoch, seq, boards.ctx.ts_ms, out)


class RemoteFrames(PartFrames):
    """The latest tick received from a feeder, as the hub's frames (see ``Hub.Frames``).

    Before any tick, the fleet is empty (snapshots say so). A board nobody asked the
    feeder for yet raises LookupError: the hub sends it once a tick carries it.
    """

    def __init__(self) -> None:
        """Start with no tick."""
        super().__init__()
        self.fleet: FleetMessage | None = None
        self.boards: BoardsMessage | None = None
        self._board_frames: dict[tuple[str, str], bytes] = {}
        self._glances = GlanceFrames(0)
        self._plain: dict[tuple[str, str], bytes] = {}

    @property
    def seq(self) -> int:
        """The current tick's number from its feeder (-1 before any)."""
        return -1 if self.fleet is None else self.fleet.seq

    def follows(self, msg: FleetMessage) -> bool:
        """Whether ``msg`` is the tick right after the current one, from the same feeder:
        only then are its updates relative to what the clients were sent."""
        return self.fleet is not None and msg.epoch == self.fleet.epoch and msg.seq == self.seq + 1

    def apply_fleet(self, msg: FleetMessage) -> None:
        """Make ``msg`` the current tick."""
        self.fleet = msg
        self.ts_ms = msg.ts_ms
        self.clock = msg.clock
        self._plain = {}
        self.new_tick()

    def apply_boards(self, msg: BoardsMessage) -> None:
        """Make ``msg`` the current boards."""
        self.boards = msg
        self._board_frames = {}
        self._glances = GlanceFrames(msg.ts_ms)

    def glance(self, stops: tuple[str, ...]) -> tuple[bytes, bytes]:
        """Return ``(content, frame)`` of the ``glance`` of ``stops``, joined from the stops'
        parts the feeder built (see Hub's Frames); LookupError if it built none of them."""
        boards = {} if self.boards is None else self.boards.boards
        return self._glances.get(stops, lambda stop: boards.get(("glance", stop)))

    def _received(self, kind: str, channel: str) -> bytes | None:
        if kind not in ("snapshot", "update"):
            raise ValueError(f"unknown part kind {kind!r}")
        if self.fleet is None:
            return None
        parts = self.fleet.snapshot if kind == "snapshot" else self.fleet.update
        return parts.get(channel)

    def part(self, kind: str, channel: str) -> bytes:
        """Return the channel's part from the current tick (an empty one if it has none),
        inflated once per tick from the feeder's compressed part."""
        found = self._plain.get((kind, channel))
        if found is None:
            compressed = self._received(kind, channel)
            if compressed is None:
                found = encode_part(channel)
            else:
                found = deflate.inflated(compressed, BROWSER_WBITS)
            self._plain[(kind, channel)] = found
        return found

    def deflated_part(self, kind: str, channel: str, wbits: int) -> bytes:
        """The feeder's compressed part for browsers' window; others compressed here, once."""
        if wbits == BROWSER_WBITS:
            found = self._received(kind, channel)
            if found is not None:
                return found
        return super().deflated_part(kind, channel, wbits)

    def frame(self, kind: str, key: str, deflate_bits: int = 0) -> bytes:
        """Return the frame of ``kind`` for ``key``: fleet frames joined from the parts,
        boards as the feeder encoded them."""
        if kind in ("snapshot", "update"):
            return super().frame(kind, key, deflate_bits)
        found = self._board_frames.get((kind, key))
        if found is None:
            payload = None if self.boards is None else self.boards.boards.get((kind, key))
            if payload is None:
                raise LookupError(f"no {kind} board for {key!r} in this tick yet")
            found = self._board_frames[(kind, key)] = text_frame(payload)
        return found
