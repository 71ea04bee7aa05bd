"""Small feeds built in code, for tests of the pure modules (no files involved)."""

from __future__ import annotations

import datetime as dt
from array import array

from bustrack.geo import cumulative_distances
from bustrack.gtfs.model import Agency, Calendar, Feed, Frequency, Route, Shape, Stop, Trip

TZ = "Asia/Kolkata"
EVERY_DAY = (True,) * 7

# Three stops due east of each other along 18.95 N, about 1 km apart.
STOPS = {
    "A": Stop("A", "Alpha", 18.95, 72.80),
    "B": Stop("B", "Bravo", 18.95, 72.81),
    "C": Stop("C", "Charlie", 18.95, 72.82),
}


def hms(text: str) -> int:
    """Parse HH:MM:SS (hours may pass 24) into seconds."""
    h, m, s = (int(x) for x in text.split(":"))
    return h * 3600 + m * 60 + s


def make_trip(
    trip_id: str,
    times: list[tuple[str, str]],
    stop_ids: tuple[str, ...] = ("A", "B", "C"),
    *,
    route_id: str = "R1",
    service_id: str = "ALL",
    shape_id: str | None = None,
    stops: dict[str, Stop] | None = None,
) -> Trip:
    """Build a trip whose distances are straight lines between its stops."""
    stops = stops or STOPS
    lats = [stops[s].lat for s in stop_ids]
    lons = [stops[s].lon for s in stop_ids]
    return Trip(
        trip_id=trip_id,
        route_id=route_id,
        service_id=service_id,
        headsign="To " + stops[stop_ids[-1]].name,
        direction_id=0,
        shape_id=shape_id,
        stop_ids=stop_ids,
        arrivals=array("i", (hms(a) for a, _ in times)),
        departures=array("i", (hms(d) for _, d in times)),
        distances=array("d", cumulative_distances(lats, lons)),
    )


def make_feed(
    trips: list[Trip],
    *,
    frequencies: dict[str, tuple[Frequency, ...]] | None = None,
    shapes: dict[str, Shape] | None = None,
    calendars: dict[str, Calendar] | None = None,
    calendar_dates: dict[str, dict[dt.date, int]] | None = None,
    stops: dict[str, Stop] | None = None,
) -> Feed:
    """Build a feed with one agency (Asia/Kolkata) and one route R1 ("7") around ``trips``."""
    return Feed(
        agencies={"AG": Agency("AG", "Test Transport", "https://example.org", TZ)},
        stops=dict(stops or STOPS),
        routes={
            "R1": Route("R1", "AG", "7", "Alpha - Charlie", 3),
            "R2": Route("R2", "AG", "", "Night Special", 3, "FFEE00", "000000"),
        },
        trips={t.trip_id: t for t in trips},
        frequencies=frequencies or {},
        shapes=shapes or {},
        calendars=calendars
        if calendars is not None
        else {"ALL": Calendar("ALL", EVERY_DAY, dt.date(2026, 1, 1), dt.date(2027, 12, 31))},
        calendar_dates=calendar_dates or {},
    )


def at(day: dt.date, time_of_day: str) -> dt.datetime:
    """Return the aware moment ``time_of_day`` (may pass 24:00) on service day ``day`` in TZ."""
    from zoneinfo import ZoneInfo

    start = dt.datetime.combine(day, dt.time(12), ZoneInfo(TZ)) - dt.timedelta(hours=12)
    return start + dt.timedelta(seconds=hms(time_of_day))
