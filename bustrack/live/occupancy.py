"""How full a bus is: GTFS-realtime's OccupancyStatus, as a source reports it or, for the
simulated buses, a plausible one.

Pure and deterministic: the same run at the same moment is always as full. A simulated
bus is fuller at the morning and evening peaks, fuller in the middle of its route than at
its ends, and each run a little more or less than others (from its id).
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from zoneinfo import ZoneInfo

from bustrack.gtfs.model import Feed
from bustrack.live.devices import DEVICE_PREFIX
from bustrack.sources.simulation import Vehicle

__all__ = ["STATUSES", "local_hour", "occupancy_of", "simulated_load", "status_of_load"]

# Upper bounds of the load factor (1.0: every seat taken) for each status; past the last: FULL.
STATUSES = (
    (0.15, "EMPTY"),
    (0.5, "MANY_SEATS_AVAILABLE"),
    (0.85, "FEW_SEATS_AVAILABLE"),
    (1.1, "STANDING_ROOM_ONLY"),
    (1.35, "CRUSHED_STANDING_ROOM_ONLY"),
)
_PEAKS = ((9.0, 1.4), (18.5, 1.6))  # local hour of the peak, its spread in hours


def simulated_load(vehicle_id: str, hour: float, progress: float) -> float:
    """The load factor of a simulated bus.

    Args:
        vehicle_id: the run's id (each run is a little fuller or emptier than others).
        hour: local time of day in hours (may pass 24 after midnight).
        progress: how far along its trip, 0 to 1.
    """
    hour %= 24
    peak = max(math.exp(-(((hour - h) / w) ** 2)) for h, w in _PEAKS)
    by_hour = 0.3 + 0.95 * peak
    p = min(1.0, max(0.0, progress))
    along = 0.45 + 0.75 * (4 * p * (1 - p))
    run = 0.8 + 0.4 * (zlib.crc32(vehicle_id.encode()) / 0xFFFFFFFF)
    return by_hour * along * run


def status_of_load(load: float) -> str:
    """The OccupancyStatus name of a load factor."""
    for bound, name in STATUSES:
        if load < bound:
            return name
    return "FULL"


def local_hour(feed: Feed, now: float) -> float:
    """The time of day at Unix second ``now`` in the feed's timezone, in hours."""
    local = dt.datetime.fromtimestamp(now, ZoneInfo(feed.timezone))
    return local.hour + local.minute / 60


def occupancy_of(feed: Feed, hour: float, v: Vehicle) -> str | None:
    """How full bus ``v`` is at ``hour`` (:func:`local_hour` of the moment): as its source
    reported it, or for a simulated bus the simulation's; None when unknown (a real bus
    that says nothing of it)."""
    if v.occupancy:
        return v.occupancy
    trip = feed.trips.get(v.trip_id)
    if v.vehicle_id.startswith(DEVICE_PREFIX) or trip is None or not trip.distances:
        return None
    total = trip.distances[-1]
    progress = v.distance / total if total > 0 else 0.0
    return status_of_load(simulated_load(v.vehicle_id, hour, progress))
