"""Loading a GTFS feed from disk: with :mod:`~bustrack.gtfs.cache`, the package's only I/O.

:func:`load_feed` reads the feed's files (from a folder or a ``.zip``) into memory,
hashes them (:func:`~bustrack.gtfs.cache.content_hash`) and hands them to the pure
:func:`~bustrack.gtfs.build.build_feed`, unless a :class:`~bustrack.gtfs.cache.FeedCache`
already holds the feed built from the same bytes. Only the files the builder uses
are read (and hashed). A feed whose files sit in one sub-folder (a zip of the
folder rather than of its files, or an unzipped such archive) is found there.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bustrack.gtfs.build import FEED_FILES, build_feed
from bustrack.gtfs.cache import FeedCache, content_hash
from bustrack.gtfs.errors import FeedError
from bustrack.gtfs.model import Feed
from bustrack.gtfs.progress import ProgressCallback

__all__ = ["load_feed"]


def load_feed(
    path: str | os.PathLike[str],
    *,
    cache: FeedCache | None = None,
    progress: ProgressCallback | None = None,
) -> Feed:
    """Load the GTFS feed in a folder or a zip file.

    Args:
        path: a folder holding ``agency.txt``, ``stops.txt``, ... (or one sub-folder
            holding them), or a zip file of the same.
        cache: where built feeds are kept between runs, or None to always build.
        progress: called with the builder's progress events (none when the feed
            comes from the cache).

    Returns:
        The feed, validated, with its ``content_hash``; see
        :func:`~bustrack.gtfs.build.build_feed`.

    Raises:
        FeedError: the path does not exist, cannot be read or holds no GTFS feed,
            the feed is invalid, or its agency timezone is unknown to the time zone
            database.
    """
    where = Path(path)
    try:
        if where.is_dir():
            files = _read_folder(where)
        elif where.is_file():
            files = _read_zip(where)
        else:
            raise FeedError(f"no GTFS feed at {where}: no such file or folder")
    except OSError as err:
        raise FeedError(f"cannot read GTFS feed at {where}: {err.strerror or err}") from err
    digest = content_hash(files)
    feed = cache.get(digest) if cache is not None else None
    if feed is None:
        feed = build_feed(files, progress)
        feed.content_hash = digest
        _check_timezone(feed)
        if cache is not None:
            cache.put(feed)
    return feed


def _no_feed(where: Path, what: str) -> FeedError:
    return FeedError(
        f"{where} is not a GTFS feed: {what} (expected agency.txt, stops.txt, "
        "routes.txt, trips.txt, stop_times.txt, ...)"
    )


def _read_folder(folder: Path) -> dict[str, bytes]:
    """Read the feed's files from ``folder`` or from its one sub-folder holding them."""
    if not any((folder / name).is_file() for name in FEED_FILES):
        inner = [
            sub
            for sub in sorted(folder.iterdir())
            if sub.is_dir() and any((sub / name).is_file() for name in FEED_FILES)
        ]
        if len(inner) != 1:
            raise _no_feed(folder, "it holds no GTFS files" if not inner else "several folders do")
        folder = inner[0]
    return {name: (folder / name).read_bytes() for name in FEED_FILES if (folder / name).is_file()}


def _read_zip(file: Path) -> dict[str, bytes]:
    """Read the feed's files from a zip, at its root or in one folder inside it."""
    if not zipfile.is_zipfile(file):
        raise _no_feed(file, "not a folder or a zip file")
    try:
        with zipfile.ZipFile(file) as archive:
            folders: dict[str, dict[str, str]] = {}
            for info in archive.infolist():
                member = PurePosixPath(info.filename)
                if info.is_dir() or member.name not in FEED_FILES:
                    continue
                if "__MACOSX" in member.parts:
                    continue
                folders.setdefault(str(member.parent), {})[member.name] = info.filename
            if not folders:
                raise _no_feed(file, "the zip holds no GTFS files")
            if "." in folders:
                chosen = folders["."]
            elif len(folders) == 1:
                chosen = next(iter(folders.values()))
            else:
                names = ", ".join(sorted(f"{name}/" for name in folders))
                raise _no_feed(file, f"the zip holds GTFS files in several folders ({names})")
            return {name: archive.read(member) for name, member in chosen.items()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as err:
        raise _no_feed(file, f"the zip cannot be read ({err})") from err


def _check_timezone(feed: Feed) -> None:
    """Raise unless the feed's timezone is in the time zone database."""
    tz = feed.timezone
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise FeedError(
            f"agency_timezone '{tz}' is not a known time zone (e.g. Asia/Kolkata)",
            file="agency.txt",
            field="agency_timezone",
        ) from None
