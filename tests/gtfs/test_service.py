from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from bustrack.gtfs import service_day_start, services_on
from bustrack.gtfs.service import service_span
from tests.feeds import make_feed
from tests.gtfs.fixtures import build

UTC = dt.UTC


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 1, 5), {"WK"}),  # a Monday
        (dt.date(2026, 1, 3), set()),  # a Saturday, not in WK's weekdays
        (dt.date(2026, 1, 26), set()),  # a Monday removed by calendar_dates
        (dt.date(2026, 2, 1), {"SUN"}),  # a Sunday added for SUN, which has no calendar row
        (dt.date(2026, 2, 7), {"WK"}),  # a Saturday added for WK
        (dt.date(2026, 1, 1), {"WK"}),  # first day of the range (a Thursday)
        (dt.date(2026, 12, 31), {"WK"}),  # last day of the range (a Thursday)
        (dt.date(2027, 1, 4), set()),  # a Monday after the range
        (dt.date(2025, 12, 29), set()),  # a Monday before the range
    ],
)
def test_services_on_combines_calendar_and_calendar_dates(day: dt.date, expected: set[str]) -> None:
    assert services_on(build("calendar-dates"), day) == frozenset(expected)


def test_services_on_returns_a_frozenset() -> None:
    assert isinstance(services_on(build("minimal"), dt.date(2026, 1, 5)), frozenset)


def test_service_day_starts_at_midnight_on_an_ordinary_day() -> None:
    start = service_day_start(dt.date(2026, 3, 10), "Asia/Kolkata")
    assert start.tzinfo == zoneinfo.ZoneInfo("Asia/Kolkata")
    assert start.replace(tzinfo=None) == dt.datetime(2026, 3, 10, 0, 0)
    assert start.astimezone(UTC) == dt.datetime(2026, 3, 9, 18, 30, tzinfo=UTC)


def test_service_day_starts_at_23_00_the_day_before_when_clocks_go_forward() -> None:
    start = service_day_start(dt.date(2026, 3, 8), "America/New_York")
    assert start.replace(tzinfo=None) == dt.datetime(2026, 3, 7, 23, 0)
    assert start.astimezone(UTC) == dt.datetime(2026, 3, 8, 4, 0, tzinfo=UTC)
    # Noon local is still 12 hours later.
    noon = dt.datetime(2026, 3, 8, 12, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    assert noon.astimezone(UTC) - start.astimezone(UTC) == dt.timedelta(hours=12)


def test_service_day_starts_at_01_00_when_clocks_go_back() -> None:
    start = service_day_start(dt.date(2026, 11, 1), "America/New_York")
    assert start.replace(tzinfo=None) == dt.datetime(2026, 11, 1, 1, 0)
    assert start.astimezone(UTC) == dt.datetime(2026, 11, 1, 5, 0, tzinfo=UTC)


def test_after_midnight_trip_ends_on_the_next_calendar_day() -> None:
    feed = build("after-midnight")
    start = service_day_start(dt.date(2026, 1, 5), feed.timezone)
    end = start + dt.timedelta(seconds=feed.trips["T1"].end)
    assert end.replace(tzinfo=None) == dt.datetime(2026, 1, 6, 1, 10)


def test_unknown_timezone_raises() -> None:
    with pytest.raises(zoneinfo.ZoneInfoNotFoundError):
        service_day_start(dt.date(2026, 1, 5), "Mars/Olympus_Mons")


def test_service_span_covers_calendars_and_added_dates() -> None:
    feed = build("calendar-dates")
    # WK runs 2026-01-01..2026-12-31; SUN has no calendar row, only dates added in February.
    assert service_span(feed) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_service_span_of_a_feed_with_no_service_is_none() -> None:
    assert service_span(make_feed([], calendars={})) is None
