import dataclasses
import datetime as dt
from array import array

import pytest

from bustrack.geo import cumulative_distances
from bustrack.gtfs.model import Calendar, Frequency, Shape
from bustrack.sources.avl import DropoutModel
from bustrack.sources.simulation import Timetable, busiest_time, locate_vehicles
from bustrack.sources.traffic import TrafficModel
from tests.feeds import EVERY_DAY, STOPS, at, hms, make_feed, make_trip

DAY = dt.date(2026, 11, 27)  # a Friday

TIMES = [("10:00:00", "10:00:00"), ("10:02:00", "10:02:30"), ("10:05:00", "10:05:00")]


def one(timetable: Timetable, when: dt.datetime):  # type: ignore[no-untyped-def]
    vehicles = locate_vehicles(timetable, when)
    assert len(vehicles) == 1, vehicles
    return vehicles[0]


def test_vehicle_moves_between_stops_at_the_timetable_speed() -> None:
    tt = Timetable(make_feed([make_trip("T1", TIMES)]))
    v = one(tt, at(DAY, "10:01:00"))
    assert v.vehicle_id == "T1"
    assert v.lat == pytest.approx(18.95)
    assert v.lon == pytest.approx(72.805, abs=1e-6)
    assert v.bearing == pytest.approx(90, abs=0.5)
    assert v.next_stop == 1
    assert v.headsign == "To Charlie"


def test_vehicle_dwells_at_a_stop_between_arrival_and_departure() -> None:
    tt = Timetable(make_feed([make_trip("T1", TIMES)]))
    for t in ("10:02:00", "10:02:15", "10:02:30"):
        v = one(tt, at(DAY, t))
        assert (v.lat, v.lon) == pytest.approx((STOPS["B"].lat, STOPS["B"].lon))
    v = one(tt, at(DAY, "10:03:45"))
    assert v.lon == pytest.approx(72.815, abs=1e-6)


def test_no_vehicle_before_departure_or_after_arrival() -> None:
    tt = Timetable(make_feed([make_trip("T1", TIMES)]))
    assert locate_vehicles(tt, at(DAY, "09:59:59")) == []
    assert locate_vehicles(tt, at(DAY, "10:05:01")) == []
    assert one(tt, at(DAY, "10:05:00")).lon == pytest.approx(72.82)


def test_naive_datetimes_are_refused() -> None:
    tt = Timetable(make_feed([make_trip("T1", TIMES)]))
    with pytest.raises(ValueError, match="timezone-aware"):
        locate_vehicles(tt, dt.datetime(2026, 11, 27, 10, 1))


def test_frequencies_repeat_the_trip_every_headway() -> None:
    trip = make_trip("T1", TIMES)
    freq = {"T1": (Frequency("T1", hms("06:00:00"), hms("07:00:00"), 600),)}
    tt = Timetable(make_feed([trip], frequencies=freq))
    vehicles = locate_vehicles(tt, at(DAY, "06:12:00"))
    # Runs started 06:10 (2 min in: at B) only; the 06:00 run ended at 06:05.
    assert [v.vehicle_id for v in vehicles] == [f"T1@{hms('06:10:00')}"]
    assert vehicles[0].lon == pytest.approx(STOPS["B"].lon)
    # Past the window's end no new run starts; the 06:50 run is the last.
    assert [v.vehicle_id for v in locate_vehicles(tt, at(DAY, "06:53:00"))] == [
        f"T1@{hms('06:50:00')}"
    ]
    assert locate_vehicles(tt, at(DAY, "07:01:00")) == []


def test_overlapping_runs_are_separate_vehicles() -> None:
    trip = make_trip("T1", TIMES)
    freq = {"T1": (Frequency("T1", hms("06:00:00"), hms("07:00:00"), 120),)}
    tt = Timetable(make_feed([trip], frequencies=freq))
    vehicles = locate_vehicles(tt, at(DAY, "06:30:00"))
    # Runs of 5 min every 2 min: those from 06:26, 06:28 and 06:30 are under way.
    assert sorted(v.vehicle_id for v in vehicles) == sorted(
        f"T1@{hms(t)}" for t in ("06:26:00", "06:28:00", "06:30:00")
    )


def test_several_frequency_windows() -> None:
    trip = make_trip("T1", TIMES)
    freq = {
        "T1": (
            Frequency("T1", hms("06:00:00"), hms("06:20:00"), 600),
            Frequency("T1", hms("17:00:00"), hms("17:10:00"), 300),
        )
    }
    tt = Timetable(make_feed([trip], frequencies=freq))
    assert [v.vehicle_id for v in locate_vehicles(tt, at(DAY, "17:06:00"))] == [
        f"T1@{hms('17:05:00')}"
    ]
    assert locate_vehicles(tt, at(DAY, "12:00:00")) == []


def test_trip_past_midnight_runs_on_the_previous_service_day() -> None:
    late = [("23:58:00", "23:58:00"), ("24:00:00", "24:00:30"), ("24:03:00", "24:03:00")]
    only_friday = {"FRI": Calendar("FRI", (False,) * 4 + (True,) + (False,) * 2, DAY, DAY)}
    feed = make_feed([make_trip("N1", late, service_id="FRI")], calendars=only_friday)
    tt = Timetable(feed)
    # Saturday 00:01:30 is 24:01:30 of Friday's service: the bus is between B and C.
    saturday = DAY + dt.timedelta(days=1)
    v = one(tt, at(saturday, "00:01:30"))
    assert STOPS["B"].lon < v.lon < STOPS["C"].lon
    # Friday at 00:01:30 belongs to Thursday's service, which does not run.
    assert locate_vehicles(tt, at(DAY, "00:01:30")) == []


def test_calendar_dates_remove_and_add_days() -> None:
    feed = make_feed(
        [make_trip("T1", TIMES), make_trip("T2", TIMES, service_id="EXTRA")],
        calendar_dates={"ALL": {DAY: 2}, "EXTRA": {DAY + dt.timedelta(days=1): 1}},
    )
    tt = Timetable(feed)
    assert locate_vehicles(tt, at(DAY, "10:01:00")) == []
    saturday = DAY + dt.timedelta(days=1)
    assert sorted(v.vehicle_id for v in locate_vehicles(tt, at(saturday, "10:01:00"))) == [
        "T1",
        "T2",
    ]


def test_vehicle_follows_the_shape_not_the_straight_line() -> None:
    # The shape bows north between A and B.
    lats = array("d", [18.95, 18.96, 18.95, 18.95])
    lons = array("d", [72.80, 72.805, 72.81, 72.82])
    dist = array("d", cumulative_distances(lats, lons))
    shape = Shape("S1", lats, lons, dist)
    trip = make_trip("T1", TIMES, shape_id="S1")
    trip = dataclasses.replace(trip, distances=array("d", [0.0, dist[2], dist[3]]))
    tt = Timetable(make_feed([trip], shapes={"S1": shape}))
    v = one(tt, at(DAY, "10:01:00"))  # half way (by distance) from A to B: the shape's peak
    assert (v.lat, v.lon) == pytest.approx((18.96, 72.805), abs=1e-6)
    v = one(tt, at(DAY, "10:00:30"))  # a quarter of the way: climbing north-east
    assert 0 < v.bearing < 90


def test_busiest_time_finds_the_peak() -> None:
    trips = [make_trip("M", TIMES)]
    peak = [("17:00:00", "17:00:00"), ("17:20:00", "17:20:00"), ("17:40:00", "17:40:00")]
    trips += [make_trip(f"P{i}", peak) for i in range(3)]
    tt = Timetable(make_feed(trips))
    t, n = busiest_time(tt, DAY)
    assert n == 3
    assert hms("17:00:00") <= t <= hms("17:40:00")


def test_busiest_time_of_a_day_without_service_is_zero() -> None:
    feed = make_feed(
        [make_trip("T1", TIMES)],
        calendars={"ALL": Calendar("ALL", EVERY_DAY, DAY, DAY)},
    )
    assert busiest_time(Timetable(feed), DAY + dt.timedelta(days=3)) == (0, 0)


def test_trip_starting_part_way_along_its_shape() -> None:
    # The shape starts 1 km west of A; the trip's first stop A is shape_offset metres along it.
    lats = array("d", [18.95, 18.95, 18.95, 18.95])
    lons = array("d", [72.79, 72.80, 72.81, 72.82])
    dist = array("d", cumulative_distances(lats, lons))
    trip = dataclasses.replace(make_trip("T1", TIMES, shape_id="S1"), shape_offset=dist[1])
    tt = Timetable(make_feed([trip], shapes={"S1": Shape("S1", lats, lons, dist)}))
    v = one(tt, at(DAY, "10:00:00"))
    assert (v.lat, v.lon) == pytest.approx((STOPS["A"].lat, STOPS["A"].lon), abs=1e-6)
    v = one(tt, at(DAY, "10:01:00"))
    assert v.lon == pytest.approx(72.805, abs=1e-6)


def test_positions_change_smoothly_within_a_second() -> None:
    tt = Timetable(make_feed([make_trip("T1", TIMES)]))
    start = at(DAY, "10:01:00")
    a = one(tt, start)
    b = one(tt, start + dt.timedelta(milliseconds=300))
    assert b.lon > a.lon


def test_a_silent_unit_freezes_the_reported_position() -> None:
    from bustrack.sources.avl import DropoutModel, silence

    trip = make_trip("T1", TIMES)
    # A seed whose one-minute silence ends well before the trip does.
    for seed in range(100):
        model = DropoutModel(seed=seed, rate=1.0, min_s=60.0, max_s=60.0)
        gap = silence(model, "T1", DAY, trip.start, trip.departures[0], trip.arrivals[-1])
        assert gap is not None
        if gap[1] < trip.arrivals[-1] - 30:
            break
    begin, end = gap
    tt = Timetable(make_feed([trip]), dropouts=model)
    plain = Timetable(make_feed([trip]))
    start = at(DAY, "00:00:00")
    inside = start + dt.timedelta(seconds=begin + 30)
    v = one(tt, inside)
    frozen = one(plain, start + dt.timedelta(seconds=begin))
    assert (v.lat, v.lon, v.distance) == pytest.approx((frozen.lat, frozen.lon, frozen.distance))
    assert v.timestamp == pytest.approx(inside.timestamp() - 30, abs=1e-3)
    assert one(plain, inside).distance > v.distance  # the bus really moved on
    # Reporting again once the gap is over, from where the bus really is.
    after = start + dt.timedelta(seconds=end + 1)
    v = one(tt, after)
    assert v.timestamp == pytest.approx(after.timestamp(), abs=1e-3)
    assert v.distance == pytest.approx(one(plain, after).distance)


@pytest.mark.parametrize("traffic", [None, TrafficModel(seed=3)])
def test_a_timetable_asked_over_time_locates_as_a_fresh_one(
    traffic: TrafficModel | None,
) -> None:
    # Runs every 2 min from 05:00 to 25:00 (past midnight, into the next service day),
    # with traffic or without, and units that go silent. A timetable that keeps its
    # minute's runs must agree with a new one at every moment, in whatever order
    # it is asked: within a minute, across minute boundaries, back in time, past midnight.
    trip = make_trip("T1", TIMES)
    freq = {"T1": (Frequency("T1", hms("05:00:00"), hms("25:00:00"), 120),)}
    feed = make_feed([trip], frequencies=freq)
    dropouts = DropoutModel(rate=0.5, min_s=20, max_s=200)
    kept = Timetable(feed, traffic=traffic, dropouts=dropouts)
    start = at(DAY, "10:00:30")
    seconds = [0, 1, 29, 30, 31, 89, 90, 150, 151, 3600, 45, 46, 7200, 50400, 50460, 50520]
    moments = [start + dt.timedelta(seconds=s) for s in seconds]
    located = 0
    for when in moments:
        fresh = Timetable(feed, traffic=traffic, dropouts=dropouts)
        expected = locate_vehicles(fresh, when)
        assert locate_vehicles(kept, when) == expected, when
        located += len(expected)
    assert located > 2 * len(moments)  # the moments do see buses
