"""The real buses: each device's last accepted report, matched to the feed, as vehicles.

Pure: time is a parameter. The tick asks :meth:`LiveDevices.vehicles` for the real buses
beside the simulated ones; the fleet, ``/ws``, ``/gtfs-rt`` and the stale and drop rules
then treat them alike (a device that stops reporting turns grey after ``--stale-after``
and goes after ``--drop-after``, as a silent simulated unit does).

Matching (:mod:`bustrack.live.placing`): a report's ``trip_id`` (its own, or the one its
device is bound to) known to the feed gives the route and headsign, and the bus is placed
along that trip (its run, distance and next stop, so that it drives predictions); else a
known ``route_id`` (and ``direction_id``) is matched to the stop pattern and run nearest
the report; else the bus is still shown, unmatched (no route), rather than dropped. A
bus off every path of its route keeps its route and makes no predictions. A missing
bearing is derived from the last move, else from the path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from bustrack.geo import bearing_deg, haversine_m, point_along
from bustrack.live.placing import Placement, Placer
from bustrack.sources.report import Report
from bustrack.sources.simulation import Timetable, Vehicle

__all__ = ["DEVICE_PREFIX", "LiveDevices"]

DEVICE_PREFIX = "dev/"  # a real bus's vehicle id: this and the device's id
_MOVED_M = 10.0  # a move shorter than this says nothing of the bearing


class LiveDevices:
    """The last report of every device that has sent one."""

    def __init__(self, timetable: Timetable) -> None:
        """Match reports against ``timetable``'s feed and place them on its runs."""
        self._timetable = timetable
        self._feed = timetable.feed
        self._placer = Placer(timetable)
        self._last: dict[str, Report] = {}
        # Each device's placement, and the report's time (and clock offset) it was made for.
        self._placed: dict[str, tuple[float, float, Placement | None]] = {}

    def __len__(self) -> int:
        return len(self._last)

    def last_of(self, device: str) -> Report | None:
        """The device's last accepted report, or None."""
        return self._last.get(device)

    def accept(self, report: Report, placed: tuple[float, Placement | None] | None = None) -> bool:
        """Take ``report`` if it is the device's newest; return whether it was.

        ``placed``: ``(offset, placement)`` if :meth:`place` was asked already (e.g. in a
        worker thread, for a whole feed's message); else the next :meth:`vehicles` places it.
        """
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
        if placed is not None:
            self._placed[report.device] = (report.ts, *placed)
        return True

    def forget_older(self, before: float) -> None:
        """Drop the devices whose last report is older than ``before`` (Unix s)."""
        for device in [d for d, r in self._last.items() if r.ts < before]:
            del self._last[device]
            self._placed.pop(device, None)

    def place(self, r: Report, offset: float) -> Placement | None:
        """Where report ``r`` puts its device on the timetable; ``offset`` as in
        :meth:`vehicles`. Changes nothing but caches, so it may run in a worker thread."""
        found = self._placed.get(r.device)
        before = found[2] if found is not None else None
        moment = dt.datetime.fromtimestamp(r.ts + offset, dt.UTC)
        trip = self._feed.trips.get(r.trip_id) if r.trip_id else None
        if trip is not None:
            return self._placer.on_trip(trip, r.lat, r.lon, moment, before)
        if r.route_id in self._feed.routes:
            return self._placer.on_route(r.route_id, r.direction_id, r.lat, r.lon, moment, before)
        return None

    def placement(self, device: str, offset: float) -> Placement | None:
        """Where the device's last report puts it on the timetable (worked out once per
        report, by :meth:`place`)."""
        r = self._last.get(device)
        if r is None:
            return None
        found = self._placed.get(device)
        if found is not None and found[0] == r.ts and found[1] == offset:
            return found[2]
        placed = self.place(r, offset)
        self._placed[device] = (r.ts, offset, placed)
        return placed

    def vehicles(self, offset: float) -> list[Vehicle]:
        """The devices as vehicles; ``offset`` (seconds) turns real time into the
        simulation's (``simulated = real + offset``), in which the fleet judges staleness."""
        out = []
        trips, routes = self._feed.trips, self._feed.routes
        for r in self._last.values():
            placed = self.placement(r.device, offset)
            trip = placed.trip if placed else (trips.get(r.trip_id) if r.trip_id else None)
            route_id = trip.route_id if trip else (r.route_id if r.route_id in routes else "")
            bearing = r.bearing
            if bearing is None and placed is not None:
                path = self._timetable.path(placed.trip)
                bearing = point_along(
                    path.lats, path.lons, path.distances, path.offset + placed.distance
                )[2]
            out.append(
                Vehicle(
                    vehicle_id=DEVICE_PREFIX + r.device,
                    trip_id=trip.trip_id if trip else "",
                    route_id=route_id,
                    headsign=trip.headsign if trip else "",
                    lat=r.lat,
                    lon=r.lon,
                    bearing=bearing or 0.0,
                    distance=placed.distance if placed else 0.0,
                    next_stop=placed.next_stop if placed else -1,
                    service_day=placed.service_day if placed else None,
                    run_start=placed.run_start if placed else 0,
                    timestamp=r.ts + offset,
                    occupancy=r.occupancy,
                    speed=r.speed,
                )
            )
        return out
