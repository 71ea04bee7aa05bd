"""How fast a built feed comes back from the feed cache, against building it and against a pickle.

Run from the repository root::

    .venv/bin/python -m bench.feed_cache               # the bundled Mumbai feed
    .venv/bin/python -m bench.feed_cache --gtfs PATH   # another feed

In one process, on one feed, each timed ``--repeat`` times and the fastest kept:

- build: ``load_feed`` without a cache (read the files, hash them, build);
- pickle: reading back a pickle of the built feed (``read_bytes`` then
  ``pickle.loads``), the way the cache stored feeds before its entries became
  plain data; written here as a baseline, the cache no longer reads pickles;
- cache: ``FeedCache.get`` (read the entry, check its digest, decode and check
  every value of :mod:`bustrack.gtfs.codec`);
- second start: ``load_feed`` with the cache holding the feed (adds reading and
  hashing the feed's files).

Goal (issue "Safe and observable on the open internet"): the cache within about
3x of the pickle.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bustrack.gtfs import FeedCache, load_feed
from bustrack.settings import DEFAULT_GTFS

__all__ = ["fastest", "main"]


def fastest(run: Callable[[], object], repeat: int) -> float:
    """Return the shortest of ``repeat`` timings of ``run()``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gtfs", type=Path, default=DEFAULT_GTFS, help="feed (bundled Mumbai)")
    parser.add_argument("--repeat", type=int, default=7, help="timings per figure (7)")
    args = parser.parse_args(argv)
    feed = load_feed(args.gtfs)
    with tempfile.TemporaryDirectory(prefix="bench-feed-cache-") as tmp:
        cache = FeedCache(Path(tmp) / "cache")
        entry = cache.put(feed)
        assert entry is not None, "the feed could not be cached"
        pickled = Path(tmp) / "feed.pickle"
        pickled.write_bytes(pickle.dumps(feed, protocol=pickle.HIGHEST_PROTOCOL))
        assert cache.get(feed.content_hash) == feed

        build_s = fastest(lambda: load_feed(args.gtfs), args.repeat)
        pickle_s = fastest(lambda: pickle.loads(pickled.read_bytes()), args.repeat)
        cache_s = fastest(lambda: cache.get(feed.content_hash), args.repeat)
        start_s = fastest(lambda: load_feed(args.gtfs, cache=cache), args.repeat)
        sizes = entry.stat().st_size, pickled.stat().st_size

    print(f"feed:   {args.gtfs} ({len(feed.trips)} trips, {len(feed.stops)} stops)")
    print(f"python: {sys.version.split()[0]}; fastest of {args.repeat}")
    print(f"build (load_feed, no cache)        {build_s * 1000:8.1f} ms")
    print(f"pickle load (old cache, baseline)  {pickle_s * 1000:8.1f} ms  {sizes[1] / 1e6:.2f} MB")
    print(f"cache load (FeedCache.get)         {cache_s * 1000:8.1f} ms  {sizes[0] / 1e6:.2f} MB")
    print(f"second start (load_feed, cached)   {start_s * 1000:8.1f} ms")
    print(f"cache / pickle                     {cache_s / pickle_s:8.2f}x  (goal <= 3x)")
    print(f"build / cache                      {build_s / cache_s:8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
