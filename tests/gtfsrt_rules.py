"""The rules of MobilityData's GTFS-realtime validator that apply to what we publish.

Each rule is a function written once, ``check(msg, ctx) -> problems``, that returns what
it finds wrong with a FeedMessage (an empty list: the message passes). The rule ids and
their wording are the validator's (``ValidationRules.java`` of
MobilityData/gtfs-realtime-validator); a rule that does not concern a message's kind of
entity finds nothing in it. Left out: the rules about two iterations of a feed (E017,
E018), about blocks (E007, E008, E014), ADDED trips (E016: we add none), delays without
times (E046: we always give times), refresh intervals (W007, W008), and E029 (distance to
the trip's shape).

:func:`problems` runs every rule; :func:`pairing` (W003/E047) compares a VehiclePositions
message with a TripUpdates one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise

from google.transit import gtfs_realtime_pb2 as rt

from bustrack.gtfs.model import Feed, Trip

__all__ = ["RULES", "Ctx", "pairing", "problems"]

# POSIX seconds between 2001 and 2100: a time in milliseconds is far beyond.
MIN_POSIX, MAX_POSIX = 978_307_200, 4_102_444_800
FUTURE_S = 60  # E050: how far ahead of the validator's clock a time stamp may be
MAX_SPEED = 26.0  # W004: m/s (about 94 km/h), the validator's threshold for a bus
COVERAGE_M = 1609.0  # E028: the validator's buffer around the feed's stops
VERSIONS = ("1.0", "2.0")
_START_TIME = re.compile(r"^\d{1,2}:[0-5]\d:[0-5]\d$")
_START_DATE = re.compile(r"^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")

_STU = rt.TripUpdate.StopTimeUpdate


@dataclass(frozen=True)
class Ctx:
    """What a rule checks a message against: the GTFS feed, and the validator's clock."""

    feed: Feed
    now: float  # POSIX seconds at which the message is read


Rule = Callable[[rt.FeedMessage, Ctx], list[str]]


# Walking a message.


def _descriptors(msg: rt.FeedMessage) -> Iterator[tuple[str, rt.TripDescriptor]]:
    for e in msg.entity:
        if e.HasField("vehicle") and e.vehicle.HasField("trip"):
            yield e.id, e.vehicle.trip
        if e.HasField("trip_update"):
            yield e.id, e.trip_update.trip


def _timestamps(msg: rt.FeedMessage) -> Iterator[tuple[str, int]]:
    """Every time of the message, named (header, entities, stop times, alert periods)."""
    if msg.header.HasField("timestamp"):
        yield "header", msg.header.timestamp
    for e in msg.entity:
        if e.HasField("vehicle") and e.vehicle.HasField("timestamp"):
            yield f"{e.id} vehicle", e.vehicle.timestamp
        if e.HasField("trip_update"):
            tu = e.trip_update
            if tu.HasField("timestamp"):
                yield f"{e.id} trip_update", tu.timestamp
            for u in tu.stop_time_update:
                for kind in ("arrival", "departure"):
                    if u.HasField(kind) and getattr(u, kind).HasField("time"):
                        yield f"{e.id} {u.stop_id} {kind}", getattr(u, kind).time
        if e.HasField("alert"):
            for p in e.alert.active_period:
                for end in ("start", "end"):
                    if p.HasField(end):
                        yield f"{e.id} active_period.{end}", getattr(p, end)


def _exact_times(feed: Feed, trip_id: str, start_time: str) -> int | None:
    """``exact_times`` of the frequency window a run starting at ``start_time`` is in
    (None: the trip is not frequency-based)."""
    windows = feed.frequencies.get(trip_id)
    if not windows:
        return None
    if _START_TIME.match(start_time):
        h, m, s = (int(x) for x in start_time.split(":"))
        for w in windows:
            if w.start <= h * 3600 + m * 60 + s < w.end:
                return w.exact_times
    return windows[0].exact_times


def _seconds(start_time: str) -> int:
    h, m, s = (int(x) for x in start_time.split(":"))
    return h * 3600 + m * 60 + s


def _vehicles(msg: rt.FeedMessage) -> Iterator[tuple[str, rt.VehiclePosition]]:
    for e in msg.entity:
        if e.HasField("vehicle"):
            yield e.id, e.vehicle


def _updates(msg: rt.FeedMessage) -> Iterator[tuple[str, rt.TripUpdate]]:
    for e in msg.entity:
        if e.HasField("trip_update"):
            yield e.id, e.trip_update


def _trip(ctx: Ctx, desc: rt.TripDescriptor) -> Trip | None:
    return ctx.feed.trips.get(desc.trip_id) if desc.trip_id else None


# The header, and times anywhere.


def e038(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E038: invalid header.gtfs_realtime_version."""
    v = msg.header.gtfs_realtime_version
    return [] if v in VERSIONS else [f"gtfs_realtime_version {v!r} is invalid"]


def e048(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E048: header timestamp not populated (version 2.0 and higher)."""
    if msg.header.gtfs_realtime_version >= "2.0" and not msg.header.HasField("timestamp"):
        return ["the header has no timestamp"]
    return []


def e049(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E049: header incrementality not populated (version 2.0 and higher)."""
    if msg.header.gtfs_realtime_version >= "2.0" and not msg.header.HasField("incrementality"):
        return ["the header has no incrementality"]
    return []


def e039(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E039: FULL_DATASET feeds should not include entity.is_deleted."""
    if msg.header.incrementality != rt.FeedHeader.FULL_DATASET:
        return []
    return [f"{e.id} has is_deleted" for e in msg.entity if e.HasField("is_deleted")]


def e001(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E001: not in POSIX time (seconds, not milliseconds)."""
    return [
        f"{what} {t} is not POSIX seconds"
        for what, t in _timestamps(msg)
        if not MIN_POSIX <= t <= MAX_POSIX
    ]


def e012(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E012: header timestamp should be >= every entity's (TripUpdate, VehiclePosition)."""
    header = msg.header.timestamp
    out = [
        f"{i} vehicle timestamp {vp.timestamp} > header {header}"
        for i, vp in _vehicles(msg)
        if vp.timestamp > header
    ]
    out += [
        f"{i} trip_update timestamp {tu.timestamp} > header {header}"
        for i, tu in _updates(msg)
        if tu.timestamp > header
    ]
    return out


def e050(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E050: timestamp is in the future (entity and header time stamps)."""
    limit = ctx.now + FUTURE_S
    stamps = [("header", msg.header.timestamp)]
    stamps += [(f"{i} vehicle", vp.timestamp) for i, vp in _vehicles(msg)]
    stamps += [(f"{i} trip_update", tu.timestamp) for i, tu in _updates(msg)]
    return [f"{what} {t} is after {ctx.now:.0f}" for what, t in stamps if t > limit]


def w001(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """W001: timestamps not populated (header, TripUpdates, VehiclePositions)."""
    out = [] if msg.header.timestamp else ["the header has no timestamp"]
    out += [f"{i} vehicle has no timestamp" for i, vp in _vehicles(msg) if not vp.timestamp]
    out += [f"{i} trip_update has no timestamp" for i, tu in _updates(msg) if not tu.timestamp]
    return out


# Trip descriptors, of VehiclePositions and TripUpdates.


def e003(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E003: trip_id not in GTFS trips.txt (and not ADDED)."""
    return [
        f"{i} trip_id {d.trip_id!r} is not in trips.txt"
        for i, d in _descriptors(msg)
        if d.trip_id
        and d.trip_id not in ctx.feed.trips
        and d.schedule_relationship != rt.TripDescriptor.ADDED
    ]


def e004(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E004: route_id not in GTFS routes.txt."""
    return [
        f"{i} route_id {d.route_id!r} is not in routes.txt"
        for i, d in _descriptors(msg)
        if d.route_id and d.route_id not in ctx.feed.routes
    ]


def e035(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E035: trip.trip_id does not belong to trip.route_id in trips.txt."""
    out = []
    for i, d in _descriptors(msg):
        trip = _trip(ctx, d)
        if trip is not None and d.route_id and d.route_id != trip.route_id:
            out.append(f"{i} trip {d.trip_id!r} is of route {trip.route_id!r}, not {d.route_id!r}")
    return out


def e024(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E024: trip direction_id does not match trips.txt."""
    out = []
    for i, d in _descriptors(msg):
        trip = _trip(ctx, d)
        if trip is not None and d.HasField("direction_id") and d.direction_id != trip.direction_id:
            out.append(f"{i} direction_id {d.direction_id} is not {trip.direction_id}")
    return out


def e020(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E020: invalid start_time format (HH:MM:SS or H:MM:SS)."""
    return [
        f"{i} start_time {d.start_time!r}"
        for i, d in _descriptors(msg)
        if d.HasField("start_time") and not _START_TIME.match(d.start_time)
    ]


def e021(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E021: invalid start_date format (YYYYMMDD)."""
    return [
        f"{i} start_date {d.start_date!r}"
        for i, d in _descriptors(msg)
        if d.HasField("start_date") and not _START_DATE.match(d.start_date)
    ]


def e023(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E023: a scheduled (not frequency-based) trip's start_time is not its first arrival."""
    out = []
    for i, d in _descriptors(msg):
        trip = _trip(ctx, d)
        if trip is None or trip.trip_id in ctx.feed.frequencies or not d.HasField("start_time"):
            continue
        if not _START_TIME.match(d.start_time) or _seconds(d.start_time) != trip.arrivals[0]:
            out.append(f"{i} start_time {d.start_time} is not the first arrival_time")
    return out


def e006(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E006: a frequency-based exact_times=0 trip without trip_id, start_time and start_date."""
    out = []
    for i, d in _descriptors(msg):
        if d.trip_id and _exact_times(ctx.feed, d.trip_id, d.start_time) == 0:
            missing = [f for f in ("start_time", "start_date") if not d.HasField(f)]
            out += [f"{i} has no {f}" for f in missing]
    return out


def e013(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E013: a frequency-based exact_times=0 trip's schedule_relationship is neither
    UNSCHEDULED nor empty."""
    return [
        f"{i} schedule_relationship {d.schedule_relationship}"
        for i, d in _descriptors(msg)
        if d.trip_id
        and _exact_times(ctx.feed, d.trip_id, d.start_time) == 0
        and d.HasField("schedule_relationship")
        and d.schedule_relationship != rt.TripDescriptor.UNSCHEDULED
    ]


def e019(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E019: a frequency-based exact_times=1 run's start_time is not a whole number of
    headways after its window's start."""
    out = []
    for i, d in _descriptors(msg):
        windows = ctx.feed.frequencies.get(d.trip_id) if d.trip_id else None
        if not windows or not _START_TIME.match(d.start_time):
            continue
        t = _seconds(d.start_time)
        fits = any(
            w.exact_times == 1 and w.start <= t < w.end and (t - w.start) % w.headway == 0
            for w in windows
        )
        if any(w.exact_times == 1 for w in windows) and not fits:
            out.append(f"{i} start_time {d.start_time} is not on the headway")
    return out


# VehiclePositions.


def e026(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E026: invalid vehicle position (not WGS84 coordinates)."""
    out = []
    for i, vp in _vehicles(msg):
        lat, lon = vp.position.latitude, vp.position.longitude
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # NaN fails too
            out.append(f"{i} position {lat}, {lon}")
    return out


def e027(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E027: invalid vehicle bearing (0 to 360 inclusive)."""
    return [
        f"{i} bearing {vp.position.bearing}"
        for i, vp in _vehicles(msg)
        if vp.position.HasField("bearing") and not 0 <= vp.position.bearing <= 360
    ]


def e028(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E028: vehicle position outside the agency's coverage area (the stops' bounding box
    grown by :data:`COVERAGE_M`)."""
    lats = [s.lat for s in ctx.feed.stops.values()]
    lons = [s.lon for s in ctx.feed.stops.values()]
    dlat = COVERAGE_M / 111_320
    dlon = dlat / math.cos(math.radians(max(map(abs, lats))))
    out = []
    for i, vp in _vehicles(msg):
        lat, lon = vp.position.latitude, vp.position.longitude
        if not (
            min(lats) - dlat <= lat <= max(lats) + dlat
            and min(lons) - dlon <= lon <= max(lons) + dlon
        ):
            out.append(f"{i} position {lat}, {lon} is outside the feed's area")
    return out


def w004(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """W004: unrealistic vehicle speed (over :data:`MAX_SPEED` m/s, or negative)."""
    return [
        f"{i} speed {vp.position.speed} m/s"
        for i, vp in _vehicles(msg)
        if vp.position.HasField("speed") and not 0 <= vp.position.speed <= MAX_SPEED
    ]


def w002(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """W002: vehicle id not populated (VehiclePositions and TripUpdates)."""
    out = [f"{i} vehicle has no vehicle.id" for i, vp in _vehicles(msg) if not vp.vehicle.id]
    out += [f"{i} trip_update has no vehicle.id" for i, tu in _updates(msg) if not tu.vehicle.id]
    return out


def e052(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E052: vehicle.id is not unique (among VehiclePositions)."""
    counts = Counter(vp.vehicle.id for _, vp in _vehicles(msg) if vp.vehicle.id)
    return [f"vehicle.id {v!r} is used {n} times" for v, n in counts.items() if n > 1]


# Stops, of VehiclePositions and of TripUpdates' stop_time_updates.


def _stops(msg: rt.FeedMessage) -> Iterator[tuple[str, rt.TripDescriptor, str, int | None]]:
    """Every (entity, trip, stop_id, stop_sequence) the message names."""
    for i, vp in _vehicles(msg):
        if vp.stop_id or vp.HasField("current_stop_sequence"):
            seq = vp.current_stop_sequence if vp.HasField("current_stop_sequence") else None
            yield i, vp.trip, vp.stop_id, seq
    for i, tu in _updates(msg):
        for u in tu.stop_time_update:
            yield i, tu.trip, u.stop_id, u.stop_sequence if u.HasField("stop_sequence") else None


def e011(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E011: stop_id not in GTFS stops.txt."""
    return [
        f"{i} stop_id {s!r} is not in stops.txt"
        for i, _, s, _ in _stops(msg)
        if s and s not in ctx.feed.stops
    ]


def e015(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E015: a stop_id whose location_type is not 0."""
    return [
        f"{i} stop_id {s!r} has location_type {ctx.feed.stops[s].location_type}"
        for i, _, s, _ in _stops(msg)
        if s in ctx.feed.stops and ctx.feed.stops[s].location_type != 0
    ]


def e051(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E051: a stop_sequence not in the trip's stop_times.txt."""
    out = []
    for i, d, _, seq in _stops(msg):
        trip = _trip(ctx, d)
        known = {trip.stop_sequence(k) for k in range(len(trip.stop_ids))} if trip else set()
        if trip is not None and seq is not None and seq not in known:
            out.append(f"{i} stop_sequence {seq} is not one of trip {trip.trip_id!r}")
    return out


def e045(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E045: stop_sequence and stop_id given together do not match stop_times.txt."""
    out = []
    for i, d, stop_id, seq in _stops(msg):
        trip = _trip(ctx, d)
        if trip is None or seq is None or not stop_id:
            continue
        at = {trip.stop_sequence(k): s for k, s in enumerate(trip.stop_ids)}
        if seq in at and at[seq] != stop_id:
            out.append(f"{i} stop_sequence {seq} is stop {at[seq]!r}, not {stop_id!r}")
    return out


def e009(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E009: no stop_sequence for a trip that visits the same stop_id more than once."""
    out = []
    for i, d, stop_id, seq in _stops(msg):
        trip = _trip(ctx, d)
        if trip is not None and seq is None and trip.stop_ids.count(stop_id) > 1:
            out.append(f"{i} stop {stop_id!r} is visited twice: stop_sequence needed")
    return out


# TripUpdates' stop_time_updates.


def e041(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E041: a trip without stop_time_updates that is not CANCELED."""
    return [
        f"{i} has no stop_time_update"
        for i, tu in _updates(msg)
        if not tu.stop_time_update and tu.trip.schedule_relationship != rt.TripDescriptor.CANCELED
    ]


def e040(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E040: a stop_time_update with neither stop_id nor stop_sequence."""
    return [
        f"{i} stop_time_update {k} names no stop"
        for i, tu in _updates(msg)
        for k, u in enumerate(tu.stop_time_update)
        if not u.stop_id and not u.HasField("stop_sequence")
    ]


def e002(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E002: stop_time_updates not strictly sorted by stop_sequence (E036: the same twice)."""
    out = []
    for i, tu in _updates(msg):
        seqs = [u.stop_sequence for u in tu.stop_time_update if u.HasField("stop_sequence")]
        if any(b <= a for a, b in pairwise(seqs)):
            out.append(f"{i} stop_sequences {seqs} are not increasing")
    return out


def e037(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E037: sequential stop_time_updates have the same stop_id."""
    out = []
    for i, tu in _updates(msg):
        ids = [u.stop_id for u in tu.stop_time_update]
        out += [f"{i} stop {a!r} twice in a row" for a, b in pairwise(ids) if a and a == b]
    return out


def _times(u: rt.TripUpdate.StopTimeUpdate) -> list[int]:
    return [
        getattr(u, kind).time
        for kind in ("arrival", "departure")
        if u.HasField(kind) and getattr(u, kind).HasField("time")
    ]


def e022(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E022: times of sequential stop_time_updates are not increasing."""
    out = []
    for i, tu in _updates(msg):
        last = None
        for u in tu.stop_time_update:
            times = _times(u)
            if not times:
                continue
            if last is not None and min(times) <= last:
                out.append(f"{i} {u.stop_id} at {min(times)}, not after {last}")
            last = max(times)
    return out


def e025(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E025: a stop_time_update's departure time is before its arrival time."""
    return [
        f"{i} {u.stop_id} departs before it arrives"
        for i, tu in _updates(msg)
        for u in tu.stop_time_update
        if u.arrival.HasField("time")
        and u.departure.HasField("time")
        and u.departure.time < u.arrival.time
    ]


def e043(msg: rt.FeedMessage, ctx: Ctx) -> list[str]:
    """E043: a stop_time_update (not SKIPPED or NO_DATA) without arrival or departure; E042:
    a NO_DATA one with either; E044: an arrival or departure without delay or time."""
    out = []
    for i, tu in _updates(msg):
        for u in tu.stop_time_update:
            given = [k for k in ("arrival", "departure") if u.HasField(k)]
            if u.schedule_relationship == _STU.NO_DATA:
                out += [f"{i} {u.stop_id} NO_DATA has {k}" for k in given]
            elif u.schedule_relationship != _STU.SKIPPED and not given:
                out.append(f"{i} {u.stop_id} has no arrival or departure")
            for k in given:
                event = getattr(u, k)
                if not event.HasField("time") and not event.HasField("delay"):
                    out.append(f"{i} {u.stop_id} {k} has neither time nor delay")
    return out


RULES: dict[str, Rule] = {
    "E001": e001,
    "E002": e002,
    "E003": e003,
    "E004": e004,
    "E006": e006,
    "E009": e009,
    "E011": e011,
    "E012": e012,
    "E013": e013,
    "E015": e015,
    "E019": e019,
    "E020": e020,
    "E021": e021,
    "E022": e022,
    "E023": e023,
    "E024": e024,
    "E025": e025,
    "E026": e026,
    "E027": e027,
    "E028": e028,
    "E035": e035,
    "E037": e037,
    "E038": e038,
    "E039": e039,
    "E040": e040,
    "E041": e041,
    "E043": e043,
    "E045": e045,
    "E048": e048,
    "E049": e049,
    "E050": e050,
    "E051": e051,
    "E052": e052,
    "W001": w001,
    "W002": w002,
    "W004": w004,
}


def problems(msg: rt.FeedMessage, ctx: Ctx) -> dict[str, list[str]]:
    """Return what every rule finds wrong with ``msg``, by rule id (only rules that do)."""
    found = {rule: check(msg, ctx) for rule, check in RULES.items()}
    return {rule: found for rule, found in found.items() if found}


def pairing(positions: rt.FeedMessage, updates: rt.FeedMessage) -> list[str]:
    """W003/E047: a vehicle's VehiclePosition and TripUpdate name different trips."""
    trips = {
        tu.vehicle.id: tu.trip.trip_id
        for _, tu in _updates(updates)
        if tu.vehicle.id and tu.trip.trip_id
    }
    return [
        f"{vp.vehicle.id} runs {vp.trip.trip_id!r}, its trip update {trips[vp.vehicle.id]!r}"
        for _, vp in _vehicles(positions)
        if vp.vehicle.id in trips and vp.trip.trip_id and vp.trip.trip_id != trips[vp.vehicle.id]
    ]
