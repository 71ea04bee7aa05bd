"""The fleet as the clients know it: this tick's vehicles, by channel, and their frames.

Pure: no I/O, no clock. :meth:`Fleet.advance` takes the vehicles of a new tick
and the frame time. Frames are then built lazily and cached for the tick:

- a channel's *part* (its entered/moved/left vehicles since the previous tick, or
  its whole content for a snapshot) is encoded at most once per tick, and only if
  some client subscribes to that channel;
- a client's *frame* joins the parts of its channels; clients with the same
  channels share one frame, built once and framed for WebSocket once.

Vehicles are numbered (``n``) when they first appear; the number is what moves
refer to, so frames stay small. Numbers are never reused within one Fleet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bustrack.channels import vehicle_channels
from bustrack.protocol import COORD_SCALE, RouteInfo, encode_frame, encode_part
from bustrack.simulation import Vehicle
from bustrack.wsframe import text_frame

__all__ = ["Entry", "Fleet", "channel_key"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One vehicle as sent: its number, static fields, rounded position and channels."""

    n: int
    vehicle_id: str
    route_id: str
    label: str
    headsign: str
    color: str
    pos: tuple[int, int, int]  # lat, lon in 1e-5 degrees; bearing in whole degrees
    channels: tuple[str, ...]
    reported: int = 0  # Unix seconds of the last report if the bus went silent, else 0

    def full(self) -> tuple[int, str, str, str, str, str, int, int, int, int]:
        """Return the wire record ``[n, id, route_id, label, headsign, color, lat, lon, b,
        reported]``."""
        return (
            self.n,
            self.vehicle_id,
            self.route_id,
            self.label,
            self.headsign,
            self.color,
            *self.pos,
            self.reported,
        )


def channel_key(channels: Iterable[str]) -> str:
    """Return the cache key of a set of channels (the same for equal sets)."""
    return "|".join(sorted(channels))


class Fleet:
    """This tick's vehicles and the frames built from them."""

    def __init__(self) -> None:
        """Start with no vehicles."""
        self.entries: dict[str, Entry] = {}
        self.vehicles: list[Vehicle] = []
        self.ts_ms = 0
        self.clock: dict[str, str] = {}
        self._next_n = 1
        self._members: dict[str, list[str]] = {}
        self._prev_entries: dict[str, Entry] = {}
        self._prev_members: dict[str, list[str]] = {}
        self._parts: dict[tuple[str, str], bytes] = {}
        self._frames: dict[tuple[str, str], bytes] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def advance(
        self,
        vehicles: Iterable[Vehicle],
        routes: Mapping[str, RouteInfo],
        ts_ms: int,
        clock: Mapping[str, str],
        silent: Mapping[str, int] | None = None,
    ) -> None:
        """Move to a new tick: the vehicles running now, stamped ``ts_ms``.

        ``silent`` maps the buses that did not report this tick to the Unix second of
        their last report; their record is sent again (in full) when that changes.
        """
        silent = silent or {}
        vehicles = list(vehicles)
        before = self.entries
        entries: dict[str, Entry] = {}
        members: dict[str, list[str]] = defaultdict(list)
        for v in vehicles:
            old = before.get(v.vehicle_id)
            lat = round(v.lat * COORD_SCALE)
            lon = round(v.lon * COORD_SCALE)
            pos = (lat, lon, round(v.bearing) % 360)
            reported = silent.get(v.vehicle_id, 0)
            if old is not None and old.pos == pos and old.reported == reported:
                entry = old
            else:
                info = routes[v.route_id]
                if old is not None:
                    n = old.n
                else:
                    n = self._next_n
                    self._next_n += 1
                entry = Entry(
                    n=n,
                    vehicle_id=v.vehicle_id,
                    route_id=v.route_id,
                    label=info.label,
                    headsign=v.headsign,
                    color=info.color,
                    pos=pos,
                    channels=vehicle_channels(lat / COORD_SCALE, lon / COORD_SCALE, v.route_id),
                    reported=reported,
                )
            entries[v.vehicle_id] = entry
            for c in entry.channels:
                members[c].append(v.vehicle_id)
        self._prev_entries = before
        self._prev_members = self._members
        self.entries = entries
        self.vehicles = vehicles
        self._members = dict(members)
        self.ts_ms = ts_ms
        self.clock = dict(clock)
        self._parts = {}
        self._frames = {}

    # Parts: one per channel and kind, at most once per tick.

    def _snapshot_part(self, channel: str) -> bytes:
        entries = self.entries
        ids = self._members.get(channel, ())
        return encode_part(channel, entered=[entries[i].full() for i in ids])

    def _update_part(self, channel: str) -> bytes:
        entries, before = self.entries, self._prev_entries
        now_ids = self._members.get(channel, [])
        was_ids = self._prev_members.get(channel, [])
        was = set(was_ids)
        now = set(now_ids)
        entered = []
        moved = []
        for i in now_ids:
            e = entries[i]
            if i not in was or before[i].reported != e.reported:
                entered.append(e.full())  # new here, or its silence began or ended
            elif before[i].pos != e.pos:
                moved.append((e.n, *e.pos))
        left = [before[i].n for i in was_ids if i not in now]
        return encode_part(channel, entered=entered, moved=moved, left=left)

    def part(self, kind: str, channel: str) -> bytes:
        """Return channel ``channel``'s ``snapshot`` or ``update`` part for this tick."""
        key = (kind, channel)
        found = self._parts.get(key)
        if found is None:
            if kind == "snapshot":
                found = self._snapshot_part(channel)
            else:
                found = self._update_part(channel)
            self._parts[key] = found
        return found

    # Frames: one per distinct channel set and kind, at most once per tick.

    def payload(self, kind: str, key: str) -> bytes:
        """Return the JSON of the ``snapshot`` or ``update`` frame for channel key ``key``."""
        parts = [self.part(kind, c) for c in key.split("|")]
        clock = self.clock if kind == "snapshot" else None
        return encode_frame(kind, parts, self.ts_ms, clock)

    def frame(self, kind: str, key: str) -> bytes:
        """Return the complete WebSocket frame of :meth:`payload`, built once per tick."""
        cache_key = (kind, key)
        found = self._frames.get(cache_key)
        if found is None:
            found = text_frame(self.payload(kind, key))
            self._frames[cache_key] = found
        return found
