"""The real buses: each device's last accepted report, matched to the feed, as vehicles.

Pure: time is a parameter. The tick asks :meth:`LiveDevices.vehicles` for the real buses
beside the simulated ones; the fleet, ``/ws``, ``/gtfs-rt`` and the stale and drop rules
then treat them alike (a device that stops reporting turns grey after ``--stale-after``
and goes after ``--drop-after``, as a silent simulated unit does).

Matching: a report's ``trip_id`` (its own, or the one its device is bound to) known to the
feed gives the route and headsign; else a known ``route_id``; else the bus is still shown,
unmatched (no route), rather than dropped. A missing bearing is derived from the last move.
"""

from __future__ import annotations

import dataclasses

from bustrack.geo import bearing_deg, haversine_m
from bustrack.gtfs.model import Feed
from bustrack.simulation import Vehicle
from bustrack.sources.report import Report

__all__ = ["DEVICE_PREFIX", "LiveDevices"]

DEVICE_PREFIX = "dev/"  # a real bus's vehicle id: this and the device's id
_MOVED_M = 10.0  # a move shorter than this says nothing of the bearing


class LiveDevices:
    """The last report of every device that has sent one."""

    def __init__(self, feed: Feed) -> None:
        """Match reports against ``feed``."""
        self._feed = feed
        self._last: dict[str, Report] = {}

    def __len__(self) -> int:
        return len(self._last)

    def last_of(self, device: str) -> Report | None:
        """The device's last accepted report, or None."""
        return self._last.get(device)

    def accept(self, report: Report) -> bool:
        """Take ``report`` if it is the device's newest; return whether it was."""
        last = self._last.get(report.device)
        if last is not None and report.ts <= last.ts:
            return False
        if report.bearing is None:
            bearing = last.bearing if last is not None else None
            if (
                last is not None
                and haversine_m(last.lat, last.lon, report.lat, report.lon) > _MOVED_M
            ):
                bearing = bearing_deg(last.lat, last.lon, report.lat, report.lon)
            report = dataclasses.replace(report, bearing=bearing)
        self._last[report.device] = report
        return True

    def forget_older(self, before: float) -> None:
        """Drop the devices whose last report is older than ``before`` (Unix s)."""
        for device in [d for d, r in self._last.items() if r.ts < before]:
            del self._last[device]

    def vehicles(self, offset: float) -> list[Vehicle]:
        """The devices as vehicles; ``offset`` (seconds) turns real time into the
        simulation's (``simulated = real + offset``), in which the fleet judges staleness."""
        out = []
        trips, routes = self._feed.trips, self._feed.routes
        for r in self._last.values():
            trip = trips.get(r.trip_id) if r.trip_id else None
            route_id = trip.route_id if trip else (r.route_id if r.route_id in routes else "")
            out.append(
                Vehicle(
                    vehicle_id=DEVICE_PREFIX + r.device,
                    trip_id=trip.trip_id if trip else "",
                    route_id=route_id,
                    headsign=trip.headsign if trip else "",
                    lat=r.lat,
                    lon=r.lon,
                    bearing=r.bearing or 0.0,
                    distance=0.0,
                    next_stop=-1,
                    timestamp=r.ts + offset,
                    occupancy=r.occupancy,
                )
            )
        return out
