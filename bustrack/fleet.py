"""The fleet as the clients know it: last tick's records and the frames built from them.

Pure: no I/O, no clock. Each :meth:`Fleet.advance` takes the new records and the
frame time, and returns the ``update`` payload for everyone; the ``snapshot``
payload is built at most once per tick, and only when some client asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping

from bustrack.protocol import Record, diff_records, encode_snapshot, encode_update
from bustrack.wsframe import text_frame

__all__ = ["Fleet"]


class Fleet:
    """The current vehicle records and their encoded frames."""

    def __init__(self) -> None:
        """Start with no vehicles."""
        self.records: dict[str, Record] = {}
        self.ts_ms = 0
        self.clock: dict[str, str] = {}
        self._snapshot: bytes | None = None
        self._snapshot_frame: bytes | None = None

    def advance(self, records: Mapping[str, Record], ts_ms: int, clock: Mapping[str, str]) -> bytes:
        """Replace the state with ``records`` and return the ``update`` payload from the old one."""
        changed, removed = diff_records(self.records, records)
        self.records = dict(records)
        self.ts_ms = ts_ms
        self.clock = dict(clock)
        self._snapshot = None
        self._snapshot_frame = None
        return encode_update(changed, removed, ts_ms)

    def snapshot(self) -> bytes:
        """Return the ``snapshot`` payload of the current state (built once per tick)."""
        if self._snapshot is None:
            self._snapshot = encode_snapshot(self.records.values(), self.ts_ms, self.clock)
        return self._snapshot

    def snapshot_frame(self) -> bytes:
        """Return the current ``snapshot`` as a complete WebSocket frame (built once per tick)."""
        if self._snapshot_frame is None:
            self._snapshot_frame = text_frame(self.snapshot())
        return self._snapshot_frame
