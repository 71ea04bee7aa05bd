import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bustrack.gtfs.model import Calendar
from bustrack.live.clock import format_service_time, parse_service_time, plan_clock, service_seconds
from bustrack.sources.simulation import Timetable, locate_vehicles
from tests.feeds import TZ, at, hms, make_feed, make_trip

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


# The clock past and before a feed's calendar: _lapsed() runs 2021-11-15 to 2022-06-01.
LAPSED_END = dt.date(2022, 6, 1)  # a Wednesday


def _lapsed(weekdays: tuple[bool, ...] = (True,) * 7) -> Timetable:
    calendar = Calendar("ALL", weekdays, dt.date(2021, 11, 15), LAPSED_END)  # type: ignore[arg-type]
    return Timetable(
        make_feed([make_trip(f"P{i}", PEAK) for i in range(2)], calendars={"ALL": calendar})
    )


def test_a_lapsed_feed_runs_its_last_day_of_the_same_weekday() -> None:
    tt = _lapsed()
    now = at(dt.date(2026, 12, 3), "17:10:00")  # a Thursday, years after the end
    plan = plan_clock(tt, now)
    assert plan.mode == "replay"
    assert plan.service_date == dt.date(2022, 5, 26)  # the last Thursday with service
    assert plan.note == (
        "This feed's service ended on 2022-06-01: showing its last Thursday's timetable "
        "(2022-05-26)."
    )
    # The same time of day, on that day: the buses of 17:10 run.
    moment = plan.moment(now)
    assert moment.astimezone(ZoneInfo(TZ)).date() == dt.date(2022, 5, 26)
    assert service_seconds(tt, moment) == hms("17:10:00")
    assert len(locate_vehicles(tt, moment)) == 2


def test_a_lapsed_feed_at_night_runs_the_busiest_time_of_that_day_and_says_both() -> None:
    tt = _lapsed()
    now = at(dt.date(2028, 1, 1), "02:00:00")  # a Saturday
    plan = plan_clock(tt, now)
    assert plan.mode == "busiest"
    assert plan.note.startswith(
        "This feed's service ended on 2022-06-01: showing its last Saturday"
    )
    assert "No buses run at 02:00 now" in plan.note and "on 2022-05-28" in plan.note
    assert len(locate_vehicles(tt, plan.moment(now))) == 2


def test_the_weekday_is_kept_when_the_last_days_skip_it() -> None:
    weekdays_only = (True, True, True, True, True, False, False)
    tt = _lapsed(weekdays_only)
    plan = plan_clock(tt, at(dt.date(2026, 12, 7), "17:10:00"))  # a Monday
    assert plan.service_date == dt.date(2022, 5, 30)  # the last Monday before the end
    # On a Sunday no day of the weekday has service: the last day with any.
    sunday = plan_clock(tt, at(dt.date(2026, 12, 6), "17:10:00"))
    assert (
        sunday.service_date == LAPSED_END and "showing its timetable of 2022-06-01" in sunday.note
    )


def test_a_feed_not_begun_runs_its_first_day_of_the_same_weekday() -> None:
    tt = _lapsed()
    plan = plan_clock(tt, at(dt.date(2021, 11, 1), "17:10:00"))  # a Monday before the start
    assert plan.mode == "replay"
    assert plan.service_date == dt.date(2021, 11, 15)
    assert "starts on 2021-11-15: showing its first Monday's timetable" in plan.note


def test_start_time_on_a_lapsed_feed_pins_the_hour_of_the_stand_in_day() -> None:
    tt = _lapsed()
    now = at(dt.date(2026, 12, 3), "03:00:00")
    plan = plan_clock(tt, now, "17:30")
    assert plan.mode == "replay"
    assert "ended on 2022-06-01" in plan.note and "pinned to service time 17:30:00" in plan.note
    assert service_seconds(tt, plan.moment(now)) == hms("17:30:00")
    assert len(locate_vehicles(tt, plan.moment(now))) == 2


def test_service_date_and_start_time_pin_the_moment_whatever_the_real_one() -> None:
    tt = _timetable()
    for real in (at(DAY, "02:00:00"), at(dt.date(2031, 3, 9), "14:45:00")):
        plan = plan_clock(tt, real, "17:30", "2026-06-16")
        moment = plan.moment(real)
        assert plan.mode == "fixed" and plan.service_date == dt.date(2026, 6, 16)
        assert moment == at(dt.date(2026, 6, 16), "17:30:00")


def test_service_date_alone_runs_the_real_time_of_day_on_that_date() -> None:
    tt = _timetable()
    plan = plan_clock(tt, at(DAY, "17:10:00"), service_date="2026-06-16")
    assert plan.mode == "live"
    assert plan.moment(at(DAY, "17:10:00")) == at(dt.date(2026, 6, 16), "17:10:00")


def test_a_service_date_without_service_is_refused_with_the_calendar() -> None:
    with pytest.raises(ValueError, match=r"no service that day \(its calendar runs 2021-11-15 to"):
        plan_clock(_lapsed(), at(DAY, "09:00:00"), service_date="2026-06-16")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        plan_clock(_timetable(), at(DAY, "09:00:00"), service_date="16/06/2026")


def test_a_feed_without_any_service_says_so() -> None:
    tt = Timetable(make_feed([make_trip("P0", PEAK)], calendars={}))
    plan = plan_clock(tt, at(DAY, "09:00:00"))
    assert plan.note == "This feed has no service on any day: its calendar is empty."


def test_a_plan_shifted_runs_from_the_moment_it_was_made_for() -> None:
    tt = _timetable()
    planned_for = at(DAY, "17:10:00")
    real = at(dt.date(2030, 2, 2), "03:33:00")
    plan = plan_clock(tt, planned_for).shifted(planned_for - real)
    assert plan.moment(real) == planned_for
    assert plan.moment(real + dt.timedelta(seconds=5)) == planned_for + dt.timedelta(seconds=5)
