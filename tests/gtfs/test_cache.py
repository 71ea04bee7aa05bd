from __future__ import annotations

import dataclasses
import logging
import math
import os
import pickle
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import bustrack.gtfs.load
from bustrack.gtfs import Feed, FeedCache, load_feed
from bustrack.gtfs.cache import content_hash, format_version
from bustrack.settings import DEFAULT_GTFS
from tests.gtfs.fixtures import FIXTURES, files
from tests.gtfs.test_codec import assert_identical
from tests.gtfs.test_load import make_zip, same_feed

FEEDS = [
    *sorted(p for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("broken")),
    DEFAULT_GTFS,
]


class WritesMarker:
    """A pickle that, when loaded, writes ``marker``: what a planted entry could do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[[Path, str], int], tuple[Path, str]]:
        return Path.write_text, (self.marker, "code ran while loading the cache")


def _no_build(*args: object, **kwargs: object) -> Feed:
    raise AssertionError("the feed was built although the cache holds it")


@pytest.fixture
def feed_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "shapes-dist", tmp_path / "feed"))


def test_content_hash_depends_on_names_and_bytes() -> None:
    base = content_hash({"a.txt": b"xy", "b.txt": b"z"})
    assert len(base) == 64
    assert content_hash({"b.txt": b"z", "a.txt": b"xy"}) == base  # order of the mapping
    assert content_hash({"a.txt": b"x", "b.txt": b"yz"}) != base  # bytes moved across files
    assert content_hash({"a.txt": b"xy", "c.txt": b"z"}) != base
    assert content_hash({"a.txt": b"xy", "b.txt": b"Z"}) != base


def test_loaded_feeds_carry_their_content_hash() -> None:
    feed = load_feed(FIXTURES / "minimal")
    assert feed.content_hash == content_hash(files("minimal"))


def test_a_zip_and_its_folder_have_the_same_hash(tmp_path: Path, feed_dir: Path) -> None:
    zipped = load_feed(make_zip(tmp_path / "feed.zip", feed_dir, prefix="inner/"))
    assert zipped.content_hash == load_feed(feed_dir).content_hash


def test_second_load_comes_from_the_cache(
    tmp_path: Path,
    feed_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = FeedCache(tmp_path / "cache")
    first = load_feed(feed_dir, cache=cache)
    assert (cache.hits, cache.misses) == (0, 1)
    entry = cache.path(first.content_hash)
    assert entry.is_file()
    assert entry.name == f"{first.content_hash}-{format_version()}.feed"

    monkeypatch.setattr(bustrack.gtfs.load, "build_feed", _no_build)
    with caplog.at_level(logging.INFO, logger="bustrack.gtfs.cache"):
        second = load_feed(feed_dir, cache=FeedCache(tmp_path / "cache"))
    same_feed(first, second)
    assert second.shapes.keys() == first.shapes.keys()
    assert second.content_hash == first.content_hash
    assert any("from the cache" in r.getMessage() for r in caplog.records)


def test_a_changed_feed_misses_and_is_rebuilt(tmp_path: Path, feed_dir: Path) -> None:
    cache = FeedCache(tmp_path / "cache")
    first = load_feed(feed_dir, cache=cache)
    stops = feed_dir / "stops.txt"
    stops.write_text(stops.read_text().replace("Alpha", "Alfa"))
    second = load_feed(feed_dir, cache=cache)
    assert (cache.hits, cache.misses) == (0, 2)
    assert second.content_hash != first.content_hash
    assert second.stops["A"].name.startswith("Alfa")
    assert load_feed(feed_dir, cache=cache).stops["A"].name.startswith("Alfa")
    assert cache.hits == 1


@pytest.mark.parametrize("path", FEEDS, ids=lambda p: p.name)
def test_a_round_trip_gives_the_same_feed(tmp_path: Path, path: Path) -> None:
    built = load_feed(path, cache=FeedCache(tmp_path))
    cache = FeedCache(tmp_path)
    got = cache.get(built.content_hash)
    assert cache.hits == 1 and got is not None
    assert_identical(built, got)  # every field, down to the arrays' typecodes and bytes


def test_a_planted_pickle_is_not_executed(
    tmp_path: Path, feed_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps(WritesMarker(marker))
    pickle.loads(payload)  # the payload is live: unpickling it runs code
    assert marker.is_file()
    marker.unlink()

    cache = FeedCache(tmp_path / "cache")
    built = load_feed(feed_dir)
    entry = cache.path(built.content_hash)
    old = entry.with_suffix(".pickle")  # the name the pickle cache used
    cache.folder.mkdir()
    for planted in (entry, old):
        planted.write_bytes(payload)
    with caplog.at_level(logging.WARNING, logger="bustrack.gtfs.cache"):
        feed = load_feed(feed_dir, cache=cache)
    assert not marker.exists()
    assert_identical(feed, built)
    assert (cache.hits, cache.misses) == (0, 1)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("ignoring unreadable cached feed" in w and str(entry) in w for w in warnings)
    assert not old.exists()  # old pickles are deleted, never read
    assert entry.read_bytes() != payload  # rebuilt
    assert load_feed(feed_dir, cache=cache).content_hash == built.content_hash
    assert cache.hits == 1
    assert not marker.exists()


def _flip(i: int) -> Callable[[bytes], bytes]:
    return lambda data: data[:i] + bytes([data[i] ^ 1]) + data[i + 1 :]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",  # truncated to nothing
        lambda data: data[:10],  # into the header
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1],
        lambda data: data + b"\0",
        _flip(3),  # the magic number
        _flip(60),  # the document
        _flip(-1),  # the last array
        lambda data: b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x07.",  # a pickle of 7
    ],
    ids=["empty", "header", "half", "last-byte", "extra-byte", "magic", "doc", "array", "pickle"],
)
def test_a_corrupt_entry_is_ignored_logged_and_rebuilt(
    tmp_path: Path,
    feed_dir: Path,
    damage: Callable[[bytes], bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = FeedCache(tmp_path / "cache")
    first = load_feed(feed_dir, cache=cache)
    entry = cache.path(first.content_hash)
    good = entry.read_bytes()
    entry.write_bytes(damage(good))
    with caplog.at_level(logging.WARNING, logger="bustrack.gtfs.cache"):
        again = load_feed(feed_dir, cache=cache)
    same_feed(first, again)
    assert (cache.hits, cache.misses) == (0, 2)
    assert [r.getMessage() for r in caplog.records if "ignoring unreadable" in r.getMessage()]
    assert entry.read_bytes() == good  # rewritten with the rebuilt feed
    assert load_feed(feed_dir, cache=cache).content_hash == first.content_hash
    assert cache.hits == 1


def test_an_entry_for_another_feed_is_not_used(tmp_path: Path, feed_dir: Path) -> None:
    cache = FeedCache(tmp_path / "cache")
    other = load_feed(FIXTURES / "minimal", cache=cache)
    wanted = load_feed(feed_dir)
    assert set(wanted.shapes) != set(other.shapes)
    shutil.copyfile(cache.path(other.content_hash), cache.path(wanted.content_hash))
    got = load_feed(feed_dir, cache=cache)
    assert got.content_hash == wanted.content_hash
    assert set(got.shapes) == set(wanted.shapes)
    assert (cache.hits, cache.misses) == (0, 2)


def test_an_unwritable_cache_is_only_a_warning(
    tmp_path: Path, feed_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    cache = FeedCache(blocker / "cache")
    with caplog.at_level(logging.WARNING, logger="bustrack.gtfs.cache"):
        feed = load_feed(feed_dir, cache=cache)
    assert feed.trips
    assert any("cannot write the feed cache" in r.getMessage() for r in caplog.records)


def test_the_cache_folder_is_private_and_keeps_the_recent_entries(tmp_path: Path) -> None:
    cache = FeedCache(tmp_path / "cache", keep=2)
    hashes = []
    for age, name in ((200, "minimal"), (100, "shapes-dist"), (0, "frequencies")):
        hashes.append(load_feed(FIXTURES / name, cache=cache).content_hash)
        then = time.time() - age  # make the order of use unambiguous
        os.utime(cache.path(hashes[-1]), (then, then))
    assert (cache.folder.stat().st_mode & 0o777) == 0o700
    kept = sorted(p.name for p in cache.folder.iterdir())
    assert kept == sorted(cache.path(h).name for h in hashes[1:])


def test_a_feed_the_format_cannot_hold_is_not_cached(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feed = load_feed(FIXTURES / "minimal")
    stop = next(iter(feed.stops.values()))
    odd = dataclasses.replace(feed, stops={**feed.stops, stop.stop_id: stop})
    odd.stops[stop.stop_id] = dataclasses.replace(stop, lon=math.inf)
    cache = FeedCache(tmp_path / "cache")
    with caplog.at_level(logging.WARNING, logger="bustrack.gtfs.cache"):
        assert cache.put(odd) is None
    assert any("cannot cache the built feed" in r.getMessage() for r in caplog.records)
    assert not cache.path(feed.content_hash).exists()


def test_a_feed_built_in_memory_cannot_be_cached(tmp_path: Path) -> None:
    feed = load_feed(FIXTURES / "minimal")
    feed.content_hash = ""
    with pytest.raises(ValueError, match="content_hash"):
        FeedCache(tmp_path).put(feed)
