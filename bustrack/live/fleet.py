"""The fleet as the clients know it: this tick's vehicles, by channel, and their frames.

Pure: no I/O, no clock. :meth:`Fleet.advance` takes the vehicles of a new tick
and the frame time. Frames are then built lazily and cached for the tick:

- a channel's *part* (its entered/moved/left vehicles since the previous tick, or
  its whole content for a snapshot) is encoded at most once per tick, and only if
  some client subscribes to that channel;
- a client's *frame* joins the parts of its channels; clients with the same
  channels share one frame, built once and framed for WebSocket once;
- for clients that negotiated per-message deflate, each part is also compressed
  once per tick, and their frames join the compressed parts
  (:mod:`bustrack.wire.deflate`).

Vehicles are numbered (``n``) when they first appear; the number is what moves
refer to, so frames stay small. Numbers are never reused within one Fleet.

Advancing is the fixed cost of every tick, whoever listens, so it does as little
per bus as it can: a bus that did not move keeps its entry, one that moved keeps
its channels until it crosses a tile edge, and a channel's members are listed
only when some client asks for one of its kind (one pass groups every channel of
that kind).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bustrack.sources.simulation import Vehicle
from bustrack.wire.channels import ALL, TILE_ZOOMS, TilePlace, route_channel, tile_place
from bustrack.wire.framing import PartFrames, channel_key, key_channels
from bustrack.wire.protocol import COORD_SCALE, UNMATCHED, RouteInfo, encode_part

__all__ = ["Entry", "Fleet", "channel_key", "key_channels"]


@dataclass(slots=True)
class Entry:
    """One vehicle as sent: its number, static fields, rounded position and channels.

    Never changed once built (the previous tick's entries are compared with this
    tick's); not frozen only because a frozen dataclass takes twice as long to build.
    """

    n: int
    vehicle_id: str
    route_id: str
    label: str
    headsign: str
    color: str
    pos: tuple[int, int, int]  # lat, lon in 1e-5 degrees; bearing in whole degrees
    channels: tuple[str, ...]  # ALL, its route's, then its tiles' (finest zoom first)
    place: TilePlace  # the tiles it is in, and when it leaves them
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


def _family(channel: str) -> int:
    """Return where channels like ``channel`` sit in :attr:`Entry.channels`."""
    if channel == ALL:
        return 0
    if channel.startswith("r/"):
        return 1
    return 2 + _TILE_FAMILIES[channel.split("/", 1)[0]]


_TILE_FAMILIES = {str(z): i for i, z in enumerate(TILE_ZOOMS)}


def _group(entries: Mapping[str, Entry], family: int) -> dict[str, list[str]]:
    """Return the ids of ``entries`` by their channel of ``family``, in entry order."""
    if family == 0:
        return {ALL: list(entries)}
    groups: dict[str, list[str]] = defaultdict(list)
    for vid, entry in entries.items():
        groups[entry.channels[family]].append(vid)
    return dict(groups)


class Fleet(PartFrames):
    """This tick's vehicles and the frames built from them (:class:`PartFrames`)."""

    def __init__(self) -> None:
        """Start with no vehicles."""
        super().__init__()
        self.entries: dict[str, Entry] = {}
        self.vehicles: list[Vehicle] = []
        self.before: list[Vehicle] = []  # the previous tick's vehicles
        self._next_n = 1
        self._groups: dict[int, dict[str, list[str]]] = {}
        self._prev_entries: dict[str, Entry] = {}
        self._prev_groups: dict[int, dict[str, list[str]]] = {}
        self._route_channels: dict[str, str] = {}
        self._parts: dict[tuple[str, str], bytes] = {}

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
        before_get = before.get
        silent_get = silent.get
        scale = COORD_SCALE
        entries: dict[str, Entry] = {}
        for v in vehicles:
            vid = v.vehicle_id
            old = before_get(vid)
            lat = round(v.lat * scale)
            lon = round(v.lon * scale)
            pos = (lat, lon, round(v.bearing) % 360)
            reported = silent_get(vid, 0)
            if old is None:
                entry = self._new_entry(v, routes, pos, reported)
            elif old.pos == pos and old.reported == reported:
                entry = old
            else:
                place, channels = old.place, old.channels
                if not place.holds(lat / scale, lon / scale):
                    place = tile_place(lat / scale, lon / scale)
                    channels = (*channels[:2], *place.channels)
                entry = Entry(
                    old.n,
                    vid,
                    old.route_id,
                    old.label,
                    old.headsign,
                    old.color,
                    pos,
                    channels,
                    place,
                    reported,
                )
            entries[vid] = entry
        self._prev_entries = before
        self._prev_groups = self._groups
        self.entries = entries
        self.before = self.vehicles
        self.vehicles = vehicles
        self._groups = {}
        self.ts_ms = ts_ms
        self.clock = dict(clock)
        self._parts = {}
        self.new_tick()

    def _new_entry(
        self,
        v: Vehicle,
        routes: Mapping[str, RouteInfo],
        pos: tuple[int, int, int],
        reported: int,
    ) -> Entry:
        """Number a vehicle seen for the first time and work out its channels."""
        info = routes.get(v.route_id) or UNMATCHED
        n = self._next_n
        self._next_n += 1
        route = self._route_channels.get(v.route_id)
        if route is None:
            route = self._route_channels[v.route_id] = route_channel(v.route_id)
        place = tile_place(pos[0] / COORD_SCALE, pos[1] / COORD_SCALE)
        return Entry(
            n=n,
            vehicle_id=v.vehicle_id,
            route_id=v.route_id,
            label=info.label,
            headsign=v.headsign,
            color=info.color,
            pos=pos,
            channels=(ALL, route, *place.channels),
            place=place,
            reported=reported,
        )

    def _members(self, channel: str, *, previous: bool = False) -> list[str]:
        """Return the ids of the vehicles in ``channel`` this tick (or the tick before)."""
        family = _family(channel)
        groups, entries = (
            (self._prev_groups, self._prev_entries) if previous else (self._groups, self.entries)
        )
        found = groups.get(family)
        if found is None:
            found = groups[family] = _group(entries, family)
        return found.get(channel, [])

    # Parts: one per channel and kind, at most once per tick.

    def _snapshot_part(self, channel: str) -> bytes:
        entries = self.entries
        ids = self._members(channel)
        return encode_part(channel, entered=[entries[i].full() for i in ids])

    def _update_part(self, channel: str) -> bytes:
        entries, before = self.entries, self._prev_entries
        now_ids = self._members(channel)
        was_ids = self._members(channel, previous=True)
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

    def channels(self) -> list[str]:
        """Return every channel with a vehicle this tick or the tick before (whose update
        part may say something), whole fleet first."""
        found = {ALL}
        for entries in (self.entries, self._prev_entries):
            for entry in entries.values():
                found.update(entry.channels)
        found.discard(ALL)
        return [ALL, *sorted(found)]
