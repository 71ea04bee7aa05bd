from __future__ import annotations

import csv
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from bustrack.gtfs import Feed, FeedError, build_feed, load_feed
from tests.conftest import timeout
from tests.gtfs.fixtures import FIXTURES, files

MUMBAI = Path(__file__).resolve().parents[2] / "bustrack" / "data" / "mumbai-best-gtfs"


def same_feed(a: Feed, b: Feed) -> None:
    assert a.stops == b.stops and a.routes == b.routes and a.calendars == b.calendars
    assert list(a.trips) == list(b.trips)
    for trip_id, trip in a.trips.items():
        other = b.trips[trip_id]
        assert trip.stop_ids == other.stop_ids and trip.arrivals == other.arrivals


def make_zip(path: Path, folder: Path, prefix: str = "", junk: bool = False) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if prefix:
            archive.writestr(prefix, "")  # a directory entry
        for file in sorted(folder.glob("*.txt")):
            archive.write(file, prefix + file.name)
        if junk:
            archive.writestr("__MACOSX/._stops.txt", b"\x00\x05\x16\x07")
            archive.writestr("readme.md", "not part of the feed")
    return path


def test_load_folder_gives_the_same_feed_as_build() -> None:
    same_feed(load_feed(FIXTURES / "minimal"), build_feed(files("minimal")))


def test_load_accepts_a_str_path() -> None:
    assert set(load_feed(str(FIXTURES / "minimal")).trips) == {"T1", "T2"}


def test_load_zip_with_files_at_the_root(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "feed.zip", FIXTURES / "shapes-dist", junk=True)
    same_feed(load_feed(path), build_feed(files("shapes-dist")))


def test_load_zip_with_files_in_one_folder(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "feed.zip", FIXTURES / "wild-csv", prefix="gtfs-2026/")
    feed = load_feed(path)
    assert feed.stops["A"].name == "Alpha, Main Gate"
    same_feed(feed, build_feed(files("wild-csv")))


def test_load_folder_holding_the_feed_in_one_sub_folder(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "minimal", tmp_path / "inner")
    (tmp_path / "notes").mkdir()
    same_feed(load_feed(tmp_path), build_feed(files("minimal")))


def test_missing_path_is_a_feed_error(tmp_path: Path) -> None:
    with pytest.raises(FeedError) as caught:
        load_feed(tmp_path / "nowhere")
    assert str(caught.value) == f"no GTFS feed at {tmp_path / 'nowhere'}: no such file or folder"


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "feed.zip"
    path.write_bytes(b"PK but not really a zip")
    with pytest.raises(
        FeedError, match=r"feed\.zip is not a GTFS feed: not a folder or a zip file"
    ):
        load_feed(path)


def test_a_folder_without_feed_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("hello")
    with pytest.raises(FeedError, match=r"is not a GTFS feed: it holds no GTFS files \(expected"):
        load_feed(tmp_path)


def test_a_zip_without_feed_files_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FeedError, match=r"empty\.zip is not a GTFS feed: the zip holds no GTFS"):
        load_feed(path)


def test_a_zip_with_two_feed_folders_is_ambiguous(tmp_path: Path) -> None:
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for prefix in ("a/", "b/"):
            for file in (FIXTURES / "minimal").glob("*.txt"):
                archive.write(file, prefix + file.name)
    with pytest.raises(FeedError, match=r"the zip holds GTFS files in several folders \(a/, b/\)"):
        load_feed(path)


def test_load_reports_a_broken_feed_from_disk() -> None:
    with pytest.raises(FeedError) as caught:
        load_feed(FIXTURES / "broken-lat-range")
    assert str(caught.value) == "stops.txt line 4: stop_lat '95.2' is out of range -90..90"


def test_an_unknown_timezone_is_refused(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "minimal", tmp_path / "feed")
    agency = tmp_path / "feed" / "agency.txt"
    agency.write_text(agency.read_text().replace("Asia/Kolkata", "Mars/Olympus_Mons"))
    with pytest.raises(FeedError) as caught:
        load_feed(tmp_path / "feed")
    assert str(caught.value) == (
        "agency.txt: agency_timezone 'Mars/Olympus_Mons' is not a known time zone "
        "(e.g. Asia/Kolkata)"
    )


def test_bundled_mumbai_feed_loads_quickly_and_completely() -> None:
    started = time.perf_counter()
    feed = load_feed(MUMBAI)
    elapsed = time.perf_counter() - started
    assert elapsed < timeout(2.0)
    assert (len(feed.trips), len(feed.stops), len(feed.routes)) == (801, 4694, 419)
    assert sum(len(w) for w in feed.frequencies.values()) == 801
    assert feed.shapes == {}
    assert feed.timezone == "Asia/Kolkata"
    assert feed.warnings == ()
    assert all(t.stop_ids[0] and len(t.stop_ids) >= 2 for t in feed.trips.values())


def test_mumbai_distances_are_its_shape_dist_traveled_in_metres() -> None:
    feed = load_feed(MUMBAI)
    rows: dict[str, list[tuple[int, float]]] = {}
    with open(MUMBAI / "stop_times.txt", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows.setdefault(row["trip_id"], []).append(
                (int(row["stop_sequence"]), float(row["shape_dist_traveled"]))
            )
    assert set(rows) == set(feed.trips)
    for trip_id, found in rows.items():
        values = [v for _, v in sorted(found)]
        got = feed.trips[trip_id].distances
        assert list(got) == pytest.approx([v - values[0] for v in values]), trip_id


def test_kochi_fixture_distances_in_km_become_metres() -> None:
    feed = load_feed(FIXTURES / "kochi")
    assert feed.warnings == ()
    trip = feed.trips["KCH_7A_WK_0"]
    shape = feed.shapes["KCH_7A_S0"]
    # About 24 km from Aluva to Fort Kochi, given in km, held in metres.
    assert 20_000 < trip.distances[-1] < 30_000
    assert trip.distances[-1] == pytest.approx(shape.distances[-1], rel=0.01)
    assert feed.trips["KCH_7A_NIGHT_0"].end == 25 * 3600 + 16 * 60 + 1
    assert feed.frequencies["KCH_20_WK_0"][0].exact_times == 1
    assert feed.stops["VYTH1"].parent_station == "VYTH"
