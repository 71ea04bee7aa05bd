"""A cache of built feeds on disk, keyed by the content of the feed's files.

Building a big feed takes seconds; reading it back a fraction of that.
:func:`~bustrack.gtfs.load.load_feed` hashes the bytes of the feed's files
(:func:`content_hash`, pure: far cheaper than parsing them) and asks a
:class:`FeedCache` for ``<folder>/<hash>-<format>.feed`` before building. A feed
whose files changed has another hash, so it misses and is built afresh.

Entries are written by :mod:`bustrack.gtfs.codec`, a format of plain data (JSON and
raw arrays) checked strictly when read: reading an entry cannot execute code, so
whoever can write the folder cannot run code in the server. (They could still
plant another timetable: keep the folder private all the same.) Entries of the
old pickle format (``*.pickle``) are never read; they are deleted when an entry
is written.

``<format>`` changes with this cache's :data:`CACHE_FORMAT`, the Python version
and the source code of :mod:`bustrack.gtfs` (see :func:`format_version`), so an
upgraded bustrack never reads what an older one wrote.

An entry that cannot be read or is not a feed of the expected hash (truncated,
altered, written by something else) is ignored with a warning, deleted and
rebuilt. Failing to write an entry (read-only disk, full disk, a feed the format
cannot hold) is logged and otherwise ignored: the cache only ever saves time.
The folder is created readable by its owner only. The :data:`KEEP` most recently
used entries are kept; older ones are deleted when a new one is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from bustrack.gtfs.codec import CodecError, decode_feed, encode_feed
from bustrack.gtfs.model import Feed

__all__ = ["CACHE_FORMAT", "KEEP", "FeedCache", "content_hash", "format_version"]

log = logging.getLogger(__name__)

CACHE_FORMAT = 2
KEEP = 8
_ENTRY = re.compile(r"[0-9a-f]{64}-.+\.feed")
_PICKLE = re.compile(r"[0-9a-f]{64}-.+\.pickle")  # written by CACHE_FORMAT 1, never read


def content_hash(files: Mapping[str, bytes]) -> str:
    """Return the hex SHA-256 of a feed's files, names and bytes, in name order.

    Pure. Each file contributes its name, its length and its bytes, so moving
    bytes from one file to the next changes the hash.
    """
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name]
        digest.update(name.encode())
        digest.update(b"\0" + len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


@cache
def format_version() -> str:
    """Return the format part of entry names: ``<CACHE_FORMAT>.py<X><Y>.<code>``.

    ``<code>`` is a digest of the source files of :mod:`bustrack.gtfs`, read once
    per process: any change to how feeds are built makes old entries unreachable.
    """
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for source in sorted(package.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    python = f"py{sys.version_info[0]}{sys.version_info[1]}"
    return f"{CACHE_FORMAT}.{python}.{digest.hexdigest()[:12]}"


class FeedCache:
    """Built feeds kept in one folder, in the format of :mod:`bustrack.gtfs.codec`.

    Args:
        folder: where entries live; created (mode 0700) when the first is written.
        keep: how many entries to keep (the most recently used).

    Attributes:
        hits: how many :meth:`get` calls found their feed.
        misses: how many found none, or an unusable entry.
    """

    def __init__(self, folder: str | os.PathLike[str], keep: int = KEEP) -> None:
        self.folder = Path(folder).expanduser()
        self.keep = keep
        self.hits = 0
        self.misses = 0

    def path(self, digest: str) -> Path:
        """Return the file of the entry for feed content ``digest``."""
        return self.folder / f"{digest}-{format_version()}.feed"

    def get(self, digest: str) -> Feed | None:
        """Return the feed cached for ``digest``, or None (a miss).

        An unusable entry is logged, deleted and counted as a miss.
        """
        path = self.path(digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            self.misses += 1
            return None
        except OSError as err:
            log.warning("cannot read cached feed %s (%s); building the feed", path, err)
            self.misses += 1
            return None
        try:
            feed: Feed | CodecError = decode_feed(data)
        except CodecError as err:
            feed = err
        if isinstance(feed, CodecError) or feed.content_hash != digest:
            why = feed if isinstance(feed, CodecError) else "not the expected feed"
            log.warning("ignoring unreadable cached feed %s (%s); rebuilding it", path, why)
            with contextlib.suppress(OSError):
                path.unlink()
            self.misses += 1
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used
        self.hits += 1
        log.info("loaded the built feed from the cache %s", path)
        return feed

    def put(self, feed: Feed) -> Path | None:
        """Store ``feed`` under its ``content_hash``; return the entry, or None if not written.

        Raises:
            ValueError: the feed has no content hash.
        """
        if not feed.content_hash:
            raise ValueError("only a feed loaded from files (with a content_hash) can be cached")
        path = self.path(feed.content_hash)
        try:
            data = encode_feed(feed)
        except CodecError as err:
            log.warning("cannot cache the built feed (%s); continuing without", err)
            return None
        tmp: str | None = None
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
            tmp = None
        except OSError as err:
            log.warning(
                "cannot write the feed cache in %s (%s); continuing without", self.folder, err
            )
            return None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        log.info("cached the built feed in %s (%.1f MB)", path, len(data) / 1e6)
        self._prune(keep=path)
        return path

    def _prune(self, keep: Path) -> None:
        """Delete all but the :attr:`keep` most recently used entries, and old pickles."""
        try:
            names = list(self.folder.iterdir())
            entries = [p for p in names if _ENTRY.fullmatch(p.name)]
            entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        except OSError:
            return
        pickles = [p for p in names if _PICKLE.fullmatch(p.name)]
        for old in entries[self.keep :] + pickles:
            if old != keep:
                with contextlib.suppress(OSError):
                    old.unlink()
