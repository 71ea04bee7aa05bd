"""The benchmark's feed generator writes feeds that load, with what real feeds have."""

from __future__ import annotations

from pathlib import Path

from bench.synthetic import write_feed
from bustrack.gtfs import load_feed


def test_a_small_synthetic_feed_loads_with_every_feature(tmp_path: Path) -> None:
    written = write_feed(tmp_path / "feed", 3000)
    assert 3000 <= written < 3050
    lines = (tmp_path / "feed" / "stop_times.txt").read_text().splitlines()
    assert len(lines) == written + 1
    feed = load_feed(tmp_path / "feed")
    assert sum(len(t.stop_ids) for t in feed.trips.values()) == written
    assert feed.shapes and any(t.shape_id for t in feed.trips.values())
    assert any(t.shape_id is None for t in feed.trips.values())
    assert feed.frequencies
    assert feed.calendar_dates["SU"]
    assert max(t.end for t in feed.trips.values()) > 24 * 3600  # a trip past midnight
    assert any(r.color for r in feed.routes.values())
    assert any(r.color is None for r in feed.routes.values())
    assert feed.stops["S0"].name.count(",") == 1  # a quoted name


def test_the_same_seed_writes_the_same_feed(tmp_path: Path) -> None:
    write_feed(tmp_path / "a", 1000, seed=7)
    write_feed(tmp_path / "b", 1000, seed=7)
    write_feed(tmp_path / "c", 1000, seed=8)
    a = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    assert a == {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert a != {p.name: p.read_bytes() for p in (tmp_path / "c").iterdir()}
