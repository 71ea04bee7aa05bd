"""Placing real buses on the timetable (bustrack/live/placing.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bustrack.gtfs.model import Frequency
from bustrack.live.devices import LiveDevices
from bustrack.live.placing import Placer
from bustrack.live.predictions import Predictor
from bustrack.sources.report import Report
from bustrack.sources.simulation import Timetable
from tests.feeds import at, hms, make_feed, make_trip

DAY = dt.date(2026, 6, 16)
EAST = [("09:00:00", "09:00:00"), ("09:10:00", "09:10:00"), ("09:20:00", "09:20:00")]
MID_AB = (18.95, 72.805)  # halfway from Alpha to Bravo


def _east_and_west() -> Timetable:
    east = make_trip("E", EAST)
    west = dataclasses.replace(make_trip("W", EAST, ("C", "B", "A")), direction_id=1)
    return Timetable(make_feed([east, west]))


def test_a_bus_on_a_known_trip_gets_its_distance_next_stop_and_run() -> None:
    timetable = _east_and_west()
    trip = timetable.feed.trips["E"]
    placed = Placer(timetable).on_trip(trip, *MID_AB, at(DAY, "09:06:00"))
    assert placed is not None
    assert placed.distance == pytest.approx(trip.distances[1] / 2, abs=5)
    assert (placed.next_stop, placed.service_day, placed.run_start) == (1, DAY, hms("09:00:00"))
    assert placed.off_path < 1


def test_a_repeated_trip_is_placed_on_the_run_nearest_its_timetable() -> None:
    trip = make_trip("F", EAST)
    feed = make_feed(
        [trip], frequencies={"F": (Frequency("F", hms("08:00:00"), hms("11:00:00"), 600),)}
    )
    placed = Placer(Timetable(feed)).on_trip(trip, *MID_AB, at(DAY, "09:26:00"))
    assert placed is not None and placed.run_start == hms("09:20:00")


def test_a_bus_far_from_its_trips_path_is_not_placed() -> None:
    timetable = _east_and_west()
    trip = timetable.feed.trips["E"]
    assert Placer(timetable).on_trip(trip, 19.0, 72.805, at(DAY, "09:06:00")) is None


def test_gps_noise_does_not_take_a_bus_backwards() -> None:
    timetable = _east_and_west()
    trip = timetable.feed.trips["E"]
    placer = Placer(timetable)
    first = placer.on_trip(trip, 18.95, 72.806, at(DAY, "09:06:00"))
    second = placer.on_trip(trip, 18.95, 72.8058, at(DAY, "09:06:05"), first)
    assert first is not None and second is not None
    assert second.distance == first.distance


@pytest.mark.parametrize(
    ("direction", "when", "trip_id"),
    [
        (None, "09:05:00", "E"),  # the eastbound run is due here now; the westbound at 09:15
        (None, "09:15:00", "W"),
        (1, "09:05:00", "W"),  # the feed says which way
        (0, "09:15:00", "E"),
    ],
)
def test_a_route_only_report_is_matched_to_the_pattern_and_run_nearest_its_timetable(
    direction: int | None, when: str, trip_id: str
) -> None:
    placed = Placer(_east_and_west()).on_route("R1", direction, *MID_AB, at(DAY, when))
    assert placed is not None and placed.trip.trip_id == trip_id
    assert placed.service_day == DAY


def test_a_route_only_bus_keeps_its_run_while_it_keeps_to_its_path() -> None:
    placer = Placer(_east_and_west())
    first = placer.on_route("R1", None, *MID_AB, at(DAY, "09:05:00"))
    # Ten minutes late, the westbound run would be nearer its timetable here: the bus has
    # not turned round, so it stays on its eastbound run.
    later = placer.on_route("R1", None, 18.95, 72.807, at(DAY, "09:13:00"), first)
    assert first is not None and later is not None
    assert later.trip.trip_id == "E" and later.distance > first.distance


def test_a_route_only_report_off_every_pattern_is_not_placed() -> None:
    assert Placer(_east_and_west()).on_route("R1", None, 19.2, 72.9, at(DAY, "09:05:00")) is None


def test_a_real_bus_drives_the_predictions_for_the_stops_ahead() -> None:
    timetable = _east_and_west()
    live = LiveDevices(timetable)
    predictor = Predictor(timetable.feed)
    late = at(DAY, "09:08:00").timestamp()  # at the halfway point 3 minutes late
    for k, lon in enumerate((72.804, 72.805)):
        ts = late - 60 + 60 * k
        live.accept(Report("bus-9", ts, 18.95, lon, trip_id="E"))
        predictor.observe(live.vehicles(offset=0.0), ts)
    (v,) = live.vehicles(offset=0.0)
    assert (v.service_day, v.run_start, v.next_stop) == (DAY, hms("09:00:00"), 1)
    assert 80 < v.bearing < 100  # eastwards, from the path (no bearing was sent)
    etas = predictor.predict("dev/bus-9")
    assert [e.stop_id for e in etas][:2] == ["B", "C"]
    # Three minutes behind its timetable, it is predicted at Bravo after 09:10.
    assert etas[0].eta_ts > at(DAY, "09:11:00").timestamp()


def test_a_route_only_device_is_placed_through_live_devices() -> None:
    live = LiveDevices(_east_and_west())
    live.accept(Report("p", at(DAY, "09:15:00").timestamp(), *MID_AB, route_id="R1"))
    (v,) = live.vehicles(offset=0.0)
    assert (v.trip_id, v.headsign, v.next_stop) == ("W", "To Alpha", 2)
