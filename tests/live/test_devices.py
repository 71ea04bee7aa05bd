from __future__ import annotations

from bustrack.gtfs.model import Feed
from bustrack.live.devices import LiveDevices
from bustrack.sources.report import Report
from bustrack.sources.simulation import Timetable
from tests.feeds import make_feed, make_trip

T0 = 1_800_000_000.0


def _feed() -> Feed:
    return make_feed([make_trip("T1", [("09:00:00", "09:00:00"), ("09:10:00", "09:10:00")])])


def test_a_known_trip_gives_the_route_and_headsign() -> None:
    live = LiveDevices(Timetable(_feed()))
    live.accept(Report("bus-1", T0, 19.0, 72.8, trip_id="T1"))
    (v,) = live.vehicles(offset=-100.0)
    assert (v.vehicle_id, v.trip_id, v.route_id) == ("dev/bus-1", "T1", "R1")
    assert v.headsign and v.timestamp == T0 - 100.0


def test_an_unknown_trip_and_route_still_shows_the_bus_unmatched() -> None:
    live = LiveDevices(Timetable(_feed()))
    live.accept(Report("bus-2", T0, 19.0, 72.8, trip_id="nope", route_id="R9"))
    (v,) = live.vehicles(offset=0.0)
    assert (v.trip_id, v.route_id) == ("", "")


def test_a_known_route_without_a_trip() -> None:
    live = LiveDevices(Timetable(_feed()))
    live.accept(Report("bus-3", T0, 19.0, 72.8, route_id="R1"))
    assert live.vehicles(0.0)[0].route_id == "R1"


def test_only_a_newer_report_moves_the_bus_and_the_bearing_comes_from_the_move() -> None:
    live = LiveDevices(Timetable(_feed()))
    assert live.accept(Report("bus-1", T0, 19.0, 72.8))
    assert live.accept(Report("bus-1", T0 + 10, 19.0, 72.801))  # east, no bearing sent
    assert not live.accept(Report("bus-1", T0 + 5, 19.5, 72.9))  # older: history only
    last = live.last_of("bus-1")
    assert last is not None and last.ts == T0 + 10
    assert last.bearing is not None and abs(last.bearing - 90) < 1


def test_devices_silent_for_long_are_forgotten() -> None:
    live = LiveDevices(Timetable(_feed()))
    live.accept(Report("a", T0, 19.0, 72.8))
    live.accept(Report("b", T0 + 100, 19.0, 72.8))
    live.forget_older(T0 + 50)
    assert [v.vehicle_id for v in live.vehicles(0.0)] == ["dev/b"]
