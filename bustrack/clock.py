"""Which moment of the timetable the simulation shows.

Pure: the real time is a parameter. By default the simulation runs at the real
time of day in the feed's timezone. When no bus runs at that moment (at night,
say), it starts at the busiest time of the service day instead, and the plan
carries a note saying so for the log and the page. An operator may also pin the
start to a service time (``--start-time``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bustrack.gtfs.service import service_day_start
from bustrack.simulation import Timetable, busiest_time

__all__ = [
    "ClockPlan",
    "format_service_time",
    "parse_service_time",
    "plan_clock",
    "service_seconds",
]

_HHMM = re.compile(r"^(\d{1,2}):([0-5]\d)(?::([0-5]\d))?$")
_SEARCH_DAYS = 8


@dataclass(frozen=True, slots=True)
class ClockPlan:
    """How simulated time relates to real time: ``simulated = real + offset``.

    ``mode`` is ``"live"`` (the real time of day), ``"busiest"`` (no service now,
    so the busiest time of a service day) or ``"fixed"`` (``--start-time``).
    """

    offset: dt.timedelta
    mode: str
    note: str

    def moment(self, real: dt.datetime) -> dt.datetime:
        """Return the simulated moment for the real moment ``real``."""
        return real + self.offset


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


def format_service_time(seconds: int) -> str:
    """Format service-day seconds as ``HH:MM:SS`` (hours may pass 24)."""
    h, rest = divmod(int(seconds), 3600)
    return f"{h:02d}:{rest // 60:02d}:{rest % 60:02d}"


def plan_clock(timetable: Timetable, now: dt.datetime, start_time: str = "") -> ClockPlan:
    """Decide which moment of the timetable to show, given the real moment ``now``.

    Args:
        timetable: the indexed feed.
        now: the real moment (timezone-aware).
        start_time: an ``HH:MM[:SS]`` service time to start at, or ``""``.

    Raises:
        ValueError: ``start_time`` is malformed.
    """
    tz = ZoneInfo(timetable.timezone)
    today = now.astimezone(tz).date()
    if start_time:
        t = parse_service_time(start_time)
        target = service_day_start(today, timetable.timezone) + dt.timedelta(seconds=t)
        note = f"Simulation pinned to service time {format_service_time(t)} (--start-time)."
        return ClockPlan(target - now, "fixed", note)
    for service_day, seconds in timetable.service_days(now):
        if timetable.runs_at(service_day, seconds):
            return ClockPlan(dt.timedelta(0), "live", "")
    local_now = now.astimezone(tz).strftime("%H:%M")
    for delta in [*range(_SEARCH_DAYS), *range(-1, -_SEARCH_DAYS, -1)]:
        day = today + dt.timedelta(days=delta)
        t, n = busiest_time(timetable, day)
        if n:
            target = service_day_start(day, timetable.timezone) + dt.timedelta(seconds=t)
            when = format_service_time(t)[:5]
            if delta:
                when += f" on {day.isoformat()}"
            note = (
                f"No buses run at {local_now} now: showing the busiest time of the "
                f"service day instead, {when}."
            )
            return ClockPlan(target - now, "busiest", note)
    return ClockPlan(dt.timedelta(0), "live", "This feed has no service within a week of today.")


def service_seconds(timetable: Timetable, moment: dt.datetime) -> int:
    """Return how far ``moment`` is into its own local service day, in seconds."""
    day = moment.astimezone(ZoneInfo(timetable.timezone)).date()
    return int((moment - service_day_start(day, timetable.timezone)).total_seconds())
