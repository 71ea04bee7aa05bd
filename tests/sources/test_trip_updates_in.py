"""GTFS-realtime TripUpdates in (bustrack/sources/trip_updates_in.py), from messages built
with the bindings."""

from __future__ import annotations

import datetime as dt

import pytest
from google.transit import gtfs_realtime_pb2 as rt

from bustrack.gtfs.service import service_day_start
from bustrack.sources.feed_message import FeedDecodeError
from bustrack.sources.trip_updates_in import read_trip_updates
from tests.feeds import TZ, hms, make_feed, make_trip

DAY = dt.date(2026, 6, 16)
BASE = service_day_start(DAY, TZ).timestamp()
TIMES = [("09:00:00", "09:00:00"), ("09:10:00", "09:10:00"), ("09:20:00", "09:20:00")]
FEED = make_feed([make_trip("T1", TIMES)])
NOW = BASE + hms("09:05:00")

Stu = dict[str, object]


def trip_updates(*updates: tuple[str, list[Stu]], canceled: str = "") -> bytes:
    """A TripUpdates message: (trip_id, [{stop_id|seq, time|delay, skipped}]) each."""
    msg = rt.FeedMessage()
    msg.header.gtfs_realtime_version = "2.0"
    msg.header.timestamp = int(NOW)
    for i, (trip_id, stops) in enumerate(updates):
        tu = msg.entity.add(id=f"u{i}").trip_update
        tu.trip.trip_id = trip_id
        tu.trip.start_date = DAY.strftime("%Y%m%d")
        for s in stops:
            stu = tu.stop_time_update.add()
            if "stop_id" in s:
                stu.stop_id = str(s["stop_id"])
            if "seq" in s:
                stu.stop_sequence = int(s["seq"])  # type: ignore[call-overload]
            if "time" in s:
                stu.arrival.time = int(s["time"])  # type: ignore[call-overload]
            if "delay" in s:
                stu.arrival.delay = int(s["delay"])  # type: ignore[call-overload]
            if s.get("skipped"):
                stu.schedule_relationship = rt.TripUpdate.StopTimeUpdate.SKIPPED
    if canceled:
        tu = msg.entity.add(id="c").trip_update
        tu.trip.trip_id = canceled
        tu.trip.schedule_relationship = rt.TripDescriptor.CANCELED
    return msg.SerializeToString()


def test_a_delay_holds_for_the_stops_after_it() -> None:
    (t,), counts = read_trip_updates(
        trip_updates(("T1", [{"stop_id": "B", "delay": 120}])), NOW, FEED
    )
    assert t.service_day == DAY and counts.taken == 1
    assert t.times == {1: BASE + hms("09:12:00"), 2: BASE + hms("09:22:00")}


def test_an_absolute_time_sets_the_delay_for_what_follows() -> None:
    data = trip_updates(("T1", [{"seq": 2, "time": BASE + hms("09:13:00")}]))
    (t,), _ = read_trip_updates(data, NOW, FEED)
    assert t.times[1] == BASE + hms("09:13:00")
    assert t.times[2] == BASE + hms("09:23:00")


def test_skipped_stops_and_canceled_trips() -> None:
    data = trip_updates(("T1", [{"stop_id": "B", "skipped": True}]), canceled="T1")
    skipping, canceled = read_trip_updates(data, NOW, FEED)[0]
    assert skipping.skipped == {1} and not skipping.canceled
    assert canceled.canceled and canceled.times == {}


def test_unknown_trips_and_updates_without_times_are_counted_and_left_out() -> None:
    data = trip_updates(("nope", [{"stop_id": "B", "delay": 60}]), ("T1", [{"stop_id": "Z"}]))
    found, counts = read_trip_updates(data, NOW, FEED)
    assert found == [] and (counts.unknown_trip, counts.no_times) == (1, 1)
    assert "1 unknown trip" in counts.summary()


def test_a_malformed_message_is_refused() -> None:
    with pytest.raises(FeedDecodeError):
        read_trip_updates(trip_updates(("T1", [{"stop_id": "B", "delay": 1}]))[:-3], NOW, FEED)
