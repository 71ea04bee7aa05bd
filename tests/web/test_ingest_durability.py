"""Acknowledged means durable: ``kill -9`` of the server during sustained ingest loses no
report it acknowledged. Real processes: the devices CLI, the server, SIGKILL; on a SQLite
file and on a real PostgreSQL server (tests/services.py)."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import orjson
import psycopg
import pytest

from tests.conftest import timeout
from tests.web.process import ROOT, ServerProcess

DEVICES = 8
BATCH = 50


def devices_cli(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bustrack.devices --db DB ARGS``."""
    return subprocess.run(
        [sys.executable, "-m", "bustrack.devices", "--db", str(db), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout(60),
        check=False,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """``--db`` of each engine: a new SQLite file, a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "b.db")
    url: str = request.getfixturevalue("pg_url")
    return url


def _rows(db: str, query: str) -> set[tuple[object, ...]]:
    """What another connection reads from ``db`` (for SQLite, recovering its WAL as any
    next start would)."""
    if db.startswith("postgresql://"):
        with psycopg.connect(db) as pg:
            return set(pg.execute(query.encode()).fetchall())
    with sqlite3.connect(db) as conn:
        return set(conn.execute(query))


def test_the_devices_cli_adds_lists_and_revokes(db: str) -> None:
    added = devices_cli(db, "add", "bus-1", "--route", "BEST_10AS", "--label", "MH01")
    assert added.returncode == 0, added.stderr
    token = added.stdout.splitlines()[-1]
    assert len(token) >= 40
    listed = devices_cli(db, "list").stdout
    assert "bus-1" in listed and "BEST_10AS" in listed and token not in listed
    again = devices_cli(db, "add", "bus-1")
    assert again.returncode == 2 and "exists" in again.stderr
    assert devices_cli(db, "revoke", "bus-1").returncode == 0
    missing = devices_cli(db, "revoke", "bus-2")
    assert missing.returncode == 2 and missing.stderr.strip() == (
        "bustrack.devices: error: no device 'bus-2' to revoke"
    )
    assert _rows(db, "SELECT COUNT(*) FROM devices WHERE revoked IS NULL") == {(0,)}


async def _writer(
    url: str, device: str, token: str, acked: set[tuple[str, int]], stop: asyncio.Event
) -> int:
    """Send batches until the server dies; keep what it acknowledged."""
    base = time.time() - 3600
    seq = 0
    sent = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout(20))) as http:
        while not stop.is_set():
            batch = [
                {"lat": 18.93, "lon": 72.83, "ts": base + (seq + i) / 100} for i in range(BATCH)
            ]
            seq += BATCH
            try:
                async with http.post(url, data=orjson.dumps(batch), headers=headers) as resp:
                    if resp.status != 200:
                        continue
                    answer = await resp.json()
            except (aiohttp.ClientError, ConnectionError, TimeoutError):
                return sent  # the server is gone
            sent += 1
            for item, result in zip(batch, answer["results"], strict=True):
                if result["ok"]:
                    acked.add((device, round(item["ts"] * 1000)))
    return sent


async def test_kill_9_during_sustained_ingest_loses_no_acknowledged_report(
    tmp_path: Path, db: str
) -> None:
    tokens = {}
    for i in range(DEVICES):
        out = devices_cli(db, "add", f"bus-{i}")
        assert out.returncode == 0, out.stderr
        tokens[f"bus-{i}"] = out.stdout.splitlines()[-1]
    acked: set[tuple[str, int]] = set()
    stop = asyncio.Event()
    with ServerProcess(tmp_path, "--db", db, "--source", "none") as server:
        assert server.proc is not None
        url = server.url + "/api/ingest"
        writers = [asyncio.create_task(_writer(url, d, t, acked, stop)) for d, t in tokens.items()]
        deadline = time.monotonic() + timeout(30)
        while len(acked) < 5000 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        server.proc.kill()  # SIGKILL, mid-stream: no chance to flush or close anything
        server.proc.wait()
        stop.set()
        batches = await asyncio.gather(*writers)
    assert len(acked) >= 5000, len(acked)
    assert all(b > 0 for b in batches)
    stored = _rows(db, "SELECT device, ts_ms FROM reports")
    lost = acked - stored
    assert not lost, f"{len(lost)} of {len(acked)} acknowledged reports lost"
