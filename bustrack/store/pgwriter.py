"""The PostgreSQL store's one writer: group commits of reports into day partitions.

A task with its own connection takes every batch handed in while the last transaction
ran, inserts them all with one ``INSERT ... SELECT FROM unnest(...) ON CONFLICT DO
NOTHING RETURNING device, ts_ms``, commits, and only then answers each caller. Before
that it creates the day partitions the reports need (once per day and process; an
advisory lock keeps concurrent servers and prunes from racing). A broken connection fails
the batches in flight with :class:`~bustrack.store.base.StoreError` and is made anew for
the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from bustrack.sources.report import Report
from bustrack.store.base import StoreError
from bustrack.store.partitions import Partition, partitions_for
from bustrack.store.sqlite import COLUMNS

__all__ = ["LOCK", "MAX_GROUP", "PgWriter", "ensure_partitions", "stored_flags"]

MAX_GROUP = 2000  # batches in one transaction at most
LOCK = 0x627573747261636B  # pg_advisory_xact_lock key of schema and partition changes
INSERT = (
    f"INSERT INTO reports ({COLUMNS}) SELECT * FROM unnest(%s::text[], %s::bigint[],"
    " %s::float8[], %s::float8[], %s::float8[], %s::float8[], %s::float8[], %s::text[],"
    " %s::text[], %s::text[], %s::smallint[])"
    " ON CONFLICT (device, ts_ms) DO NOTHING RETURNING device, ts_ms"
).encode()


def _columns(reports: Sequence[Report]) -> list[list[Any]]:
    return [
        [r.device for r in reports],
        [r.ts_ms for r in reports],
        [r.lat for r in reports],
        [r.lon for r in reports],
        [r.speed for r in reports],
        [r.bearing for r in reports],
        [r.accuracy for r in reports],
        [r.trip_id for r in reports],
        [r.route_id for r in reports],
        [r.occupancy for r in reports],
        [r.direction_id for r in reports],
    ]


def stored_flags(reports: Sequence[Report], inserted: Sequence[tuple[str, int]]) -> list[bool]:
    """For each report, whether it is one of the rows ``inserted`` (the first of equal
    keys in a batch is the one stored)."""
    left = Counter(inserted)
    flags = []
    for r in reports:
        key = (r.device, r.ts_ms)
        flags.append(left[key] > 0)
        left[key] -= 1
    return flags


async def ensure_partitions(
    conn: psycopg.AsyncConnection[Any], needed: set[Partition], known: set[Partition]
) -> None:
    """Create the day partitions in ``needed`` that are not in ``known``; add them to it."""
    missing = sorted(needed - known, key=lambda p: p.start_ms)
    if not missing:
        return
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
        for part in missing:
            await conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} PARTITION OF reports"
                    " FOR VALUES FROM ({}) TO ({})"
                ).format(sql.Identifier(part.name), part.start_ms, part.end_ms)
            )
    known.update(missing)


@dataclass(eq=False)
class _Job:
    reports: Sequence[Report]
    future: asyncio.Future[list[bool]]

    def settle(self, result: list[bool] | BaseException) -> None:
        if self.future.done():  # the caller gave up waiting
            return
        if isinstance(result, BaseException):
            self.future.set_exception(result)
        else:
            self.future.set_result(result)


@dataclass(eq=False)
class PgWriter:
    """The one task that writes (see the module docstring)."""

    conninfo: str
    conn: psycopg.AsyncConnection[Any] | None
    group: bool
    jobs: asyncio.Queue[_Job | None] = field(default_factory=asyncio.Queue)
    partitions: set[Partition] = field(default_factory=set)  # known to exist
    commits: int = 0

    async def submit(self, reports: Sequence[Report]) -> list[bool]:
        """Hand ``reports`` in; return once they are committed (see ``append``)."""
        job = _Job(list(reports), asyncio.get_running_loop().create_future())
        self.jobs.put_nowait(job)
        return await job.future

    async def stop(self) -> None:
        """Let the writer finish what was handed in, then end."""
        self.jobs.put_nowait(None)

    async def run(self) -> None:
        """Take jobs until :meth:`stop`; close the connection at the end."""
        stopping = False
        try:
            while not stopping:
                first = await self.jobs.get()
                if first is None:
                    break
                batch = [first]
                while self.group and len(batch) < MAX_GROUP and not self.jobs.empty():
                    job = self.jobs.get_nowait()
                    if job is None:
                        stopping = True
                        break
                    batch.append(job)
                if self.group:
                    await self._commit(batch)
                else:  # one commit per report: the benchmark's baseline
                    for job in batch:
                        await self._commit_each(job)
        finally:
            if self.conn is not None:
                await self.conn.close()

    async def _commit(self, batch: list[_Job]) -> None:
        try:
            results = await self._transaction([job.reports for job in batch])
        except Exception as err:  # whatever it is, the callers hear of it; the task goes on
            error = StoreError(f"could not store reports: {err}")
            for job in batch:
                job.settle(error)
            return
        for job, result in zip(batch, results, strict=True):
            job.settle(result)

    async def _commit_each(self, job: _Job) -> None:
        results: list[bool] = []
        try:
            for report in job.reports:
                results.extend((await self._transaction([[report]]))[0])
        except Exception as err:
            job.settle(StoreError(f"could not store reports: {err}"))
            return
        job.settle(results)

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        if self.conn is None or self.conn.closed:
            self.conn = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
            await self.conn.execute("SET synchronous_commit TO on")
        return self.conn

    async def _transaction(self, groups: Sequence[Sequence[Report]]) -> list[list[bool]]:
        reports = [r for rs in groups for r in rs]
        try:
            try:
                inserted = await self._insert(reports)
            except psycopg.errors.CheckViolation:  # a day another server's prune dropped
                self.partitions.clear()
                inserted = await self._insert(reports)
        except psycopg.OperationalError:
            if self.conn is not None:  # broken: the next batch connects anew
                with contextlib.suppress(psycopg.Error):
                    await self.conn.close()
                self.conn = None
            raise
        self.commits += 1
        out, start = [], 0
        for rs in groups:
            out.append(inserted[start : start + len(rs)])
            start += len(rs)
        return out

    async def _insert(self, reports: Sequence[Report]) -> list[bool]:
        """Insert and commit ``reports``; return for each whether it was stored."""
        conn = await self._connection()
        await ensure_partitions(conn, partitions_for(r.ts_ms for r in reports), self.partitions)
        async with conn.transaction():
            cur = await conn.execute(INSERT, _columns(reports))
            rows = await cur.fetchall()
        return stored_flags(reports, [(str(d), int(t)) for d, t in rows])
