"""GTFS-realtime TripUpdates in: another producer's predictions, per trip and stop.

Pure: the bytes and the feed are parameters. A TripUpdate's StopTimeUpdates name their
stops by ``stop_id`` (with ``stop_sequence`` to pick the pass of a loop) or by
``stop_sequence`` alone (taken as the trip's n-th stop); each gives an absolute time or
a delay. As the specification says, a delay holds for the stops after it until the next update, so
every stop from the first update to the trip's end gets a time. A ``SKIPPED`` stop is
marked skipped; a ``CANCELED`` trip has no stops left. Times are real Unix seconds.

What the message held is counted (:class:`TripCounts`); a trip the static feed does not
know is counted and left out (there is nothing to show it on).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from google.transit import gtfs_realtime_pb2 as rt

from bustrack.gtfs.model import Feed, Trip
from bustrack.gtfs.service import service_day_start
from bustrack.sources.feed_message import parse_message

__all__ = ["FeedTrip", "TripCounts", "read_trip_updates"]

_SKIPPED = rt.TripUpdate.StopTimeUpdate.SKIPPED
_NO_DATA = rt.TripUpdate.StopTimeUpdate.NO_DATA
_CANCELED = rt.TripDescriptor.CANCELED


@dataclass(frozen=True, slots=True)
class FeedTrip:
    """One trip's run as a TripUpdate predicts it.

    ``service_day`` and ``run_start`` (service-day seconds) name the run when the
    descriptor gave ``start_date``/``start_time`` (else None and -1: whichever run of
    the trip is under way); ``times`` maps a stop index of the trip to its predicted
    arrival (real Unix seconds), ``skipped`` the stops it will not serve.
    """

    trip_id: str
    service_day: dt.date | None
    run_start: int
    timestamp: float
    times: dict[int, float]
    skipped: frozenset[int] = frozenset()
    canceled: bool = False

    def matches(self, service_day: dt.date, run_start: int) -> bool:
        """Whether this update is for the run of ``service_day`` starting at ``run_start``."""
        return (self.service_day is None or self.service_day == service_day) and (
            self.run_start < 0 or self.run_start == run_start
        )


@dataclass
class TripCounts:
    """What one TripUpdates message held."""

    entities: int = 0
    taken: int = 0
    unknown_trip: int = 0
    no_times: int = 0
    canceled: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the log."""
        parts = [f"{self.taken} of {self.entities} trip updates taken"]
        for name in ("unknown_trip", "no_times", "canceled"):
            n = getattr(self, name)
            if n:
                parts.append(f"{n} {name.replace('_', ' ')}")
        return ", ".join(parts)


def read_trip_updates(data: bytes, now: float, feed: Feed) -> tuple[list[FeedTrip], TripCounts]:
    """Return the trips a TripUpdates message predicts, and what it held.

    Args:
        data: the message's bytes.
        now: the current time, Unix seconds (the day a delay is counted from, when the
            descriptor has no start date).
        feed: the static feed.

    Raises:
        FeedDecodeError: ``data`` is not a FeedMessage.
    """
    msg = parse_message(data)
    counts = TripCounts()
    header_ts = float(msg.header.timestamp) if msg.header.timestamp else now
    out: list[FeedTrip] = []
    for entity in msg.entity:
        if not entity.HasField("trip_update"):
            continue
        counts.entities += 1
        tu = entity.trip_update
        trip = feed.trips.get(tu.trip.trip_id)
        if trip is None:
            counts.unknown_trip += 1
            continue
        day = _date(tu.trip.start_date)
        run_start = _hms(tu.trip.start_time)
        ts = float(tu.timestamp) if tu.timestamp else header_ts
        if tu.trip.schedule_relationship == _CANCELED:
            counts.canceled += 1
            out.append(FeedTrip(trip.trip_id, day, run_start, ts, {}, canceled=True))
            continue
        times, skipped = _stop_times(tu, trip, feed, day, run_start, now)
        if not times and not skipped:
            counts.no_times += 1
            continue
        out.append(FeedTrip(trip.trip_id, day, run_start, ts, times, frozenset(skipped)))
    counts.taken = len(out)
    return out, counts


def _stop_times(
    tu: rt.TripUpdate,
    trip: Trip,
    feed: Feed,
    day: dt.date | None,
    run_start: int,
    now: float,
) -> tuple[dict[int, float], set[int]]:
    """Each stop's predicted arrival from the first update on; the skipped stops."""
    given: dict[int, rt.TripUpdate.StopTimeUpdate] = {}
    for stu in tu.stop_time_update:
        k = _stop_index(stu, trip)
        if k is not None:
            given[k] = stu
    if not given:
        return {}, set()
    base = _day_start(feed, trip, day, now) + (run_start - trip.start if run_start >= 0 else 0)
    times: dict[int, float] = {}
    skipped: set[int] = set()
    delay: float | None = None
    for k in range(min(given), len(trip.stop_ids)):
        update = given.get(k)
        if update is not None:
            stu = update
            if stu.schedule_relationship == _SKIPPED:
                skipped.add(k)
                continue
            if stu.schedule_relationship == _NO_DATA:
                delay = None
                continue
            event = stu.arrival if stu.HasField("arrival") else stu.departure
            if event.time:
                times[k] = float(event.time)
                delay = times[k] - (base + trip.arrivals[k])
                continue
            if event.HasField("delay"):
                delay = float(event.delay)
        if delay is not None:
            times[k] = base + trip.arrivals[k] + delay
    return times, skipped


def _stop_index(stu: rt.TripUpdate.StopTimeUpdate, trip: Trip) -> int | None:
    if stu.HasField("stop_id") and stu.stop_id in trip.stop_ids:
        if stu.HasField("stop_sequence"):
            # A loop may pass the stop twice: the sequence's rank picks the pass.
            k = stu.stop_sequence - 1
            if 0 <= k < len(trip.stop_ids) and trip.stop_ids[k] == stu.stop_id:
                return k
        return trip.stop_ids.index(stu.stop_id)
    if stu.HasField("stop_sequence"):
        # Without a stop_id, sequence n is taken as the trip's n-th stop (1-based): right
        # for feeds that number 1, 2, 3 (most); others should send stop_id too.
        k = stu.stop_sequence - 1 if stu.stop_sequence >= 1 else 0
        return k if k < len(trip.stop_ids) else None
    return None


def _day_start(feed: Feed, trip: Trip, day: dt.date | None, now: float) -> float:
    """The service day's start, Unix seconds: the descriptor's, else the day whose run
    of the trip is nearest ``now``."""
    tz = feed.timezone
    if day is not None:
        return service_day_start(day, tz).timestamp()
    from zoneinfo import ZoneInfo

    today = dt.datetime.fromtimestamp(now, ZoneInfo(tz)).date()
    starts = [service_day_start(today - dt.timedelta(days=b), tz).timestamp() for b in (0, 1)]
    return min(starts, key=lambda s: abs(now - (s + (trip.start + trip.end) / 2)))


def _date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date() if text else None
    except ValueError:
        return None


def _hms(text: str) -> int:
    try:
        h, m, s = (int(x) for x in text.split(":"))
    except ValueError:
        return -1
    return h * 3600 + m * 60 + s
