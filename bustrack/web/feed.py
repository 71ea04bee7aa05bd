"""Opening the operator's feed at startup: the cache, progress, and what is logged.

:func:`open_feed` loads ``--gtfs`` through the feed cache (``--cache-dir``),
logs one summary line, then one line per kind of problem the feed has that let
it load anyway (``Feed.warnings``): the kind, how many, and the first examples.
A broken feed raises :class:`~bustrack.gtfs.FeedError`, which the command line
turns into one line and exit status 2.
"""

from __future__ import annotations

import logging
import time

from bustrack.gtfs import Feed, FeedCache, ProgressCallback, load_feed
from bustrack.gtfs.model import Warning
from bustrack.settings import Settings

__all__ = ["EXAMPLES_LOGGED", "format_warning", "open_feed"]

log = logging.getLogger("bustrack")

EXAMPLES_LOGGED = 3


def format_warning(warning: Warning) -> str:
    """Return one log line for a kind of feed problem, with its first examples.

    Example: ``feed warning orphan_stop (12, e.g. stops.txt line 9: stop 'Z' is
    used by no trip; ...)``.
    """
    examples = "; ".join(warning.examples[:EXAMPLES_LOGGED])
    more = "; ..." if warning.count > min(len(warning.examples), EXAMPLES_LOGGED) else ""
    return f"feed warning {warning.kind} ({warning.count}, e.g. {examples}{more})"


def open_feed(settings: Settings, progress: ProgressCallback | None = None) -> Feed:
    """Load ``settings.gtfs`` (through the cache unless ``settings.cache_dir`` is empty).

    Args:
        settings: the operator's settings.
        progress: shows the load's progress (see :mod:`bustrack.web.progress`).

    Raises:
        FeedError: the feed cannot be loaded.
    """
    cache = FeedCache(settings.cache_dir) if settings.cache_dir else None
    started = time.perf_counter()
    feed = load_feed(settings.gtfs, cache=cache, progress=progress)
    elapsed = time.perf_counter() - started
    source = "from the cache" if cache is not None and cache.hits else "built"
    log.info(
        "feed loaded (%s) in %.2f s: %d routes, %d stops, %d trips, %d shapes, %d warning kinds",
        source,
        elapsed,
        len(feed.routes),
        len(feed.stops),
        len(feed.trips),
        len(feed.shapes),
        len(feed.warnings),
    )
    for warning in feed.warnings:
        log.warning("%s", format_warning(warning))
    return feed
