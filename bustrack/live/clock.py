"""Which moment of the timetable the simulation shows.

Pure: the real time is a parameter. By default the simulation runs at the real
time of day in the feed's timezone, on today's timetable. Where that shows no bus,
the plan says why in a note for the log and the page, and shows buses all the same:

- today is outside the feed's calendar (a lapsed feed, or one not started yet):
  the nearest service day of the same weekday stands in for today;
- no bus runs at this hour (at night, say): the busiest time of the service day.

An operator may also pin the date (``--service-date``) and the service time
(``--start-time``); with both, the simulated moment no longer depends on the real one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bustrack.gtfs.service import service_day_start, service_span
from bustrack.sources.simulation import Timetable, busiest_time

__all__ = [
    "ClockPlan",
    "format_service_time",
    "parse_service_date",
    "parse_service_time",
    "plan_clock",
    "service_seconds",
    "stand_in_day",
]

_HHMM = re.compile(r"^(\d{1,2}):([0-5]\d)(?::([0-5]\d))?$")
_SEARCH_DAYS = 8
# How many weeks back (or forward) a lapsed feed is searched for a day of today's weekday.
_SEARCH_WEEKS = 8
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class ClockPlan:
    """How simulated time relates to real time: ``simulated = real + offset``.

    ``mode`` is ``"live"`` (the real time of day, today), ``"busiest"`` (no service
    now, so the busiest time of a service day), ``"replay"`` (today is outside the
    feed's calendar, so another day of the same weekday stands in for it) or
    ``"fixed"`` (``--start-time``). ``service_date`` is the day whose timetable runs.
    """

    offset: dt.timedelta
    mode: str
    note: str
    service_date: dt.date | None = None

    def moment(self, real: dt.datetime) -> dt.datetime:
        """Return the simulated moment for the real moment ``real``."""
        return real + self.offset

    def shifted(self, by: dt.timedelta) -> ClockPlan:
        """Return this plan with ``by`` added to its offset (a plan made for a moment
        ``by`` later than the real one runs on the real clock from there)."""
        return dataclasses.replace(self, offset=self.offset + by)


def parse_service_time(text: str) -> int:
    """Parse ``HH:MM`` or ``HH:MM:SS`` (hours may pass 24) into seconds.

    Raises:
        ValueError: the text is not such a time.
    """
    m = _HHMM.match(text.strip())
    if not m:
        raise ValueError(f"start time {text!r} is not HH:MM or HH:MM:SS")
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    return h * 3600 + mi * 60 + s


def parse_service_date(text: str) -> dt.date:
    """Parse a ``YYYY-MM-DD`` service date.

    Raises:
        ValueError: the text is not such a date.
    """
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"service date {text!r} is not a date as YYYY-MM-DD") from None


def format_service_time(seconds: int) -> str:
    """Format service-day seconds as ``HH:MM:SS`` (hours may pass 24)."""
    h, rest = divmod(int(seconds), 3600)
    return f"{h:02d}:{rest // 60:02d}:{rest % 60:02d}"


def stand_in_day(timetable: Timetable, today: dt.date) -> tuple[dt.date, str]:
    """Return the service day to run for ``today``, and a note if it is not today.

    Inside the feed's calendar that is today (the hour's fallback, if any, is
    :func:`plan_clock`'s). After the calendar's end it is the last day of today's
    weekday that has service; before its start, the first one; the note says so.
    A feed without any service keeps today, with a note that says that.
    """
    span = service_span(timetable.feed)
    if span is None:
        return today, "This feed has no service on any day: its calendar is empty."
    first, last = span
    weekday = WEEKDAYS[today.weekday()]
    if today > last:
        start = last - dt.timedelta(days=(last.weekday() - today.weekday()) % 7)
        step = -7
        fmt = "This feed's service ended on {end}: showing its last {weekday}'s timetable ({day})."
    elif today < first:
        start = first + dt.timedelta(days=(today.weekday() - first.weekday()) % 7)
        step = 7
        fmt = (
            "This feed's service starts on {start}: showing its first {weekday}'s "
            "timetable ({day})."
        )
    else:
        return today, ""
    for week in range(_SEARCH_WEEKS):
        day = start + dt.timedelta(days=step * week)
        if timetable.services(day):
            note = fmt.format(end=last, start=first, weekday=weekday, day=day.isoformat())
            return day, note
    # No day of this weekday has service: the nearest day with any service.
    direction = -1 if today > last else 1
    edge = last if today > last else first
    for n in range(7 * _SEARCH_WEEKS):
        day = edge + dt.timedelta(days=direction * n)
        if timetable.services(day):
            what = "ended on" if today > last else "starts on"
            return day, f"This feed's service {what} {edge}: showing its timetable of {day}."
    return today, "This feed has no service on any day of its calendar."


def plan_clock(
    timetable: Timetable,
    now: dt.datetime,
    start_time: str = "",
    service_date: str = "",
) -> ClockPlan:
    """Decide which moment of the timetable to show, given the real moment ``now``.

    Args:
        timetable: the indexed feed.
        now: the real moment (timezone-aware).
        start_time: an ``HH:MM[:SS]`` service time to start at, or ``""``.
        service_date: a ``YYYY-MM-DD`` service day to run instead of today, or ``""``.

    Raises:
        ValueError: ``start_time`` or ``service_date`` is malformed, or the feed has
            no service on ``service_date``.
    """
    tz = ZoneInfo(timetable.timezone)
    today = now.astimezone(tz).date()
    if service_date:
        day = parse_service_date(service_date)
        if not timetable.services(day):
            span = service_span(timetable.feed)
            runs = f"its calendar runs {span[0]} to {span[1]}" if span else "it has none"
            raise ValueError(f"--service-date {day}: the feed has no service that day ({runs})")
        day_note = ""
    else:
        day, day_note = stand_in_day(timetable, today)
    # The same time of day on the day that runs (whole days apart, in local time).
    shift = service_day_start(day, timetable.timezone) - service_day_start(today, tz.key)
    if start_time:
        t = parse_service_time(start_time)
        target = service_day_start(day, timetable.timezone) + dt.timedelta(seconds=t)
        pinned = f"Simulation pinned to service time {format_service_time(t)} (--start-time)."
        mode = "replay" if day_note else "fixed"
        return ClockPlan(target - now, mode, _join(day_note, pinned), day)
    shown = now + shift
    for service_day, seconds in timetable.service_days(shown):
        if timetable.runs_at(service_day, seconds):
            return ClockPlan(shift, "replay" if day_note else "live", day_note, day)
    local_now = now.astimezone(tz).strftime("%H:%M")
    for delta in [*range(_SEARCH_DAYS), *range(-1, -_SEARCH_DAYS, -1)]:
        busy_day = day + dt.timedelta(days=delta)
        t, n = busiest_time(timetable, busy_day)
        if n:
            target = service_day_start(busy_day, timetable.timezone) + dt.timedelta(seconds=t)
            when = format_service_time(t)[:5]
            if busy_day != today:
                when += f" on {busy_day.isoformat()}"
            note = (
                f"No buses run at {local_now} now: showing the busiest time of the "
                f"service day instead, {when}."
            )
            return ClockPlan(target - now, "busiest", _join(day_note, note), busy_day)
    return ClockPlan(
        dt.timedelta(0), "live", day_note or "This feed has no service within a week of today."
    )


def _join(*notes: str) -> str:
    return " ".join(n for n in notes if n)


def service_seconds(timetable: Timetable, moment: dt.datetime) -> int:
    """Return how far ``moment`` is into its own local service day, in seconds."""
    day = moment.astimezone(ZoneInfo(timetable.timezone)).date()
    return int((moment - service_day_start(day, timetable.timezone)).total_seconds())
