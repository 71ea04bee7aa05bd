"""How long loading a GTFS feed takes, and how much memory, as feeds grow.

Run from the repository root::

    .venv/bin/python -m bench.load_feed                  # the full run, a few minutes
    .venv/bin/python -m bench.load_feed --sizes 20000    # a quick look

It writes synthetic feeds (:mod:`bench.synthetic`) of growing size into a
temporary folder and loads each, and the bundled Mumbai feed, in a fresh Python
process: the load time is measured inside that process (reading the files,
hashing them, building the feed; not Python's start-up), the peak memory is the
process's peak resident set (``ru_maxrss`` from ``wait4``). Each load is run
``--repeat`` times and the fastest kept. The largest feed is then loaded with a
feed cache: into an empty one (building the feed and writing the cache), then
from it (a second start).

The table gives the cost per ``stop_times.txt`` row (constant when the cost grows
linearly), the ratio to the Mumbai feed measured in the same run, and how long
hashing the files takes next to the whole load. Goals (from the issue): Mumbai
under 2 s; 1,000,000 rows under 20 s and 1 GiB; no worse than linear growth.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.synthetic import write_feed
from bustrack.settings import DEFAULT_GTFS

__all__ = ["Measurement", "main", "measure"]

DEFAULT_SIZES = (10_000, 100_000, 300_000, 1_000_000)
MIB = 1024 * 1024

# Runs in the child process: load the feed, then time hashing its files alone.
CHILD = """
import json, sys, time
from pathlib import Path
from bustrack.gtfs import FeedCache, load_feed
from bustrack.gtfs.build import FEED_FILES
from bustrack.gtfs.cache import content_hash

path, cache_dir = sys.argv[1], sys.argv[2]
cache = FeedCache(cache_dir) if cache_dir else None
started = time.perf_counter()
feed = load_feed(path, cache=cache)
load_s = time.perf_counter() - started
started = time.perf_counter()
files = {n: (Path(path) / n).read_bytes() for n in FEED_FILES if (Path(path) / n).is_file()}
content_hash(files)
hash_s = time.perf_counter() - started
print(json.dumps({"load_s": load_s, "hash_s": hash_s, "trips": len(feed.trips),
                  "hit": bool(cache and cache.hits)}))
"""


@dataclass(frozen=True)
class Measurement:
    """One load in a fresh process."""

    load_s: float
    hash_s: float
    peak_rss: int  # bytes
    trips: int
    hit: bool


def measure(path: Path, cache_dir: Path | None = None) -> Measurement:
    """Load the feed at ``path`` in a fresh Python process and measure it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(cache_dir or "")],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert proc.stdout is not None
    with proc.stdout:
        out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"loading {path} failed (exit status {proc.returncode})")
    found = json.loads(out)
    return Measurement(
        found["load_s"], found["hash_s"], usage.ru_maxrss * 1024, found["trips"], found["hit"]
    )


def _rows(path: Path) -> int:
    with (path / "stop_times.txt").open("rb") as f:
        return sum(1 for _ in f) - 1


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.glob("*.txt"))


def _best(path: Path, repeat: int) -> Measurement:
    return min((measure(path) for _ in range(repeat)), key=lambda m: m.load_s)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench.load_feed", description=__doc__)
    parser.add_argument(
        "--sizes",
        default=",".join(str(n) for n in DEFAULT_SIZES),
        help="comma-separated stop_times.txt row counts of the synthetic feeds",
    )
    parser.add_argument("--repeat", type=int, default=3, help="loads per feed (fastest kept)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    with tempfile.TemporaryDirectory(prefix="bustrack-bench-") as tmp:
        feeds: list[tuple[str, Path]] = [("Mumbai BEST (bundled)", DEFAULT_GTFS)]
        for n in sizes:
            folder = Path(tmp) / f"synthetic-{n}"
            write_feed(folder, n)
            feeds.append((f"synthetic {n:,}", folder))
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; fastest of {args.repeat}")
        header = (
            f"{'feed':<34} {'rows':>9} {'MB':>6} {'load s':>7} {'us/row':>7} {'peak MiB':>9}"
            f" {'x Mumbai t':>10} {'x Mumbai mem':>12} {'hash %':>6}"
        )
        print(header)
        print("-" * len(header))
        results: list[tuple[int, Measurement]] = []
        base: Measurement | None = None

        def show(label: str, rows: int, size: int, m: Measurement) -> None:
            assert base is not None
            print(
                f"{label:<34} {rows:>9,} {size / 1e6:>6.1f} {m.load_s:>7.3f}"
                f" {m.load_s / rows * 1e6:>7.2f} {m.peak_rss / MIB:>9.0f}"
                f" {m.load_s / base.load_s:>10.1f} {m.peak_rss / base.peak_rss:>12.2f}"
                f" {100 * m.hash_s / m.load_s:>6.1f}",
                flush=True,
            )

        for label, path in feeds:
            m = _best(path, args.repeat)
            base = base or m
            rows = _rows(path)
            results.append((rows, m))
            show(label, rows, _size(path), m)

        largest_label, largest = feeds[-1]
        caches = [Path(tmp) / f"cache-{k}" for k in range(args.repeat)]
        fill = min((measure(largest, c) for c in caches), key=lambda m: m.load_s)
        hit = min((measure(largest, caches[0]) for _ in caches), key=lambda m: m.load_s)
        assert hit.hit and not fill.hit
        rows = _rows(largest)
        show(f"{largest_label}, filling cache", rows, _size(largest), fill)
        show(f"{largest_label}, from cache", rows, _size(largest), hit)

    print()
    mumbai = results[0][1]
    synthetic = results[1:]
    print(f"Mumbai under 2 s: {mumbai.load_s:.2f} s -> {'yes' if mumbai.load_s < 2 else 'NO'}")
    if len(synthetic) >= 2:
        # Least squares on log(time) = k log(rows) + c over the synthetic feeds.
        xs = [math.log(n) for n, _ in synthetic]
        ys = [math.log(m.load_s) for _, m in synthetic]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        k = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
            (x - mx) ** 2 for x in xs
        )
        (n1, m1), (n2, m2) = synthetic[0], synthetic[-1]
        print(f"growth from {n1:,} to {n2:,} rows: time ~ rows^{k:.2f} (1.00 is linear)")
        per_row = (m2.peak_rss - m1.peak_rss) / (n2 - n1)
        print(f"memory: {per_row:.0f} bytes per stop_times row above the smallest feed's")
    big = [(n, m) for n, m in synthetic if n >= 1_000_000]
    for n, m in big:
        ok = m.load_s < 20 and m.peak_rss < 1024 * MIB
        print(
            f"{n:,} rows under 20 s and 1 GiB: {m.load_s:.1f} s, {m.peak_rss / MIB:.0f} MiB"
            f" -> {'yes' if ok else 'NO'}"
        )
    built = results[-1][1]
    print(
        f"second start from the cache: {largest_label} in {hit.load_s:.2f} s"
        f" ({built.load_s / hit.load_s:.1f}x faster than building it)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
