from __future__ import annotations

import pytest

from bustrack.gtfs import Progress, build_feed
from bustrack.gtfs.csvfile import REPORT_EVERY
from bustrack.gtfs.progress import DONE, TRIPS, ProgressTracker
from tests.gtfs.fixtures import files


def test_tracker_weighs_steps_by_their_share() -> None:
    events: list[Progress] = []
    tracker = ProgressTracker(events.append, {"a.txt": 300, "b.txt": 100})
    tracker.update("a.txt", 150, 300)
    tracker.update("a.txt", 300, 300)
    tracker.update("b.txt", 50, 100)
    tracker.update("other", 5, 10)  # weighs nothing
    tracker.finish()
    assert [round(e.fraction, 3) for e in events] == [0.375, 0.75, 0.875, 0.875, 1.0]
    assert events[0] == Progress("a.txt", 150, 300, "bytes", 0.375)
    assert events[-1].step == DONE


def test_tracker_never_goes_past_one_or_backwards_on_repeats() -> None:
    events: list[Progress] = []
    tracker = ProgressTracker(events.append, {"a.txt": 10})
    tracker.update("a.txt", 20, 10)  # more than the total
    tracker.update("a.txt", 10, 10)
    tracker.update("empty", 0, 0)
    assert [e.fraction for e in events] == [1.0, 1.0, 1.0]


def _big_feed(trips: int) -> dict[str, bytes]:
    found = files("minimal")
    found["trips.txt"] = b"route_id,service_id,trip_id\n" + b"".join(
        b"R1,WK,T%d\n" % i for i in range(trips)
    )
    found["stop_times.txt"] = b"trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + (
        b"".join(
            b"T%d,08:00:00,08:00:00,A,1\nT%d,08:04:00,08:05:00,B,2\nT%d,08:10:00,08:10:00,C,3\n"
            % (i, i, i)
            for i in range(trips)
        )
    )
    return found


def test_build_feed_reports_every_file_then_trips_then_done() -> None:
    events: list[Progress] = []
    feed_files = _big_feed(REPORT_EVERY)  # 3 x REPORT_EVERY stop times
    feed = build_feed(feed_files, events.append)
    assert len(feed.trips) == REPORT_EVERY
    fractions = [e.fraction for e in events]
    assert fractions == sorted(fractions)
    assert events[-1] == Progress(DONE, events[-1].total, events[-1].total, "bytes", 1.0)
    steps = list(dict.fromkeys(e.step for e in events))
    assert steps[-2:] == [TRIPS, DONE]
    assert steps.index("stop_times.txt") < steps.index(TRIPS)
    assert set(feed_files) <= set(steps)
    parsing = [e for e in events if e.step == "stop_times.txt"]
    assert len(parsing) == 4  # three during the parse, one at its end
    assert parsing[-1].done == parsing[-1].total == len(feed_files["stop_times.txt"])
    building = [e for e in events if e.step == TRIPS]
    assert building[-1].done == building[-1].total == REPORT_EVERY
    assert {e.unit for e in building} == {"trips"}
    # Parsing stop_times.txt and building the trips are most of this feed's work.
    assert building[0].fraction < 0.75 < building[-1].fraction


def test_build_feed_without_a_callback_builds_the_same_feed() -> None:
    events: list[Progress] = []
    with_progress = build_feed(files("minimal"), events.append)
    assert events
    assert with_progress.trips.keys() == build_feed(files("minimal")).trips.keys()


def test_a_broken_feed_reports_no_done() -> None:
    events: list[Progress] = []
    with pytest.raises(Exception, match="HH:MM:SS"):
        build_feed(files("broken-bad-time"), events.append)
    assert all(e.step != DONE for e in events)
