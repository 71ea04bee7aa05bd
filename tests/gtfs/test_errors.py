from __future__ import annotations

from bustrack.gtfs.errors import FeedError, WarningLog
from bustrack.gtfs.model import Warning


def test_feed_error_text_puts_the_location_first() -> None:
    err = FeedError(
        "arrival_time '25:7:00' is not HH:MM:SS",
        file="stop_times.txt",
        line=4512,
        field="arrival_time",
    )
    assert str(err) == "stop_times.txt line 4512: arrival_time '25:7:00' is not HH:MM:SS"
    assert (err.file, err.line, err.field) == ("stop_times.txt", 4512, "arrival_time")
    assert str(FeedError("missing required column stop_lat", file="stops.txt")) == (
        "stops.txt: missing required column stop_lat"
    )
    assert str(FeedError("no GTFS feed at /x")) == "no GTFS feed at /x"


def test_missing_file_names_the_file_without_a_prefix() -> None:
    err = FeedError.missing_file("stop_times.txt")
    assert str(err) == "feed is missing required file stop_times.txt"
    assert (err.file, err.line) == ("stop_times.txt", None)
    both = FeedError.missing_file("calendar.txt", "calendar_dates.txt")
    assert str(both) == "feed is missing required file calendar.txt or calendar_dates.txt"


def test_warning_log_counts_and_keeps_five_examples_in_order() -> None:
    log = WarningLog()
    for i in range(7):
        log.add("orphan_stop", f"stops.txt line {i + 2}: ...")
    log.add("bad_color", "routes.txt line 3: ...")
    assert log.warnings() == (
        Warning("orphan_stop", 7, tuple(f"stops.txt line {i + 2}: ..." for i in range(5))),
        Warning("bad_color", 1, ("routes.txt line 3: ...",)),
    )
