"""bench/ingest.py runs: a short window per store, the kill -9 at the end, and figures."""

from __future__ import annotations

from pathlib import Path

from bench.ingest import bench_store


async def test_the_ingest_bench_measures_and_finds_nothing_lost(tmp_path: Path) -> None:
    windows = await bench_store("group", (1, 3), batch=5, seconds=1.5, tmp=tmp_path)
    assert [w.devices for w in windows] == [1, 3]
    assert windows[0].reports > 0 and windows[0].latencies
    assert windows[-1].lost == 0 and windows[-1].acked
