"""Which services run on a date, and when a service day starts.

Pure: the date is a parameter and nothing reads the clock. (The time zone rules
come from :mod:`zoneinfo`'s database.)

GTFS times count from the start of the service day, which the reference defines
as "noon minus 12 h" local time: midnight, except on the days clocks change,
when it is 23:00 the day before or 01:00.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bustrack.gtfs.model import Feed

__all__ = ["service_day_start", "service_span", "services_on"]

ADDED = 1
REMOVED = 2


def services_on(feed: Feed, date: dt.date) -> frozenset[str]:
    """Return the ids of the services that run on ``date``.

    A service runs when its ``calendar.txt`` row covers the date (between start and
    end date, both included) on that weekday, or ``calendar_dates.txt`` adds the
    date; unless ``calendar_dates.txt`` removes it.
    """
    weekday = date.weekday()
    running = {
        service_id
        for service_id, calendar in feed.calendars.items()
        if calendar.start_date <= date <= calendar.end_date and calendar.weekdays[weekday]
    }
    for service_id, exceptions in feed.calendar_dates.items():
        kind = exceptions.get(date)
        if kind == ADDED:
            running.add(service_id)
        elif kind == REMOVED:
            running.discard(service_id)
    return frozenset(running)


def service_day_start(date: dt.date, tz: str) -> dt.datetime:
    """Return the moment a service day starts: "noon minus 12 h" on ``date`` in ``tz``.

    Args:
        date: the service day.
        tz: an IANA time zone name, such as the feed's ``Feed.timezone``.

    Returns:
        An aware datetime in ``tz``; GTFS time ``t`` of that day is this plus ``t``
        seconds (as elapsed time: add in UTC when clocks change that day).

    Raises:
        zoneinfo.ZoneInfoNotFoundError: ``tz`` is not a known time zone.
    """
    zone = ZoneInfo(tz)
    noon = dt.datetime(date.year, date.month, date.day, 12, tzinfo=zone)
    start = noon.astimezone(dt.UTC) - dt.timedelta(hours=12)
    return start.astimezone(zone)


def service_span(feed: Feed) -> tuple[dt.date, dt.date] | None:
    """Return the first and last dates the feed's calendars can run on, or None.

    The span covers every ``calendar.txt`` range and every date that
    ``calendar_dates.txt`` adds; a date inside it may still have no service (a
    weekday the calendars leave out, a removed holiday).
    """
    firsts: list[dt.date] = []
    lasts: list[dt.date] = []
    for calendar in feed.calendars.values():
        if any(calendar.weekdays) and calendar.start_date <= calendar.end_date:
            firsts.append(calendar.start_date)
            lasts.append(calendar.end_date)
    for exceptions in feed.calendar_dates.values():
        added = [date for date, kind in exceptions.items() if kind == ADDED]
        if added:
            firsts.append(min(added))
            lasts.append(max(added))
    if not firsts:
        return None
    return min(firsts), max(lasts)
