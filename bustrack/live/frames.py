"""One tick's frames, as the hub asks for them: the fleet's and the boards' (glances too).

Pure: no I/O. Each frame is built at most once per tick, whoever asks first.
"""

from __future__ import annotations

from bustrack.live.boards import Boards
from bustrack.live.fleet import Fleet

__all__ = ["TickFrames"]


class TickFrames:
    """The current tick's frames for the hub: the fleet's and the boards', each built once.

    One object for the app's life: the fleet advances in place each tick, and the
    ticker replaces ``boards``.
    """

    def __init__(self, fleet: Fleet, boards: Boards | None = None) -> None:
        """Frames of ``fleet`` (snapshot/update) and ``boards`` (arrivals/vehicle)."""
        self.fleet = fleet
        self.boards = boards

    def frame(self, kind: str, key: str, deflate_bits: int = 0) -> bytes:
        """Return the complete WebSocket frame of ``kind`` for ``key`` (see Hub's Frames).

        The fleet's frames are compressed for ``deflate_bits``; the boards' are small
        and go as they are (a message may always be sent uncompressed).
        """
        if kind in ("snapshot", "update"):
            return self.fleet.frame(kind, key, deflate_bits)
        if self.boards is None:
            raise LookupError("no boards before the first tick")
        return self.boards.frame(kind, key)

    def glance(self, stops: tuple[str, ...]) -> tuple[bytes, bytes]:
        """Return ``(content, frame)`` of the ``glance`` of ``stops`` (see Hub's Frames)."""
        if self.boards is None:
            raise LookupError("no boards before the first tick")
        return self.boards.glance(stops)
