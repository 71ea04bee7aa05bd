"""Opening the feed at startup, through ``python -m bustrack.web`` as a user starts it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bustrack.gtfs.model import Warning
from bustrack.web.feed import format_warning
from tests.conftest import free_port
from tests.gtfs.fixtures import FIXTURES
from tests.gtfs.test_build import BROKEN_FIXTURES
from tests.gtfs.test_load import make_zip
from tests.web.process import ServerProcess, run_cli

NO_CACHE = {"BUSTRACK_CACHE_DIR": ""}


def _assert_one_line_error(stderr: str, message: str) -> None:
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if "error" in line.lower()]
    assert errors == [f"bustrack: error: {message}"], stderr
    assert stderr.rstrip("\n").splitlines()[-1] == errors[0]


@pytest.mark.parametrize(("name", "message"), [(name, msg) for name, msg, _, _ in BROKEN_FIXTURES])
def test_a_broken_feed_ends_with_its_one_line_message_and_status_2(name: str, message: str) -> None:
    proc = run_cli("--gtfs", str(FIXTURES / name), "--port", str(free_port()), env=NO_CACHE)
    assert proc.returncode == 2, proc.stderr
    _assert_one_line_error(proc.stderr, message)


def test_a_broken_zipped_feed_is_reported_the_same_way(tmp_path: Path) -> None:
    feed = make_zip(tmp_path / "feed.zip", FIXTURES / "broken-bad-time", prefix="gtfs/")
    proc = run_cli("--gtfs", str(feed), "--port", str(free_port()), env=NO_CACHE)
    assert proc.returncode == 2
    _assert_one_line_error(
        proc.stderr, "stop_times.txt line 3: arrival_time '08:4:00' is not HH:MM:SS"
    )


def test_an_unknown_timezone_names_the_file_and_field(tmp_path: Path) -> None:
    feed = Path(shutil.copytree(FIXTURES / "minimal", tmp_path / "feed"))
    agency = feed / "agency.txt"
    agency.write_text(agency.read_text().replace("Asia/Kolkata", "Asia/Cochin_Town"))
    proc = run_cli("--gtfs", str(feed), "--port", str(free_port()), env=NO_CACHE)
    assert proc.returncode == 2
    _assert_one_line_error(
        proc.stderr,
        "agency.txt: agency_timezone 'Asia/Cochin_Town' is not a known time zone "
        "(e.g. Asia/Kolkata)",
    )


def test_a_folder_that_is_no_feed_says_what_was_expected(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a feed")
    proc = run_cli("--gtfs", str(tmp_path), "--port", str(free_port()), env=NO_CACHE)
    assert proc.returncode == 2
    _assert_one_line_error(
        proc.stderr,
        f"{tmp_path} is not a GTFS feed: it holds no GTFS files (expected agency.txt, "
        "stops.txt, routes.txt, trips.txt, stop_times.txt, ...)",
    )


def test_warnings_are_logged_one_line_per_kind_and_the_feed_loads(tmp_path: Path) -> None:
    with ServerProcess(tmp_path, "--gtfs", str(FIXTURES / "warnings"), env=NO_CACHE) as server:
        pass
    log = server.output()
    assert server.proc is not None and server.proc.returncode == 0, log
    assert "Traceback" not in log
    found = re.findall(r"WARNING bustrack: feed warning (\w+) \((\d+), e\.g\. (.*)\)$", log, re.M)
    assert [(kind, int(count)) for kind, count, _ in found] == [
        ("too_few_stop_times", 1),
        ("trip_without_stop_times", 1),
        ("times_backwards", 1),
        ("empty_frequency_window", 1),
        ("orphan_stop", 1),
        ("route_without_trips", 1),
    ]
    examples = {kind: example for kind, _, example in found}
    assert examples["orphan_stop"] == "stops.txt line 5: stop 'D' is used by no trip"
    assert examples["too_few_stop_times"] == (
        "stop_times.txt line 8: trip 'T3' has only one stop time (trip dropped)"
    )
    assert re.search(r"feed loaded \(built\) in [\d.]+ s: 2 routes, 4 stops, 2 trips", log)
    assert "serving on" in log


def test_format_warning_shows_the_first_three_examples_and_says_there_are_more() -> None:
    warning = Warning("orphan_stop", 7, tuple(f"stops.txt line {n}: x" for n in range(2, 7)))
    assert format_warning(warning) == (
        "feed warning orphan_stop (7, e.g. stops.txt line 2: x; stops.txt line 3: x; "
        "stops.txt line 4: x; ...)"
    )
    one = Warning("bad_color", 1, ("routes.txt line 3: route_color 'red' is not RRGGBB",))
    assert format_warning(one) == (
        "feed warning bad_color (1, e.g. routes.txt line 3: route_color 'red' is not RRGGBB)"
    )


def test_a_second_start_loads_the_feed_from_the_cache(tmp_path: Path) -> None:
    feed = Path(shutil.copytree(FIXTURES / "shapes-dist", tmp_path / "feed"))
    cache = tmp_path / "cache"
    args = ("--gtfs", str(feed), "--cache-dir", str(cache))
    with ServerProcess(tmp_path, *args) as first:
        pass
    assert "feed loaded (built)" in first.output()
    assert len(list(cache.glob("*.feed"))) == 1
    with ServerProcess(tmp_path, *args) as second:
        pass
    assert "loaded the built feed from the cache" in second.output()
    assert "feed loaded (from the cache)" in second.output()

    stops = feed / "stops.txt"
    stops.write_text(stops.read_text().replace("Alpha", "Alfa"))
    with ServerProcess(tmp_path, *args) as third:
        pass
    assert "feed loaded (built)" in third.output()
    assert len(list(cache.glob("*.feed"))) == 2


def test_an_empty_cache_dir_disables_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {"BUSTRACK_CACHE_DIR": str(cache)}
    args = ("--gtfs", str(FIXTURES / "minimal"), "--cache-dir", "")
    for _ in range(2):
        with ServerProcess(tmp_path, *args, env=env) as server:
            pass
        assert "feed loaded (built)" in server.output()
    assert not cache.exists()
