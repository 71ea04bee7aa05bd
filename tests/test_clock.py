import datetime as dt

import pytest

from bustrack.clock import format_service_time, parse_service_time, plan_clock, service_seconds
from bustrack.simulation import Timetable, locate_vehicles
from tests.feeds import at, hms, make_feed, make_trip

DAY = dt.date(2026, 11, 27)
PEAK = [("17:00:00", "17:00:00"), ("17:20:00", "17:20:00"), ("17:40:00", "17:40:00")]


def _timetable() -> Timetable:
    return Timetable(make_feed([make_trip(f"P{i}", PEAK) for i in range(2)]))


def test_live_when_buses_run_now() -> None:
    tt = _timetable()
    plan = plan_clock(tt, at(DAY, "17:10:00"))
    assert plan.mode == "live"
    assert plan.offset == dt.timedelta(0)
    assert plan.note == ""


def test_busiest_time_when_nothing_runs_now() -> None:
    tt = _timetable()
    now = at(DAY, "02:10:00")
    plan = plan_clock(tt, now)
    assert plan.mode == "busiest"
    moment = plan.moment(now)
    assert len(locate_vehicles(tt, moment)) == 2
    assert hms("17:00:00") <= service_seconds(tt, moment) <= hms("17:40:00")
    assert "02:10" in plan.note and "17:" in plan.note


def test_start_time_pins_the_service_time() -> None:
    tt = _timetable()
    now = at(DAY, "09:00:00")
    plan = plan_clock(tt, now, "17:30")
    assert plan.mode == "fixed"
    assert service_seconds(tt, plan.moment(now)) == hms("17:30:00")
    later = now + dt.timedelta(seconds=90)
    assert service_seconds(tt, plan.moment(later)) == hms("17:31:30")


def test_service_time_formats() -> None:
    assert parse_service_time("8:05") == hms("08:05:00")
    assert parse_service_time("25:10:30") == hms("25:10:30")
    assert format_service_time(hms("25:10:30")) == "25:10:30"
    with pytest.raises(ValueError, match="HH:MM"):
        parse_service_time("8h05")
