"""GTFS-realtime out: what the server knows, in the format every transit app reads.

Pure: builds ``FeedMessage`` protobufs (from ``gtfs-realtime-bindings``) from the
tick's vehicles and predictions; the time stamp is a parameter. Both feeds are
FULL_DATASET: each message replaces the previous one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from google.protobuf import json_format
from google.transit import gtfs_realtime_pb2 as rt

from bustrack.clock import format_service_time
from bustrack.gtfs.model import Feed
from bustrack.occupancy import local_hour, occupancy_of
from bustrack.predictions import Eta
from bustrack.simulation import Vehicle

__all__ = [
    "GTFS_RT_VERSION",
    "to_json",
    "trip_updates",
    "vehicle_positions",
]

GTFS_RT_VERSION = "2.0"


def _message(ts: int) -> rt.FeedMessage:
    msg = rt.FeedMessage()
    msg.header.gtfs_realtime_version = GTFS_RT_VERSION
    msg.header.incrementality = rt.FeedHeader.FULL_DATASET
    msg.header.timestamp = ts
    return msg


def _describe_trip(desc: rt.TripDescriptor, vehicle: Vehicle, feed: Feed) -> None:
    trip = feed.trips[vehicle.trip_id]
    desc.trip_id = vehicle.trip_id
    desc.route_id = vehicle.route_id
    if trip.direction_id is not None:
        desc.direction_id = trip.direction_id
    if vehicle.service_day is not None:
        desc.start_date = vehicle.service_day.strftime("%Y%m%d")
    if vehicle.trip_id in feed.frequencies:
        # A frequency-based trip needs its run's start to be identified.
        desc.start_time = format_service_time(vehicle.run_start)
    desc.schedule_relationship = rt.TripDescriptor.SCHEDULED


def vehicle_positions(
    vehicles: Iterable[Vehicle], feed: Feed, ts: int, shift: float = 0.0
) -> rt.FeedMessage:
    """Return a VehiclePositions FeedMessage, one entity per vehicle, stamped ``ts`` (Unix s).

    ``shift`` (seconds) turns the simulation's time stamps into real ones: it is
    non-zero when the simulation does not run at the real time of day.
    """
    msg = _message(ts)
    hour = local_hour(feed, ts - shift)  # the simulation's time of day, for its occupancy
    for v in vehicles:
        trip = feed.trips.get(v.trip_id)
        entity = msg.entity.add()
        entity.id = v.vehicle_id
        vp = entity.vehicle
        vp.vehicle.id = v.vehicle_id
        route = feed.routes.get(v.route_id)
        if route is not None:
            vp.vehicle.label = route.label
        vp.position.latitude = v.lat
        vp.position.longitude = v.lon
        vp.position.bearing = v.bearing
        if trip is not None and 0 <= v.next_stop < len(trip.stop_ids):
            _describe_trip(vp.trip, v, feed)
            vp.stop_id = trip.stop_ids[v.next_stop]
            dwelling = v.distance >= trip.distances[v.next_stop]
            vp.current_status = (
                rt.VehiclePosition.STOPPED_AT if dwelling else rt.VehiclePosition.IN_TRANSIT_TO
            )
        elif trip is not None:  # a real bus on a known trip, not yet placed along it
            _describe_trip(vp.trip, v, feed)
        elif route is not None:  # a known route, no trip: unscheduled as far as we know
            vp.trip.route_id = v.route_id
        occupancy = occupancy_of(feed, hour, v)
        if occupancy:
            status = rt.VehiclePosition.OccupancyStatus.Value(occupancy)
            vp.occupancy_status = status  # type: ignore[assignment]
        vp.timestamp = round(v.timestamp + shift) if v.timestamp else ts
    return msg


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
        tu.timestamp = round(v.timestamp + shift) if v.timestamp else ts
        first = ahead[0]
        tu.delay = round(first.eta_ts - first.scheduled_ts)
        for eta in ahead:
            stu = tu.stop_time_update.add()
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
