"""What every store engine must do, on SQLite files and on a real PostgreSQL server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bustrack.sources.report import Report
from bustrack.store import SQLiteStore, StoreError
from bustrack.store.partitions import partition_for
from bustrack.store.postgres import PostgresStore
from bustrack.store.tokens import hash_token
from tests.store.engines import ENGINES, Engine

T0 = 1_800_000_000.0


def _reports(device: str, n: int, start: float = T0) -> list[Report]:
    return [Report(device, start + i, 19.0 + i * 1e-4, 72.8, speed=5.0) for i in range(n)]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    """A fresh database of each engine."""
    if request.param == "sqlite":
        return Engine("sqlite", str(tmp_path / "b.db"))
    return Engine("postgresql", request.getfixturevalue("pg_url"))


@pytest.fixture
async def store(engine: Engine) -> AsyncIterator[SQLiteStore | PostgresStore]:
    """A store on the engine's fresh database, closed afterwards."""
    opened = await engine.open()
    try:
        yield opened
    finally:
        await opened.close()


async def test_appended_reports_are_committed_and_read_back(
    engine: Engine, store: SQLiteStore | PostgresStore
) -> None:
    assert await store.append(_reports("bus-1", 3)) == [True] * 3
    # Another connection (another process would do the same) sees them at once.
    assert engine.query("SELECT COUNT(*) FROM reports") == [(3,)]
    history = await store.history("bus-1", T0, T0 + 1)
    assert [r.ts for r in history] == [T0, T0 + 1]
    assert history[0] == _reports("bus-1", 1)[0]


async def test_every_field_comes_back_as_it_went_in(store: SQLiteStore | PostgresStore) -> None:
    full = Report("bus-1", T0 + 0.123, 19.07, 72.87, 4.5, 270.0, 8.0, "T1", "R1", "FULL", 1)
    bare = Report("bus-1", T0 + 1, 19.08, 72.88)
    await store.append([full, bare])
    assert await store.history("bus-1", T0, T0 + 2) == [full, bare]


# The reports table as bustrack made it before direction_id was stored.
OLD_REPORTS = {
    "sqlite": """CREATE TABLE reports (device TEXT NOT NULL, ts_ms INTEGER NOT NULL,
        lat REAL NOT NULL, lon REAL NOT NULL, speed REAL, bearing REAL, accuracy REAL,
        trip_id TEXT NOT NULL DEFAULT '', route_id TEXT NOT NULL DEFAULT '',
        occupancy TEXT NOT NULL DEFAULT '', PRIMARY KEY (device, ts_ms)) WITHOUT ROWID""",
    "postgresql": """CREATE TABLE reports (device text NOT NULL, ts_ms bigint NOT NULL,
        lat double precision NOT NULL, lon double precision NOT NULL, speed double precision,
        bearing double precision, accuracy double precision,
        trip_id text NOT NULL DEFAULT '', route_id text NOT NULL DEFAULT '',
        occupancy text NOT NULL DEFAULT '', PRIMARY KEY (device, ts_ms))
        PARTITION BY RANGE (ts_ms)""",
}


async def test_a_database_made_before_direction_id_gets_it_and_keeps_its_reports(
    engine: Engine,
) -> None:
    old_ms = round(T0 * 1000)
    if engine.name == "sqlite":
        import sqlite3

        with sqlite3.connect(engine.db) as conn:
            conn.execute(OLD_REPORTS["sqlite"])
            conn.execute("INSERT INTO reports (device, ts_ms, lat, lon) VALUES ('a', ?, 19, 72.8)",
                         (old_ms,))  # fmt: skip
    else:
        import psycopg

        with psycopg.connect(engine.db, autocommit=True) as pg:
            pg.execute(OLD_REPORTS["postgresql"].encode())
            part = partition_for(old_ms)  # the day's, as bustrack names it
            pg.execute(
                f"CREATE TABLE {part.name} PARTITION OF reports FOR VALUES FROM"
                f" ({part.start_ms}) TO ({part.end_ms})".encode()
            )
            pg.execute(
                b"INSERT INTO reports (device, ts_ms, lat, lon) VALUES ('a', %s, 19, 72.8)",
                (old_ms,),
            )
    store = await engine.open()
    try:
        new = Report("a", T0 + 1, 19.01, 72.8, route_id="R1", direction_id=0)
        assert await store.append([new]) == [True]
        assert await store.history("a", T0, T0 + 1) == [Report("a", T0, 19.0, 72.8), new]
        assert [r.direction_id for r in await store.latest(T0 - 10)] == [0]
    finally:
        await store.close()


async def test_a_retried_batch_stores_nothing_twice(store: SQLiteStore | PostgresStore) -> None:
    batch = _reports("bus-1", 5)
    assert await store.append(batch) == [True] * 5
    assert await store.append([*batch[3:], *_reports("bus-1", 2, T0 + 5)]) == [
        False, False, True, True,
    ]  # fmt: skip
    assert len(await store.history("bus-1", T0, T0 + 100)) == 7


async def test_the_same_report_twice_in_one_batch_is_stored_once(
    store: SQLiteStore | PostgresStore,
) -> None:
    one = _reports("bus-1", 1)[0]
    assert await store.append([one, one]) == [True, False]
    # Two callers in one group commit sending the same report: one of them stored it.
    results = await asyncio.gather(*(store.append([one, _reports("bus-2", 1)[0]]) for _ in "ab"))
    assert sorted(results) == [[False, False], [False, True]]


async def test_concurrent_appends_share_commits(store: SQLiteStore | PostgresStore) -> None:
    batches = [_reports(f"bus-{i}", 10) for i in range(200)]
    results = await asyncio.gather(*(store.append(b) for b in batches))
    assert all(r == [True] * 10 for r in results)
    # Two hundred callers, each answered after its commit, in far fewer transactions.
    assert store.commits < 100, store.commits


async def test_one_commit_per_report_without_group_commits(engine: Engine) -> None:
    store = await engine.open(group_commit=False)
    try:
        await asyncio.gather(*(store.append(_reports(f"bus-{i}", 3)) for i in range(5)))
        assert store.commits == 15
    finally:
        await store.close()


async def test_latest_gives_each_devices_last_report(store: SQLiteStore | PostgresStore) -> None:
    await store.append([*_reports("a", 3), *_reports("b", 5), *_reports("old", 1, T0 - 999)])
    latest = {r.device: r.ts for r in await store.latest(T0 - 10)}
    assert latest == {"a": T0 + 2, "b": T0 + 4}


async def test_positions_at_gives_each_devices_last_report_in_the_window_and_box(
    store: SQLiteStore | PostgresStore,
) -> None:
    await store.append(
        [
            Report("a", T0, 19.0, 72.8),
            Report("a", T0 + 5, 19.1, 72.9),
            Report("a", T0 + 50, 19.2, 73.0),  # after the moment
            Report("b", T0 - 100, 19.0, 72.8),  # before the window
            Report("c", T0 + 1, 19.5, 72.8),  # north of the box
            Report("c", T0 + 2, 19.05, 72.85),
        ]
    )
    at = await store.positions_at(T0 + 10, 60, None)
    assert {r.device: (r.ts, r.lat) for r in at} == {"a": (T0 + 5, 19.1), "c": (T0 + 2, 19.05)}
    boxed = await store.positions_at(T0 + 10, 60, (72.7, 18.9, 72.95, 19.2))
    assert {r.device: r.ts for r in boxed} == {"a": T0 + 5, "c": T0 + 2}
    south = await store.positions_at(T0 + 10, 60, (72.7, 18.9, 72.95, 19.06))
    assert {r.device: r.ts for r in south} == {"a": T0, "c": T0 + 2}


async def test_prune_forgets_old_reports(store: SQLiteStore | PostgresStore) -> None:
    await store.append(_reports("a", 10))
    assert await store.prune(T0 + 4) == 4
    assert (await store.history("a", 0, T0 + 100))[0].ts == T0 + 4
    assert await store.prune(T0 + 4) == 0


async def test_devices_tokens_are_hashed_and_revocable(
    engine: Engine, store: SQLiteStore | PostgresStore
) -> None:
    token = store.add_device("bus-1", T0, route_id="R1", label="MH01")
    [(stored,)] = engine.query("SELECT token_hash FROM devices")
    assert token not in stored and stored == hash_token(token)
    device = await store.device_for_token(token)
    assert device is not None
    assert (device.device, device.route_id, device.label, device.created) == (
        "bus-1", "R1", "MH01", T0,
    )  # fmt: skip
    assert store.find_device(token) == device
    assert await store.device_for_token(token + "x") is None
    with pytest.raises(StoreError, match="exists"):
        store.add_device("bus-1", T0)
    assert store.revoke_device("bus-1", T0 + 1)
    assert await store.device_for_token(token) is None
    assert [d.revoked for d in store.list_devices()] == [T0 + 1]
    assert not store.revoke_device("bus-1", T0 + 2)
    new = store.add_device("bus-1", T0 + 3)  # a revoked device may get a new token
    assert new != token and await store.device_for_token(new) is not None
    assert [(d.device, d.revoked) for d in store.list_devices()] == [("bus-1", None)]


async def test_a_closed_store_refuses_appends(engine: Engine) -> None:
    store = await engine.open()
    await store.append(_reports("a", 1))
    await store.close()
    with pytest.raises(StoreError, match="closed"):
        await store.append(_reports("a", 1, T0 + 1))
    reopened = await engine.open()
    try:
        assert len(await reopened.history("a", T0, T0 + 10)) == 1
    finally:
        await reopened.close()
