"""A position report: one bus's position at one moment, as a source gave it.

Pure data. Whatever the source (a phone, an AVL unit, a GTFS-realtime feed), the rest of
the server sees these and nothing of where they came from.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OCCUPANCY", "Report"]

# GTFS-realtime's OccupancyStatus values, as names.
OCCUPANCY = (
    "EMPTY",
    "MANY_SEATS_AVAILABLE",
    "FEW_SEATS_AVAILABLE",
    "STANDING_ROOM_ONLY",
    "CRUSHED_STANDING_ROOM_ONLY",
    "FULL",
    "NOT_ACCEPTING_PASSENGERS",
)


@dataclass(frozen=True, slots=True)
class Report:
    """One position of one device.

    ``ts`` is when the position was taken, Unix seconds (real time, not the simulation's);
    ``speed`` in m/s, ``bearing`` in degrees clockwise from north, ``accuracy`` in metres;
    ``trip_id``/``route_id`` what the device says or is bound to ("" when unknown);
    ``occupancy`` one of :data:`OCCUPANCY` or ""; ``direction_id`` the GTFS direction (0
    or 1) a GTFS-rt trip descriptor or the device gave, None when unknown (with a route but
    no known trip it picks the route's stop patterns the bus is placed on; stored, so that a
    restart or a replay places it the same way).
    """

    device: str
    ts: float
    lat: float
    lon: float
    speed: float | None = None
    bearing: float | None = None
    accuracy: float | None = None
    trip_id: str = ""
    route_id: str = ""
    occupancy: str = ""
    direction_id: int | None = None

    @property
    def ts_ms(self) -> int:
        """``ts`` in whole milliseconds (what storage keys a report by)."""
        return round(self.ts * 1000)
