"""GTFS-realtime VehiclePositions in: a feed's bytes turned into checked position reports.

Pure: the bytes, the current time and each vehicle's last report are parameters. What
feeds in the wild do, and what is done with it (each counted in :class:`Counts`):

- a message that does not parse (truncated, not protobuf): :class:`FeedDecodeError`; the
  caller logs it with the URL and keeps the last good state;
- an entity without a position: skipped (``no_position``);
- the same vehicle twice in one message: the newest kept (``duplicates``);
- a timestamp not newer than the vehicle's last (a repeated or out-of-order message):
  skipped (``repeated``);
- no timestamp on the vehicle: the header's;
- timestamps in the future or too old, positions outside the feed's area, impossible
  coordinates: refused by :func:`~bustrack.sources.checks.check_report`, counted by rule;
- no bearing: derived from the last move later, by :class:`~bustrack.live.devices.LiveDevices`;
- matching: by ``trip_id`` when the static feed has it, else by ``route_id`` (with the
  descriptor's ``direction_id``, placed on the route's nearest stop pattern later, by
  :mod:`bustrack.live.placing`); a vehicle that matches neither is kept, unmatched (shown
  grey), never dropped (``unmatched``).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from google.transit import gtfs_realtime_pb2 as rt

from bustrack.gtfs.model import Feed
from bustrack.sources.checks import Limits, Refused, check_report
from bustrack.sources.feed_message import FeedDecodeError, parse_message
from bustrack.sources.report import OCCUPANCY, Report

__all__ = ["Counts", "FeedDecodeError", "read_vehicle_positions"]


@dataclass
class Counts:
    """What one message held."""

    entities: int = 0
    accepted: int = 0
    unmatched: int = 0
    duplicates: int = 0
    repeated: int = 0
    no_position: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # by rule: future, old, area...

    def summary(self) -> str:
        """One line for the log."""
        parts = [f"{self.accepted} of {self.entities} vehicles taken"]
        for name in ("unmatched", "duplicates", "repeated", "no_position"):
            n = getattr(self, name)
            if n:
                parts.append(f"{n} {name.replace('_', ' ')}")
        parts += [f"{n} refused ({kind})" for kind, n in sorted(self.refused.items())]
        return ", ".join(parts)


def _occupancy(vp: rt.VehiclePosition) -> str:
    if not vp.HasField("occupancy_status"):
        return ""
    name: str = rt.VehiclePosition.OccupancyStatus.Name(vp.occupancy_status)
    return name if name in OCCUPANCY else ""


def read_vehicle_positions(
    data: bytes,
    now: float,
    feed: Feed,
    last: Callable[[str], Report | None],
    limits: Limits | None = None,
    prefix: str = "",
) -> tuple[list[Report], Counts]:
    """Return the checked reports of a VehiclePositions message, and what it held.

    Args:
        data: the message's bytes.
        now: the current time, Unix seconds.
        feed: the static feed, to match trips and routes.
        last: each device's last accepted report (to skip repeats and judge jumps).
        limits: what a report may be (default: :class:`Limits`' defaults).
        prefix: put before each vehicle's id (to tell several feeds' vehicles apart).

    Raises:
        FeedDecodeError: ``data`` is not a FeedMessage.
    """
    msg = parse_message(data)
    limits = limits or Limits()
    counts = Counts()
    header_ts = float(msg.header.timestamp) if msg.header.timestamp else now
    newest: dict[str, Report] = {}
    for entity in msg.entity:
        if not entity.HasField("vehicle"):
            continue
        counts.entities += 1
        vp = entity.vehicle
        if not vp.HasField("position"):
            counts.no_position += 1
            continue
        device = prefix + (vp.vehicle.id or entity.id)
        trip_id = vp.trip.trip_id if vp.HasField("trip") else ""
        route_id = vp.trip.route_id if vp.HasField("trip") else ""
        direction = None
        if trip_id in feed.trips:
            route_id = feed.trips[trip_id].route_id
        elif route_id not in feed.routes:
            trip_id, route_id = "", ""
        else:
            trip_id = ""
            if vp.trip.HasField("direction_id"):
                direction = vp.trip.direction_id
        raw: dict[str, object] = {
            "device": device,
            "lat": vp.position.latitude,
            "lon": vp.position.longitude,
            "ts": float(vp.timestamp) if vp.timestamp else header_ts,
            "trip_id": trip_id,
            "route_id": route_id,
            "occupancy": _occupancy(vp),
        }
        if vp.position.HasField("bearing"):
            raw["bearing"] = vp.position.bearing % 360
        if vp.position.HasField("speed"):
            raw["speed"] = vp.position.speed
        before = newest.get(device) or last(device)
        try:
            report = check_report(raw, now, before, limits)
        except Refused as err:
            counts.refused[err.kind] += 1
            continue
        if direction is not None:
            report = dataclasses.replace(report, direction_id=direction)
        if device in newest:
            counts.duplicates += 1
            if report.ts <= newest[device].ts:
                continue
        elif before is not None and report.ts <= before.ts:
            counts.repeated += 1
            continue
        newest[device] = report
    counts.accepted = len(newest)
    counts.unmatched = sum(1 for r in newest.values() if not r.route_id)
    return list(newest.values()), counts
