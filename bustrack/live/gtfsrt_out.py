"""GTFS-realtime out: what the server knows, in the format every transit app reads.

Pure: builds ``FeedMessage`` protobufs (from ``gtfs-realtime-bindings``) from the
tick's vehicles and predictions; the time stamp is a parameter. Both feeds are
FULL_DATASET: each message replaces the previous one. The fields each entity gets are
listed in docs/api.md (GTFS-realtime); tests/test_gtfsrt_rules.py checks the messages
against the rules of MobilityData's GTFS-realtime validator.

Times out are real POSIX seconds (the simulation's plus ``shift``), never later than the
header's. A trip's stops are named by their ``stop_id`` and their ``stop_sequence`` from
``stop_times.txt``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from google.protobuf import json_format
from google.transit import gtfs_realtime_pb2 as rt

from bustrack.gtfs.model import Feed
from bustrack.live.boards import speed_mps
from bustrack.live.clock import format_service_time
from bustrack.live.occupancy import local_hour, occupancy_of
from bustrack.live.predictions import Eta
from bustrack.sources.simulation import Vehicle

__all__ = [
    "GTFS_RT_VERSION",
    "INCOMING_AT_M",
    "STOPPED_AT_M",
    "alerts",
    "to_json",
    "trip_updates",
    "vehicle_positions",
]

GTFS_RT_VERSION = "2.0"

# Metres before its next stop within which a bus is STOPPED_AT it (a bus dwelling there
# is too), and INCOMING_AT it; farther away it is IN_TRANSIT_TO it.
STOPPED_AT_M = 10.0
INCOMING_AT_M = 100.0


def _message(ts: int) -> rt.FeedMessage:
    msg = rt.FeedMessage()
    msg.header.gtfs_realtime_version = GTFS_RT_VERSION
    msg.header.incrementality = rt.FeedHeader.FULL_DATASET
    msg.header.timestamp = ts
    return msg


def _exact_times(feed: Feed, trip_id: str, run_start: int) -> int | None:
    """Return ``exact_times`` of the frequency window the run starts in (None: not a
    frequency-based trip)."""
    windows = feed.frequencies.get(trip_id)
    if not windows:
        return None
    for w in windows:
        if w.start <= run_start < w.end:
            return w.exact_times
    return windows[0].exact_times


def _describe_trip(desc: rt.TripDescriptor, vehicle: Vehicle, feed: Feed) -> None:
    """Name the vehicle's run: its trip, route, direction and (when known) start.

    A frequency-based trip's run is only named by its start; a bus on such a trip whose
    run is unknown (a real bus not placed yet) is described by its route and direction.
    A run of an ``exact_times=0`` trip is not SCHEDULED: its schedule_relationship is left
    empty, as the spec asks.
    """
    trip = feed.trips[vehicle.trip_id]
    known = vehicle.service_day is not None
    exact_times = _exact_times(feed, trip.trip_id, vehicle.run_start)
    desc.route_id = trip.route_id
    if trip.direction_id is not None:
        desc.direction_id = trip.direction_id
    if exact_times is not None and not known:
        return
    desc.trip_id = trip.trip_id
    if exact_times is None:  # scheduled once: its start is the first stop time
        desc.start_time = format_service_time(trip.arrivals[0])
    elif known:
        desc.start_time = format_service_time(vehicle.run_start)
    if vehicle.service_day is not None:
        desc.start_date = vehicle.service_day.strftime("%Y%m%d")
    if exact_times != 0:
        desc.schedule_relationship = rt.TripDescriptor.SCHEDULED


def _label(vehicle: Vehicle, feed: Feed) -> str:
    """What a rider reads on the bus: its route's name and where it goes ("64 → Dadar")."""
    route = feed.routes.get(vehicle.route_id)
    if route is None:
        return ""
    return f"{route.label} → {vehicle.headsign}" if vehicle.headsign else route.label


def _stamp(vehicle: Vehicle, ts: int, shift: float) -> int:
    """The real POSIX second of the vehicle's report; never after ``ts``."""
    return min(round(vehicle.timestamp + shift), ts) if vehicle.timestamp else ts


def vehicle_positions(
    vehicles: Iterable[Vehicle],
    feed: Feed,
    ts: int,
    shift: float = 0.0,
    before: Mapping[str, Vehicle] | None = None,
    stale_after: float = math.inf,
) -> rt.FeedMessage:
    """Return a VehiclePositions FeedMessage, one entity per vehicle, stamped ``ts`` (Unix s).

    Args:
        vehicles: this tick's vehicles.
        feed: the GTFS feed they run.
        ts: the header's time stamp, real POSIX seconds.
        shift: turns the simulation's time stamps into real ones: non-zero when the
            simulation does not run at the real time of day.
        before: the previous tick's vehicles by id, for their speeds; none without it
            (except those a unit reported).
        stale_after: seconds after which a bus's last report is too old to tell its
            speed (as in the popup).
    """
    msg = _message(ts)
    now = ts - shift  # the simulation's time
    hour = local_hour(feed, now)  # the simulation's time of day, for its occupancy
    before = before or {}
    for v in vehicles:
        trip = feed.trips.get(v.trip_id)
        entity = msg.entity.add()
        entity.id = v.vehicle_id
        vp = entity.vehicle
        vp.vehicle.id = v.vehicle_id
        label = _label(v, feed)
        if label:
            vp.vehicle.label = label
        vp.position.latitude = v.lat
        vp.position.longitude = v.lon
        vp.position.bearing = v.bearing % 360
        speed = speed_mps(before.get(v.vehicle_id), v) if now - v.timestamp <= stale_after else None
        if speed is not None:
            vp.position.speed = speed
        if trip is not None:
            _describe_trip(vp.trip, v, feed)
            if 0 <= v.next_stop < len(trip.stop_ids):  # placed along it
                vp.stop_id = trip.stop_ids[v.next_stop]
                vp.current_stop_sequence = trip.stop_sequence(v.next_stop)
                vp.current_status = _status(trip.distances[v.next_stop] - v.distance)
        elif feed.routes.get(v.route_id) is not None:  # no trip: unscheduled as far as we know
            vp.trip.route_id = v.route_id
        occupancy = occupancy_of(feed, hour, v)
        if occupancy:
            status = rt.VehiclePosition.OccupancyStatus.Value(occupancy)
            vp.occupancy_status = status  # type: ignore[assignment]
        vp.timestamp = _stamp(v, ts, shift)
    return msg


def _status(ahead_m: float) -> rt.VehiclePosition.VehicleStopStatus:
    """The VehicleStopStatus of a bus ``ahead_m`` metres before its next stop (<= 0: there,
    dwelling)."""
    if ahead_m <= STOPPED_AT_M:
        return rt.VehiclePosition.STOPPED_AT
    if ahead_m <= INCOMING_AT_M:
        return rt.VehiclePosition.INCOMING_AT
    return rt.VehiclePosition.IN_TRANSIT_TO


def trip_updates(
    vehicles: Iterable[Vehicle],
    etas: Mapping[str, Sequence[Eta]],
    feed: Feed,
    ts: int,
    shift: float = 0.0,
) -> rt.FeedMessage:
    """Return a TripUpdates FeedMessage: one entity per vehicle with its stops ahead.

    ``etas`` maps a vehicle id to its predictions (simulated Unix seconds), in stop
    order; ``shift`` as for :func:`vehicle_positions`.
    """
    msg = _message(ts)
    for v in vehicles:
        ahead = etas.get(v.vehicle_id)
        if not ahead:
            continue
        entity = msg.entity.add()
        entity.id = v.vehicle_id
        tu = entity.trip_update
        _describe_trip(tu.trip, v, feed)
        tu.vehicle.id = v.vehicle_id
        tu.timestamp = _stamp(v, ts, shift)
        trip = feed.trips[v.trip_id]
        first = ahead[0]
        tu.delay = round(first.eta_ts - first.scheduled_ts)
        for eta in ahead:
            stu = tu.stop_time_update.add()
            stu.stop_sequence = trip.stop_sequence(eta.stop_index)
            stu.stop_id = eta.stop_id
            stu.arrival.time = round(eta.eta_ts + shift)
            stu.arrival.delay = round(eta.eta_ts - eta.scheduled_ts)
            stu.arrival.uncertainty = round(eta.uncertainty_s)
            stu.schedule_relationship = rt.TripUpdate.StopTimeUpdate.SCHEDULED
    return msg


def alerts(parts: list[bytes], ts: int) -> rt.FeedMessage:
    """Return one Alerts message holding the entities of every message in ``parts``
    (serialized FeedMessages, as the Alerts feeds in gave them), stamped ``ts``."""
    msg = _message(ts)
    for data in parts:
        part = rt.FeedMessage()
        part.ParseFromString(data)
        msg.entity.extend(part.entity)
    return msg


def to_json(msg: rt.FeedMessage) -> dict[str, Any]:
    """Return ``msg`` as a JSON-able dict (field names as in the GTFS-rt reference)."""
    out: dict[str, Any] = json_format.MessageToDict(msg, preserving_proto_field_name=True)
    return out
