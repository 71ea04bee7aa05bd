"""The embedded store: SQLite in WAL mode, with group commits.

Every :meth:`SQLiteStore.append` hands its reports to one writer thread, which takes
everything handed in meanwhile and commits it in one transaction (``synchronous=FULL``:
the commit is on disk when it returns, whatever happens to the process after), then
answers each caller. Durability costs one fsync per group, not per report: under load
the groups grow, and so does the throughput, while each caller still waits for its own
commit. Reads use their own connection (WAL lets them run beside the writer).

Devices and their tokens live in the same file. A token is shown once, when the device
is added; only its SHA-256 is stored (tokens are 32 random bytes, so no salt or slow hash
is needed: nobody can guess one to match a hash).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bustrack.sources.report import Report
from bustrack.store.base import Device, StoreError
from bustrack.store.tokens import hash_token, new_token

__all__ = ["SQLiteStore", "hash_token", "new_token", "open_store"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    device TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    speed REAL,
    bearing REAL,
    accuracy REAL,
    trip_id TEXT NOT NULL DEFAULT '',
    route_id TEXT NOT NULL DEFAULT '',
    occupancy TEXT NOT NULL DEFAULT '',
    direction_id INTEGER,
    PRIMARY KEY (device, ts_ms)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reports_by_time ON reports (ts_ms);
CREATE TABLE IF NOT EXISTS devices (
    device TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    route_id TEXT NOT NULL DEFAULT '',
    trip_id TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    revoked REAL
);
"""
COLUMNS = (
    "device, ts_ms, lat, lon, speed, bearing, accuracy, trip_id, route_id, occupancy, direction_id"
)
INSERT = f"INSERT OR IGNORE INTO reports ({COLUMNS}) VALUES ({', '.join(['?'] * 11)})"
# Columns added since the first release, with their type: a database made before them
# gets them as it is opened (the rows it holds read NULL there).
ADDED_COLUMNS = (("direction_id", "INTEGER"),)
MAX_GROUP = 2000  # batches in one transaction at most


def _row(r: Report) -> tuple[object, ...]:
    return (
        r.device,
        r.ts_ms,
        r.lat,
        r.lon,
        r.speed,
        r.bearing,
        r.accuracy,
        r.trip_id,
        r.route_id,
        r.occupancy,
        r.direction_id,
    )


def _report(row: sqlite3.Row | tuple[object, ...]) -> Report:
    device, ts_ms, lat, lon, speed, bearing, accuracy, trip_id, route_id, occupancy, direction = row
    return Report(
        device=str(device),
        ts=int(ts_ms) / 1000,  # type: ignore[arg-type]
        lat=float(lat),  # type: ignore[arg-type]
        lon=float(lon),  # type: ignore[arg-type]
        speed=None if speed is None else float(speed),  # type: ignore[arg-type]
        bearing=None if bearing is None else float(bearing),  # type: ignore[arg-type]
        accuracy=None if accuracy is None else float(accuracy),  # type: ignore[arg-type]
        trip_id=str(trip_id),
        route_id=str(route_id),
        occupancy=str(occupancy),
        direction_id=None if direction is None else int(direction),  # type: ignore[arg-type]
    )


def _add_columns(conn: sqlite3.Connection) -> None:
    """Give a database made by an older bustrack the columns added since (ADDED_COLUMNS)."""
    have = {row[1] for row in conn.execute("PRAGMA table_info(reports)")}
    for name, kind in ADDED_COLUMNS:
        if name not in have:
            conn.execute(f"ALTER TABLE reports ADD COLUMN {name} {kind}")


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


@dataclass(eq=False)
class _Job:
    reports: Sequence[Report]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[list[bool]]

    def settle(self, result: list[bool] | BaseException) -> None:
        self.loop.call_soon_threadsafe(_settle, self.future, result)


def _settle(future: asyncio.Future[list[bool]], result: list[bool] | BaseException) -> None:
    if future.done():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)


@dataclass(eq=False)
class _Writer:
    """The one thread that writes: takes every job waiting, commits them together."""

    conn: sqlite3.Connection
    group: bool
    jobs: queue.SimpleQueue[_Job | None] = field(default_factory=queue.SimpleQueue)
    commits: int = 0

    def run(self) -> None:
        stopping = False
        while not stopping:
            first = self.jobs.get()
            if first is None:
                break
            batch = [first]
            while self.group and len(batch) < MAX_GROUP:
                try:
                    job = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            if self.group:
                self._commit(batch)
            else:  # one commit per report: the benchmark's baseline
                for job in batch:
                    results: list[bool] = []
                    try:
                        for report in job.reports:
                            results.extend(self._transaction([[report]])[0])
                    except sqlite3.Error as err:
                        job.settle(StoreError(f"could not store reports: {err}"))
                        continue
                    job.settle(results)

    def _commit(self, batch: list[_Job]) -> None:
        try:
            results = self._transaction([job.reports for job in batch])
        except sqlite3.Error as err:
            for job in batch:
                job.settle(StoreError(f"could not store reports: {err}"))
            return
        for job, result in zip(batch, results, strict=True):
            job.settle(result)

    def _transaction(self, groups: Sequence[Sequence[Report]]) -> list[list[bool]]:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            out = [[conn.execute(INSERT, _row(r)).rowcount == 1 for r in rs] for rs in groups]
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        self.commits += 1
        return out


class SQLiteStore:
    """Reports and devices in one SQLite file (see the module docstring)."""

    def __init__(self, path: Path, *, group_commit: bool = True) -> None:
        """Open (or create) the store at ``path``.

        Args:
            path: the database file; its folder is created if missing.
            group_commit: commit everything waiting at once (True); False commits each
                report on its own (the benchmark's baseline).

        Raises:
            StoreError: the file cannot be opened as a bustrack store.
        """
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._read = _connect(path)
            self._read.executescript(SCHEMA)
            _add_columns(self._read)
            writer_conn = _connect(path)
        except (OSError, sqlite3.Error) as err:
            raise StoreError(f"cannot open the database {path}: {err}") from None
        self._read_lock = threading.Lock()
        self._writer = _Writer(writer_conn, group_commit)
        self._thread = threading.Thread(target=self._writer.run, name="bustrack-store", daemon=True)
        self._thread.start()
        self._closed = False

    @property
    def commits(self) -> int:
        """Transactions committed so far (each holds one or more batches)."""
        return self._writer.commits

    async def append(self, reports: Sequence[Report]) -> list[bool]:
        """Commit ``reports``; True for each stored, False for each the store had already."""
        if not reports:
            return []
        if self._closed:
            raise StoreError("the store is closed")
        loop = asyncio.get_running_loop()
        job = _Job(list(reports), loop, loop.create_future())
        self._writer.jobs.put(job)
        return await job.future

    def _query(self, sql: str, params: Sequence[object]) -> list[tuple[object, ...]]:
        with self._read_lock:
            return list(self._read.execute(sql, params))

    async def history(self, device: str, start: float, end: float) -> list[Report]:
        """The device's reports from ``start`` to ``end`` (Unix s), oldest first."""
        rows = await asyncio.to_thread(
            self._query,
            f"SELECT {COLUMNS} FROM reports WHERE device = ? AND ts_ms BETWEEN ? AND ?"
            " ORDER BY ts_ms",
            (device, round(start * 1000), round(end * 1000)),
        )
        return [_report(r) for r in rows]

    async def latest(self, since: float) -> list[Report]:
        """Each device's last report at or after ``since``."""
        rows = await asyncio.to_thread(
            self._query,
            f"SELECT {COLUMNS} FROM reports AS r WHERE ts_ms = (SELECT MAX(ts_ms) FROM reports"
            " WHERE device = r.device) AND ts_ms >= ?",
            (round(since * 1000),),
        )
        return [_report(r) for r in rows]

    async def positions_at(
        self, at: float, window: float, bbox: tuple[float, float, float, float] | None
    ) -> list[Report]:
        """Each device's last report from ``at - window`` to ``at``, inside ``bbox``."""
        columns = COLUMNS.replace("ts_ms", "MAX(ts_ms)")
        sql = f"SELECT {columns} FROM reports WHERE ts_ms BETWEEN ? AND ?"
        params: list[object] = [round((at - window) * 1000), round(at * 1000)]
        if bbox is not None:
            sql += " AND lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?"
            params += [bbox[0], bbox[2], bbox[1], bbox[3]]
        # SQLite gives the other columns of the row where MAX() found its value.
        rows = await asyncio.to_thread(self._query, sql + " GROUP BY device", params)
        return [_report(r) for r in rows]

    async def prune(self, before: float) -> int:
        """Forget reports older than ``before``; return how many."""

        def delete() -> int:
            with self._read_lock:
                cur = self._read.execute("DELETE FROM reports WHERE ts_ms < ?", (before * 1000,))
                return cur.rowcount

        return await asyncio.to_thread(delete)

    async def device_for_token(self, token: str) -> Device | None:
        """The unrevoked device of ``token``, or None."""
        return await asyncio.to_thread(self.find_device, token)

    def find_device(self, token: str) -> Device | None:
        """:meth:`device_for_token`, blocking."""
        rows = self._query(
            "SELECT device, route_id, trip_id, label, created, revoked FROM devices"
            " WHERE token_hash = ? AND revoked IS NULL",
            (hash_token(token),),
        )
        return _device(rows[0]) if rows else None

    # Devices, for the CLI (blocking).

    def add_device(
        self, device: str, now: float, *, route_id: str = "", trip_id: str = "", label: str = ""
    ) -> str:
        """Add ``device`` (or give a revoked one a new token); return its new token.

        Raises:
            StoreError: the device exists and is not revoked.
        """
        token = new_token()
        with self._read_lock:
            existing = list(
                self._read.execute("SELECT revoked FROM devices WHERE device = ?", (device,))
            )
            if existing and existing[0][0] is None:
                raise StoreError(f"device {device!r} exists; revoke it first for a new token")
            self._read.execute(
                "INSERT OR REPLACE INTO devices (device, token_hash, route_id, trip_id, label,"
                " created, revoked) VALUES (?, ?, ?, ?, ?, ?, NULL)",
                (device, hash_token(token), route_id, trip_id, label, now),
            )
        return token

    def list_devices(self) -> list[Device]:
        """Every device, revoked ones too, by id."""
        rows = self._query(
            "SELECT device, route_id, trip_id, label, created, revoked FROM devices"
            " ORDER BY device",
            (),
        )
        return [_device(r) for r in rows]

    def revoke_device(self, device: str, now: float) -> bool:
        """Revoke ``device``'s token; False if there is no such device."""
        with self._read_lock:
            cur = self._read.execute(
                "UPDATE devices SET revoked = ? WHERE device = ? AND revoked IS NULL",
                (now, device),
            )
            return cur.rowcount == 1

    async def close(self) -> None:
        """Commit what was handed in, stop the writer and close the files."""
        await asyncio.to_thread(self.close_now)

    def close_now(self) -> None:
        """:meth:`close`, blocking (for the CLI)."""
        if self._closed:
            return
        self._closed = True
        self._writer.jobs.put(None)
        self._thread.join()
        self._writer.conn.close()
        with self._read_lock:
            self._read.close()


def _device(row: Sequence[object]) -> Device:
    device, route_id, trip_id, label, created, revoked = row
    return Device(
        device=str(device),
        route_id=str(route_id),
        trip_id=str(trip_id),
        label=str(label),
        created=float(created),  # type: ignore[arg-type]
        revoked=None if revoked is None else float(revoked),  # type: ignore[arg-type]
    )


def open_store(path: Path) -> SQLiteStore:
    """Open the store at ``path`` (see :class:`SQLiteStore`)."""
    return SQLiteStore(path)
