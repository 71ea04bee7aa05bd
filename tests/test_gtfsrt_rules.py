"""GTFS-realtime out, checked against the GTFS-realtime validator's rules (tests/gtfsrt_rules.py).

Pure: messages built by bustrack.live.gtfsrt_out's builders from the Mumbai feed's buses at 09:00
(every trip frequency-based, ``exact_times=0``), and from a small feed with a trip
scheduled once and one repeated at exact times, numbered 10, 20, 30. Every rule is also
shown to catch a message broken on purpose, so that a passing rule is not one that never
looks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from array import array
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from google.transit import gtfs_realtime_pb2 as rt

from bustrack.gtfs.model import Feed, Frequency
from bustrack.live.boards import speed_kmh
from bustrack.live.gtfsrt_out import (
    INCOMING_AT_M,
    STOPPED_AT_M,
    alerts,
    trip_updates,
    vehicle_positions,
)
from bustrack.live.predictions import Predictor
from bustrack.sources.simulation import Timetable, Vehicle, locate_vehicles
from tests.feeds import hms, make_feed, make_trip
from tests.gtfsrt_rules import RULES, Ctx, pairing, problems

TZ = ZoneInfo("Asia/Kolkata")
NINE = dt.datetime(2026, 6, 16, 9, 0, tzinfo=TZ)
STEP = 5  # seconds between the two ticks
SHIFT = 86_400.0  # the simulation runs a day behind the real clock


@dataclasses.dataclass(frozen=True)
class Built:
    feed: Feed
    ts: int  # the real time of the second tick
    positions: rt.FeedMessage
    updates: rt.FeedMessage
    before: dict[str, Vehicle]
    vehicles: list[Vehicle]

    @property
    def ctx(self) -> Ctx:
        return Ctx(self.feed, self.ts)


def build(feed: Feed, moment: dt.datetime) -> Built:
    """Two ticks STEP seconds apart at ``moment``; the messages of the second."""
    timetable = Timetable(feed)
    predictor = Predictor(feed)
    first = locate_vehicles(timetable, moment)
    predictor.observe(first, moment.timestamp())
    later = moment + dt.timedelta(seconds=STEP)
    now = locate_vehicles(timetable, later)
    predictor.observe(now, later.timestamp())
    ts = round(later.timestamp() + SHIFT)
    before = {v.vehicle_id: v for v in first}
    return Built(
        feed,
        ts,
        vehicle_positions(now, feed, ts, SHIFT, before),
        trip_updates(now, predictor.predict_all(), feed, ts, SHIFT),
        before,
        now,
    )


@pytest.fixture(scope="module")
def mumbai(mumbai_feed: Feed) -> Built:
    return build(mumbai_feed, NINE)


def small_feed() -> Feed:
    """T1 runs once at 08:00; T2 every 10 minutes at exact times; stops numbered 10, 20, 30;
    T3 is a loop A-B-A (a stop visited twice)."""
    times = [("08:00:00", "08:00:00"), ("08:04:00", "08:05:00"), ("08:10:00", "08:10:00")]
    numbered = array("i", [10, 20, 30])
    t1 = dataclasses.replace(make_trip("T1", times), stop_sequences=numbered)
    t2 = dataclasses.replace(make_trip("T2", times), stop_sequences=numbered)
    t3 = make_trip("T3", times, ("A", "B", "A"))
    windows = (Frequency("T2", hms("07:00:00"), hms("10:00:00"), 600, 1),)
    return make_feed([t1, t2, t3], frequencies={"T2": windows})


@pytest.fixture(scope="module")
def small() -> Built:
    return build(small_feed(), NINE.replace(hour=8, minute=3))


def copy(msg: rt.FeedMessage) -> rt.FeedMessage:
    out = rt.FeedMessage()
    out.CopyFrom(msg)
    return out


# What we publish passes.


def test_vehicle_positions_pass_every_rule(mumbai: Built) -> None:
    assert len(mumbai.positions.entity) > 1000
    assert problems(mumbai.positions, mumbai.ctx) == {}


def test_trip_updates_pass_every_rule(mumbai: Built) -> None:
    assert len(mumbai.updates.entity) > 1000
    assert problems(mumbai.updates, mumbai.ctx) == {}
    assert pairing(mumbai.positions, mumbai.updates) == []


def test_scheduled_and_exact_time_trips_pass_every_rule(small: Built) -> None:
    assert {e.vehicle.trip.trip_id for e in small.positions.entity} == {"T1", "T2", "T3"}
    assert problems(small.positions, small.ctx) == {}
    assert problems(small.updates, small.ctx) == {}
    assert pairing(small.positions, small.updates) == []


def test_alerts_pass_the_header_rules(mumbai: Built) -> None:
    part = rt.FeedMessage()
    part.header.gtfs_realtime_version = "2.0"
    alert = part.entity.add(id="closure").alert
    alert.informed_entity.add(stop_id=next(iter(mumbai.feed.stops)))
    alert.active_period.add(start=mumbai.ts - 60)
    msg = alerts([part.SerializeToString()], mumbai.ts)
    assert len(msg.entity) == 1
    assert problems(msg, mumbai.ctx) == {}
    assert problems(alerts([], mumbai.ts), mumbai.ctx) == {}


# What the fields say.


def test_stops_are_named_by_their_stop_sequence_not_their_index(small: Built) -> None:
    by_trip = {e.vehicle.trip.trip_id: e.vehicle for e in small.positions.entity}
    # 08:03:05: T1 runs towards B, its second stop, numbered 20; T3 (numbered 1, 2, 3) too.
    assert (by_trip["T1"].stop_id, by_trip["T1"].current_stop_sequence) == ("B", 20)
    assert (by_trip["T3"].stop_id, by_trip["T3"].current_stop_sequence) == ("B", 2)
    t1 = next(e.trip_update for e in small.updates.entity if e.trip_update.trip.trip_id == "T1")
    assert [(u.stop_id, u.stop_sequence) for u in t1.stop_time_update] == [("B", 20), ("C", 30)]


def test_trip_descriptors_name_the_run(small: Built, mumbai: Built) -> None:
    by_trip = {e.vehicle.trip.trip_id: e.vehicle.trip for e in small.positions.entity}
    once, exact = by_trip["T1"], by_trip["T2"]
    assert (once.start_time, once.start_date, once.route_id, once.direction_id) == (
        "08:00:00",
        "20260616",
        "R1",
        0,
    )
    assert once.schedule_relationship == rt.TripDescriptor.SCHEDULED
    assert exact.start_time == "08:00:00" and exact.HasField("schedule_relationship")
    # Mumbai's trips run by headway (exact_times=0): no SCHEDULED (E013), but a start.
    for e in mumbai.positions.entity:
        trip = e.vehicle.trip
        assert trip.trip_id and trip.start_time and trip.start_date
        assert not trip.HasField("schedule_relationship")


def test_ids_labels_and_times(mumbai: Built) -> None:
    feed = mumbai.feed
    vehicles = {v.vehicle_id: v for v in mumbai.vehicles}
    for e in mumbai.positions.entity:
        vp = e.vehicle
        v = vehicles[vp.vehicle.id]
        assert e.id == vp.vehicle.id
        route = feed.routes[v.route_id].label
        assert vp.vehicle.label == (f"{route} → {v.headsign}" if v.headsign else route)
        assert vp.timestamp == round(v.timestamp + SHIFT) <= mumbai.positions.header.timestamp
    # The same bus keeps its id from one tick to the next.
    assert len(vehicles.keys() & mumbai.before.keys()) > 0.9 * len(vehicles)


def test_status_follows_the_distance_to_the_next_stop(mumbai: Built) -> None:
    vehicles = {v.vehicle_id: v for v in mumbai.vehicles}
    seen = set()
    for e in mumbai.positions.entity:
        v = vehicles[e.id]
        trip = mumbai.feed.trips[v.trip_id]
        ahead = trip.distances[v.next_stop] - v.distance
        expected = (
            rt.VehiclePosition.STOPPED_AT
            if ahead <= STOPPED_AT_M
            else rt.VehiclePosition.INCOMING_AT
            if ahead <= INCOMING_AT_M
            else rt.VehiclePosition.IN_TRANSIT_TO
        )
        assert e.vehicle.current_status == expected
        seen.add(expected)
    assert len(seen) == 3


def test_speed_is_the_popups(mumbai: Built) -> None:
    vehicles = {v.vehicle_id: v for v in mumbai.vehicles}
    speeds = 0
    for e in mumbai.positions.entity:
        kmh = speed_kmh(mumbai.before.get(e.id), vehicles[e.id])
        if kmh is None:  # new this tick: no speed rather than a made-up one
            assert not e.vehicle.position.HasField("speed")
            continue
        speeds += 1
        assert e.vehicle.position.speed * 3.6 == pytest.approx(kmh, abs=0.01)
    assert speeds > 1000
    # A unit's own report of its speed wins; without the tick before, none is made up.
    v = dataclasses.replace(mumbai.vehicles[0], speed=12.5)
    (alone,) = vehicle_positions([v, mumbai.vehicles[1]], mumbai.feed, mumbai.ts, SHIFT).entity[:1]
    assert alone.vehicle.position.speed == 12.5
    bare = vehicle_positions(mumbai.vehicles[1:2], mumbai.feed, mumbai.ts, SHIFT).entity[0]
    assert not bare.vehicle.position.HasField("speed")
    # A report older than stale_after tells no speed (as the popup shows none).
    old = vehicle_positions(
        [v], mumbai.feed, mumbai.ts + 120, SHIFT, mumbai.before, stale_after=60
    ).entity[0]
    assert not old.vehicle.position.HasField("speed")


def test_a_timestamp_is_never_after_the_header(mumbai: Built) -> None:
    v = dataclasses.replace(mumbai.vehicles[0], timestamp=mumbai.ts - SHIFT + 30)
    (e,) = vehicle_positions([v], mumbai.feed, mumbai.ts, SHIFT).entity
    assert e.vehicle.timestamp == mumbai.ts


# Each rule catches what it is about.

Break = Callable[[rt.FeedMessage, rt.FeedMessage], rt.FeedMessage]


def _vp(positions: rt.FeedMessage, updates: rt.FeedMessage) -> rt.VehiclePosition:
    return positions.entity[0].vehicle


def _tu(positions: rt.FeedMessage, updates: rt.FeedMessage) -> rt.TripUpdate:
    return next(e.trip_update for e in updates.entity if len(e.trip_update.stop_time_update) > 1)


def on_vp(change: Callable[[rt.VehiclePosition], object]) -> Break:
    def broken(positions: rt.FeedMessage, updates: rt.FeedMessage) -> rt.FeedMessage:
        change(_vp(positions, updates))
        return positions

    return broken


def on_tu(change: Callable[[rt.TripUpdate], object]) -> Break:
    def broken(positions: rt.FeedMessage, updates: rt.FeedMessage) -> rt.FeedMessage:
        change(_tu(positions, updates))
        return updates

    return broken


def on_header(change: Callable[[rt.FeedHeader], object]) -> Break:
    def broken(positions: rt.FeedMessage, updates: rt.FeedMessage) -> rt.FeedMessage:
        change(positions.header)
        return positions

    return broken


def _swap(tu: rt.TripUpdate) -> None:
    a, b = tu.stop_time_update[0], tu.stop_time_update[1]
    a_copy = rt.TripUpdate.StopTimeUpdate()
    a_copy.CopyFrom(a)
    a.CopyFrom(b)
    b.CopyFrom(a_copy)


def _duplicate_vehicle(positions: rt.FeedMessage, updates: rt.FeedMessage) -> rt.FeedMessage:
    positions.entity[1].vehicle.vehicle.id = positions.entity[0].vehicle.vehicle.id
    return positions


def _delete(positions: rt.FeedMessage, updates: rt.FeedMessage) -> rt.FeedMessage:
    positions.entity[0].is_deleted = True
    return positions


def _seq_of_another_stop(tu: rt.TripUpdate) -> None:
    tu.stop_time_update[0].stop_sequence = tu.stop_time_update[1].stop_sequence


def _first_seq(tu: rt.TripUpdate) -> None:
    tu.stop_time_update[0].stop_sequence = 10_000


def _same_stop_twice(tu: rt.TripUpdate) -> None:
    tu.stop_time_update[1].stop_id = tu.stop_time_update[0].stop_id


def _time_back(tu: rt.TripUpdate) -> None:
    tu.stop_time_update[1].arrival.time = tu.stop_time_update[0].arrival.time


def _departs_early(tu: rt.TripUpdate) -> None:
    u = tu.stop_time_update[0]
    u.departure.time = u.arrival.time - 1


def _no_times(tu: rt.TripUpdate) -> None:
    tu.stop_time_update[0].ClearField("arrival")


def _no_sequences(tu: rt.TripUpdate) -> None:
    for u in tu.stop_time_update:
        u.ClearField("stop_sequence")


def _no_stop(tu: rt.TripUpdate) -> None:
    tu.stop_time_update[0].ClearField("stop_id")
    tu.stop_time_update[0].ClearField("stop_sequence")


def _station(feed: Feed, positions: rt.FeedMessage) -> Feed:
    stop_id = positions.entity[0].vehicle.stop_id
    stops = dict(feed.stops)
    stops[stop_id] = dataclasses.replace(stops[stop_id], location_type=1)
    return dataclasses.replace(feed, stops=stops)


BROKEN: dict[str, Break] = {
    "E001": on_vp(lambda vp: setattr(vp, "timestamp", vp.timestamp * 1000)),
    "E002": on_tu(_swap),
    "E003": on_vp(lambda vp: setattr(vp.trip, "trip_id", "NO_SUCH_TRIP")),
    "E004": on_vp(lambda vp: setattr(vp.trip, "route_id", "NO_SUCH_ROUTE")),
    "E006": on_tu(lambda tu: tu.trip.ClearField("start_date")),
    "E009": on_tu(_no_sequences),
    "E011": on_vp(lambda vp: setattr(vp, "stop_id", "NO_SUCH_STOP")),
    "E012": on_vp(lambda vp: setattr(vp, "timestamp", vp.timestamp + 1)),
    "E013": on_vp(lambda vp: setattr(vp.trip, "schedule_relationship", 0)),
    "E015": on_vp(lambda vp: None),  # the feed is changed instead: see test below
    "E019": on_vp(lambda vp: setattr(vp.trip, "start_time", "08:01:00")),
    "E020": on_vp(lambda vp: setattr(vp.trip, "start_time", "8h00")),
    "E021": on_vp(lambda vp: setattr(vp.trip, "start_date", "2026-06-16")),
    "E022": on_tu(_time_back),
    "E023": on_vp(lambda vp: setattr(vp.trip, "start_time", "08:00:01")),
    "E024": on_vp(lambda vp: setattr(vp.trip, "direction_id", 1 - vp.trip.direction_id)),
    "E025": on_tu(_departs_early),
    "E026": on_vp(lambda vp: setattr(vp.position, "latitude", 91.0)),
    "E027": on_vp(lambda vp: setattr(vp.position, "bearing", 361.0)),
    "E028": on_vp(lambda vp: setattr(vp.position, "latitude", vp.position.latitude + 1)),
    "E035": on_vp(lambda vp: setattr(vp.trip, "route_id", "R2")),
    "E037": on_tu(_same_stop_twice),
    "E038": on_header(lambda h: setattr(h, "gtfs_realtime_version", "3.0")),
    "E039": _delete,
    "E040": on_tu(_no_stop),
    "E041": on_tu(lambda tu: tu.ClearField("stop_time_update")),
    "E043": on_tu(_no_times),
    "E045": on_tu(_seq_of_another_stop),
    "E048": on_header(lambda h: h.ClearField("timestamp")),
    "E049": on_header(lambda h: h.ClearField("incrementality")),
    "E050": on_header(lambda h: setattr(h, "timestamp", h.timestamp + 3600)),
    "E051": on_tu(_first_seq),
    "E052": _duplicate_vehicle,
    "W001": on_vp(lambda vp: vp.ClearField("timestamp")),
    "W002": on_vp(lambda vp: vp.vehicle.ClearField("id")),
    "W004": on_vp(lambda vp: setattr(vp.position, "speed", 27.0)),
}
# Rules about trips the Mumbai feed has none of: shown on the small feed.
ON_SMALL = {"E009": "T3", "E019": "T2", "E023": "T1", "E035": "T1"}


def test_every_rule_has_a_broken_message() -> None:
    assert BROKEN.keys() == RULES.keys()


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_each_rule_catches_a_message_broken_for_it(rule: str, mumbai: Built, small: Built) -> None:
    built = small if rule in ON_SMALL else mumbai
    positions, updates = copy(built.positions), copy(built.updates)
    if rule in ON_SMALL:  # the trip the rule is about comes first
        trip_id = ON_SMALL[rule]
        for msg in (positions, updates):
            entities = sorted(msg.entity, key=lambda e: e.id.split("@")[0] != trip_id)
            kept = [copy_entity(e) for e in entities]
            del msg.entity[:]
            msg.entity.extend(kept)
    ctx = built.ctx
    check = RULES[rule]
    assert check(positions, ctx) == [] and check(updates, ctx) == []
    if rule == "E015":  # the stop the first bus runs to becomes a station
        ctx = Ctx(_station(built.feed, positions), built.ts)
    broken = BROKEN[rule](positions, updates)
    assert check(broken, ctx), f"{rule} did not catch its broken message"


def copy_entity(e: rt.FeedEntity) -> rt.FeedEntity:
    out = rt.FeedEntity()
    out.CopyFrom(e)
    return out


def test_pairing_catches_a_vehicle_on_two_trips(mumbai: Built) -> None:
    positions = copy(mumbai.positions)
    assert pairing(positions, mumbai.updates) == []
    positions.entity[0].vehicle.trip.trip_id = "ANOTHER_TRIP"
    assert pairing(positions, mumbai.updates)
