"""A graceful restart: SIGTERM under load closes every WebSocket with 1001, finishes the
ingest commits under way and exits within a bound; a new process on the same port takes
over, every page reconnects to it and resyncs (a fresh snapshot), and no acknowledged
report is lost. Real processes, real sockets."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import orjson

from tests.conftest import eventually, timeout
from tests.web.process import ServerProcess
from tests.web.test_ingest_durability import devices_cli

DEVICES = 4
PAGES = 12
BATCH = 20


@dataclass
class Page:
    """A page's socket: it reconnects when closed, as the page's connection.js does."""

    url: str
    snapshots: int = 0
    closes: list[tuple[int | None, str]] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        async with aiohttp.ClientSession() as http:
            while not stop.is_set():
                try:
                    async with http.ws_connect(self.url, max_msg_size=0) as ws:
                        while True:
                            msg = await ws.receive()
                            if msg.type != aiohttp.WSMsgType.TEXT:
                                break
                            if orjson.loads(msg.data)["type"] == "snapshot":
                                self.snapshots += 1
                        reason = msg.extra if msg.type == aiohttp.WSMsgType.CLOSE else ""
                        self.closes.append((ws.close_code, str(reason or "")))
                except (aiohttp.ClientError, ConnectionError, TimeoutError):
                    pass
                await asyncio.sleep(0.1)


async def _writer(
    url: str, device: str, token: str, acked: set[tuple[str, int]], stop: asyncio.Event
) -> None:
    """Post batches, retrying each until it is acknowledged (through the restart)."""
    base = time.time() - 3600
    seq = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout(10))) as http:
        while not stop.is_set():
            batch = [
                {"lat": 18.93, "lon": 72.83, "ts": base + (seq + i) / 100} for i in range(BATCH)
            ]
            while not stop.is_set():
                try:
                    async with http.post(url, data=orjson.dumps(batch), headers=headers) as resp:
                        if resp.status == 200:
                            answer = await resp.json()
                            break
                except (aiohttp.ClientError, ConnectionError, TimeoutError):
                    pass
                await asyncio.sleep(0.05)
            else:
                return
            for item, result in zip(batch, answer["results"], strict=True):
                if result["ok"]:
                    acked.add((device, round(item["ts"] * 1000)))
            seq += BATCH


async def test_sigterm_under_load_loses_nothing_and_every_page_resyncs_on_the_new_process(
    tmp_path: Path,
) -> None:
    db = tmp_path / "b.db"
    tokens = {}
    for i in range(DEVICES):
        out = devices_cli(db, "add", f"bus-{i}")
        assert out.returncode == 0, out.stderr
        tokens[f"bus-{i}"] = out.stdout.splitlines()[-1]
    args = ("--db", str(db), "--source", "none", "--tick", "0.5")
    first = ServerProcess(tmp_path, *args)
    await asyncio.to_thread(first.__enter__)
    port = first.port
    acked: set[tuple[str, int]] = set()
    stop = asyncio.Event()
    pages = [Page(f"ws://127.0.0.1:{port}/ws?bbox=72.7,18.8,73.0,19.3") for _ in range(PAGES)]
    tasks = [asyncio.create_task(p.run(stop)) for p in pages]
    url = f"http://127.0.0.1:{port}/api/ingest"
    tasks += [asyncio.create_task(_writer(url, d, t, acked, stop)) for d, t in tokens.items()]
    second: ServerProcess | None = None
    try:
        await eventually(lambda: len(acked) >= 1000 and all(p.snapshots for p in pages), 30,
                         "load on the first process")  # fmt: skip
        assert first.proc is not None
        first.proc.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(first.proc.wait, timeout(15))  # exits within a bound
        assert code == 0, first.output()
        await eventually(lambda: all(p.closes for p in pages), 10, "every page told")
        assert all(p.closes[-1] == (1001, "server shutting down") for p in pages), [
            p.closes for p in pages
        ]
        before = [p.snapshots for p in pages]
        second = ServerProcess(tmp_path, *args, port=port)
        await asyncio.to_thread(second.__enter__)
        # Every page is back, with a fresh snapshot, within 5 s of the new process answering.
        await eventually(
            lambda: all(p.snapshots > b for p, b in zip(pages, before, strict=True)), 5,
            "every page resynced on the new process",
        )  # fmt: skip
        acked_before = len(acked)
        await eventually(lambda: len(acked) > acked_before + 200, 20, "ingest on the new process")
    finally:
        stop.set()
        for task in tasks[:PAGES]:  # a page waits on its socket: stop it there
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        first.stop()
        if second is not None:
            second.stop()
    assert "Traceback" not in first.output()
    with sqlite3.connect(db) as conn:
        stored = set(conn.execute("SELECT device, ts_ms FROM reports"))
    lost = acked - stored
    assert not lost, f"{len(lost)} of {len(acked)} acknowledged reports lost"
