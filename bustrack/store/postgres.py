"""The PostgreSQL store: reports partitioned by day, group commits, for history at scale.

Same contract as the SQLite store (:mod:`bustrack.store.sqlite`): every
:meth:`PostgresStore.append` hands its reports to one writer task with its own connection,
which takes everything handed in meanwhile and inserts it in one transaction, then answers
each caller after the COMMIT (``synchronous_commit=on``: the commit is in the server's WAL
on disk, whatever happens to bustrack after). ``ON CONFLICT DO NOTHING`` on
(device, ts_ms) makes a retried batch store nothing twice; ``RETURNING`` tells which rows
went in. Reads use a small pool of other connections.

``reports`` is range-partitioned on ``ts_ms``, one partition per UTC day
(:mod:`bustrack.store.partitions`), created by the writer before the first report of that
day goes in; a prune drops whole days and deletes rows only in the day it cuts. Devices
and their tokens (SHA-256 only, :mod:`bustrack.store.tokens`) live in ``devices``; the
devices CLI uses them through a plain blocking connection.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from bustrack.sources.report import Report
from bustrack.store.base import Device, StoreError
from bustrack.store.partitions import Partition, to_drop
from bustrack.store.pgconn import CONNECT_TIMEOUT, connect_error, conninfo, safe_url
from bustrack.store.pgwriter import LOCK, PgWriter
from bustrack.store.sqlite import COLUMNS
from bustrack.store.tokens import hash_token, new_token

__all__ = ["PostgresStore"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    device text NOT NULL,
    ts_ms bigint NOT NULL,
    lat double precision NOT NULL,
    lon double precision NOT NULL,
    speed double precision,
    bearing double precision,
    accuracy double precision,
    trip_id text NOT NULL DEFAULT '',
    route_id text NOT NULL DEFAULT '',
    occupancy text NOT NULL DEFAULT '',
    direction_id smallint,
    PRIMARY KEY (device, ts_ms)
) PARTITION BY RANGE (ts_ms);
-- Columns added since the first release (a table made before them gets them; its partitions too).
ALTER TABLE reports ADD COLUMN IF NOT EXISTS direction_id smallint;
CREATE INDEX IF NOT EXISTS reports_by_time ON reports (ts_ms);
CREATE TABLE IF NOT EXISTS devices (
    device text PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    route_id text NOT NULL DEFAULT '',
    trip_id text NOT NULL DEFAULT '',
    label text NOT NULL DEFAULT '',
    created double precision NOT NULL,
    revoked double precision
);
"""
DEVICE_COLUMNS = "device, route_id, trip_id, label, created, revoked"
PARTITIONS = (
    "SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid"
    " WHERE i.inhparent = 'reports'::regclass"
)
READERS = 4  # connections in the read pool at most


def _report(row: Sequence[Any]) -> Report:
    device, ts_ms, lat, lon, speed, bearing, accuracy, trip_id, route_id, occupancy, direction = row
    return Report(
        device,
        ts_ms / 1000,
        lat,
        lon,
        speed,
        bearing,
        accuracy,
        trip_id,
        route_id,
        occupancy,
        direction,
    )


async def _drop(conn: psycopg.AsyncConnection[Any], part: Partition) -> int:
    """Drop the day ``part``; return how many reports it held."""
    table = sql.Identifier(part.name)
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
        await conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(table))
        cur = await conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table))
        row = await cur.fetchone()
        await conn.execute(sql.SQL("DROP TABLE {}").format(table))
    return int(row[0]) if row else 0


def _device(row: Sequence[Any]) -> Device:
    device, route_id, trip_id, label, created, revoked = row
    return Device(device, route_id, trip_id, label, created, revoked)


class PostgresStore:
    """Reports and devices in a PostgreSQL database (see the module docstring).

    The constructor connects (blocking) and creates the tables: enough for the devices
    CLI. A server then calls :meth:`start` for the writer and the read pool.
    """

    def __init__(self, url: str, *, group_commit: bool = True) -> None:
        """Connect to ``url`` and create the tables if missing.

        Args:
            url: ``postgresql://user:password@host:port/dbname`` (or ``postgres://``).
            group_commit: commit everything waiting at once (True); False commits each
                report on its own (the benchmark's baseline).

        Raises:
            StoreError: the server cannot be reached, refuses the credentials, has no such
                database, or the database holds tables that are not a bustrack store's.
        """
        self.where = safe_url(url)
        self._conninfo = conninfo(url)
        self._group = group_commit
        try:
            self._sync = psycopg.connect(self._conninfo, autocommit=True)
        except psycopg.OperationalError as err:
            raise connect_error(url, err) from None
        self._sync_lock = threading.Lock()
        try:
            with self._sync.transaction():
                self._sync.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
                self._sync.execute(SCHEMA)
                kind = self._sync.execute(
                    "SELECT relkind FROM pg_class WHERE oid = 'reports'::regclass"
                ).fetchone()
        except psycopg.Error as err:
            self._sync.close()
            raise StoreError(f"cannot set up the tables in {self.where}: {err}") from None
        if kind != ("p",):
            self._sync.close()
            raise StoreError(
                f"{self.where} has a table 'reports' that is not partitioned: "
                "not a bustrack store (use another database)"
            )
        self._url = url
        self._writer: PgWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._pool: AsyncConnectionPool[Any] | None = None
        self._closed = False

    async def start(self) -> None:
        """Connect the writer and the read pool, start the writer task.

        Raises:
            StoreError: the server cannot be reached (see the constructor).
        """
        try:
            conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
            await conn.execute("SET synchronous_commit TO on")  # whatever the server's default
        except psycopg.OperationalError as err:
            raise connect_error(self._url, err) from None
        self._writer = PgWriter(self._conninfo, conn, self._group)
        self._task = asyncio.create_task(self._writer.run(), name="bustrack-store")
        self._pool = AsyncConnectionPool(
            self._conninfo,
            min_size=1,
            max_size=READERS,
            kwargs={"autocommit": True},
            open=False,
            check=AsyncConnectionPool.check_connection,
            name="bustrack-read",
        )
        try:
            await self._pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        except PoolTimeout:
            await self.close()
            raise StoreError(f"cannot reach the PostgreSQL server at {self.where}") from None

    @property
    def commits(self) -> int:
        """Transactions of reports committed so far (each holds one or more batches)."""
        return 0 if self._writer is None else self._writer.commits

    async def append(self, reports: Sequence[Report]) -> list[bool]:
        """Commit ``reports``; True for each stored, False for each the store had already."""
        if not reports:
            return []
        if self._closed or self._writer is None:
            raise StoreError("the store is closed" if self._closed else "the store is not started")
        return await self._writer.submit(reports)

    async def _query(self, query: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        if self._pool is None:
            raise StoreError("the store is not started")
        try:
            async with self._pool.connection() as conn:
                cur = await conn.execute(query.encode(), params)
                rows: list[tuple[Any, ...]] = await cur.fetchall()
                return rows
        except (psycopg.Error, PoolTimeout) as err:
            raise StoreError(f"could not read from {self.where}: {err}") from None

    async def history(self, device: str, start: float, end: float) -> list[Report]:
        """The device's reports from ``start`` to ``end`` (Unix s), oldest first."""
        rows = await self._query(
            f"SELECT {COLUMNS} FROM reports WHERE device = %s AND ts_ms BETWEEN %s AND %s"
            " ORDER BY ts_ms",
            (device, round(start * 1000), round(end * 1000)),
        )
        return [_report(r) for r in rows]

    async def latest(self, since: float) -> list[Report]:
        """Each device's last report at or after ``since``."""
        rows = await self._query(
            f"SELECT DISTINCT ON (device) {COLUMNS} FROM reports WHERE ts_ms >= %s"
            " ORDER BY device, ts_ms DESC",
            (round(since * 1000),),
        )
        return [_report(r) for r in rows]

    async def positions_at(
        self, at: float, window: float, bbox: tuple[float, float, float, float] | None
    ) -> list[Report]:
        """Each device's last report from ``at - window`` to ``at``, inside ``bbox``."""
        query = f"SELECT DISTINCT ON (device) {COLUMNS} FROM reports WHERE ts_ms BETWEEN %s AND %s"
        params: list[object] = [round((at - window) * 1000), round(at * 1000)]
        if bbox is not None:
            query += " AND lon BETWEEN %s AND %s AND lat BETWEEN %s AND %s"
            params += [bbox[0], bbox[2], bbox[1], bbox[3]]
        rows = await self._query(query + " ORDER BY device, ts_ms DESC", params)
        return [_report(r) for r in rows]

    async def prune(self, before: float) -> int:
        """Forget reports older than ``before``; return how many. Days that end before it
        are dropped whole; only the day it falls in is deleted from."""
        if self._pool is None:
            raise StoreError("the store is not started")
        before_ms = math.ceil(before * 1000)
        gone = 0
        try:
            async with self._pool.connection() as conn:
                names = [row[0] for row in await (await conn.execute(PARTITIONS)).fetchall()]
                for part in to_drop(names, before_ms):
                    gone += await _drop(conn, part)
                    if self._writer is not None:
                        self._writer.partitions.discard(part)
                cur = await conn.execute("DELETE FROM reports WHERE ts_ms < %s", (before_ms,))
                return gone + int(cur.rowcount)
        except (psycopg.Error, PoolTimeout) as err:
            raise StoreError(f"could not prune {self.where}: {err}") from None

    async def device_for_token(self, token: str) -> Device | None:
        """The unrevoked device of ``token``, or None."""
        rows = await self._query(
            f"SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = %s AND revoked IS NULL",
            (hash_token(token),),
        )
        return _device(rows[0]) if rows else None

    # Blocking, for the devices CLI and tests.

    def _run(self, query: str, params: Sequence[object]) -> psycopg.Cursor[Any]:
        try:
            with self._sync_lock:
                return self._sync.execute(query.encode(), params)
        except psycopg.Error as err:
            raise StoreError(f"could not use {self.where}: {err}") from None

    def find_device(self, token: str) -> Device | None:
        """:meth:`device_for_token`, blocking."""
        row = self._run(
            f"SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = %s AND revoked IS NULL",
            (hash_token(token),),
        ).fetchone()
        return None if row is None else _device(row)

    def add_device(
        self, device: str, now: float, *, route_id: str = "", trip_id: str = "", label: str = ""
    ) -> str:
        """Add ``device`` (or give a revoked one a new token); return its new token.

        Raises:
            StoreError: the device exists and is not revoked.
        """
        token = new_token()
        row = self._run(
            f"INSERT INTO devices (token_hash, {DEVICE_COLUMNS})"
            " VALUES (%s, %s, %s, %s, %s, %s, NULL)"
            " ON CONFLICT (device) DO UPDATE SET token_hash = EXCLUDED.token_hash,"
            " route_id = EXCLUDED.route_id, trip_id = EXCLUDED.trip_id, label = EXCLUDED.label,"
            " created = EXCLUDED.created, revoked = NULL WHERE devices.revoked IS NOT NULL"
            " RETURNING device",
            (hash_token(token), device, route_id, trip_id, label, now),
        ).fetchone()
        if row is None:
            raise StoreError(f"device {device!r} exists; revoke it first for a new token")
        return token

    def list_devices(self) -> list[Device]:
        """Every device, revoked ones too, by id."""
        rows = self._run(f"SELECT {DEVICE_COLUMNS} FROM devices ORDER BY device", ()).fetchall()
        return [_device(r) for r in rows]

    def revoke_device(self, device: str, now: float) -> bool:
        """Revoke ``device``'s token; False if there is no such device."""
        cur = self._run(
            "UPDATE devices SET revoked = %s WHERE device = %s AND revoked IS NULL", (now, device)
        )
        return cur.rowcount == 1

    async def close(self) -> None:
        """Commit what was handed in, stop the writer and close the connections."""
        if self._closed:
            return
        self._closed = True
        if self._writer is not None and self._task is not None:
            await self._writer.stop()
            await self._task
        if self._pool is not None:
            await self._pool.close()
        await asyncio.to_thread(self._close_sync)

    def close_now(self) -> None:
        """Close a store that was never started (the CLI's); a started one needs
        :meth:`close`."""
        if self._task is not None and not self._closed:
            raise StoreError("a started store is closed with close()")
        self._closed = True
        self._close_sync()

    def _close_sync(self) -> None:
        with self._sync_lock:
            self._sync.close()
