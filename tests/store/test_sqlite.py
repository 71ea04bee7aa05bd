"""The SQLite store, on real files: what every store engine must do."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bustrack.sources.report import Report
from bustrack.store import SQLiteStore, StoreError
from bustrack.store.sqlite import hash_token

T0 = 1_800_000_000.0


def _reports(device: str, n: int, start: float = T0) -> list[Report]:
    return [Report(device, start + i, 19.0 + i * 1e-4, 72.8, speed=5.0) for i in range(n)]


async def test_appended_reports_are_committed_and_read_back(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "b.db")
    try:
        assert await store.append(_reports("bus-1", 3)) == [True] * 3
        # Another connection (another process would do the same) sees them at once.
        with sqlite3.connect(tmp_path / "b.db") as other:
            assert other.execute("SELECT COUNT(*) FROM reports").fetchone() == (3,)
        history = await store.history("bus-1", T0, T0 + 1)
        assert [r.ts for r in history] == [T0, T0 + 1]
        assert history[0] == _reports("bus-1", 1)[0]
    finally:
        await store.close()


async def test_a_retried_batch_stores_nothing_twice(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "b.db")
    try:
        batch = _reports("bus-1", 5)
        assert await store.append(batch) == [True] * 5
        assert await store.append([*batch[3:], *_reports("bus-1", 2, T0 + 5)]) == [
            False, False, True, True,
        ]  # fmt: skip
        assert len(await store.history("bus-1", T0, T0 + 100)) == 7
    finally:
        await store.close()


async def test_concurrent_appends_share_commits(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "b.db")
    try:
        batches = [_reports(f"bus-{i}", 10) for i in range(200)]
        results = await asyncio.gather(*(store.append(b) for b in batches))
        assert all(r == [True] * 10 for r in results)
        # Two hundred callers, each answered after its commit, in far fewer transactions.
        assert store.commits < 100, store.commits
    finally:
        await store.close()


async def test_one_commit_per_report_without_group_commits(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "b.db", group_commit=False)
    try:
        await asyncio.gather(*(store.append(_reports(f"bus-{i}", 3)) for i in range(5)))
        assert store.commits == 15
    finally:
        await store.close()


async def test_latest_gives_each_devices_last_report(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "b.db")
    try:
        await store.append([*_reports("a", 3), *_reports("b", 5), *_reports("old", 1, T0 - 999)])
        latest = {r.device: r.ts for r in await store.latest(T0 - 10)}
        assert latest == {"a": T0 + 2, "b": T0 + 4}
    finally:
        await store.close()


async def test_prune_forgets_old_reports(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "b.db")
    try:
        await store.append(_reports("a", 10))
        assert await store.prune(T0 + 4) == 4
        assert (await store.history("a", 0, T0 + 100))[0].ts == T0 + 4
    finally:
        await store.close()


async def test_devices_tokens_are_hashed_and_revocable(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "b.db")
    try:
        token = store.add_device("bus-1", T0, route_id="R1")
        with sqlite3.connect(tmp_path / "b.db") as other:
            stored = other.execute("SELECT token_hash FROM devices").fetchone()[0]
        assert token not in stored and stored == hash_token(token)
        device = await store.device_for_token(token)
        assert device is not None and (device.device, device.route_id) == ("bus-1", "R1")
        assert await store.device_for_token(token + "x") is None
        with pytest.raises(StoreError, match="exists"):
            store.add_device("bus-1", T0)
        assert store.revoke_device("bus-1", T0 + 1)
        assert await store.device_for_token(token) is None
        assert not store.revoke_device("bus-1", T0 + 2)
        new = store.add_device("bus-1", T0 + 3)  # a revoked device may get a new token
        assert new != token and await store.device_for_token(new) is not None
    finally:
        await store.close()


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"cannot open the database .*b\.db"):
        SQLiteStore(path)
