"""Helpers for the scale-out tests: feeders and web processes on a real redis-server, and
a /ws client that keeps reading (and reconnecting) in the background."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import orjson

from tests.conftest import SERVICE_DATE, timeout
from tests.web.process import ServerProcess

__all__ = ["Frame", "Watcher", "feeder", "web_process"]

# Fast ticks and a short lock: a standby takes over within about two seconds.
COMMON = ("--start-time", "09:00", "--service-date", SERVICE_DATE, "--tick", "0.5")
LOCK_TTL = "2"


def feeder(tmp_path: Path, redis_url: str, db: Path, *args: str) -> ServerProcess:
    """A ``--role feeder`` process (ready once /healthz answers)."""
    return ServerProcess(
        tmp_path,
        "--role", "feeder", "--redis", redis_url, "--db", str(db),
        "--feeder-lock-ttl", LOCK_TTL, *COMMON, *args,
        ready="/healthz",
    )  # fmt: skip


def web_process(tmp_path: Path, redis_url: str, db: Path, *args: str) -> ServerProcess:
    """A ``--role web`` process (ready once its page answers)."""
    return ServerProcess(
        tmp_path, "--role", "web", "--redis", redis_url, "--db", str(db), *COMMON, *args
    )


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame a watcher read: on which of its connections, when, and what."""

    conn: int
    at: float  # monotonic
    type: str
    ts: int
    vehicles: int  # entered (snapshot: all) + moved records
    text: str


@dataclass
class Watcher:
    """A /ws client reading in the background; a connection that ends is opened again."""

    url: str
    frames: list[Frame] = field(default_factory=list)
    drops: int = 0  # connections that ended under it
    conns: int = 0
    _task: asyncio.Task[None] | None = None

    def start(self) -> Watcher:
        """Begin reading."""
        self._task = asyncio.create_task(self._run())
        return self

    async def stop(self) -> None:
        """Stop reading and close."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    async with http.ws_connect(self.url, max_msg_size=0) as ws:
                        self.conns += 1
                        async for msg in ws:
                            if msg.type == aiohttp.WSMsgType.TEXT:
                                self._take(msg.data)
                except (aiohttp.ClientError, ConnectionError, OSError):
                    pass
                self.drops += 1
                await asyncio.sleep(0.2)

    def _take(self, text: str) -> None:
        data = orjson.loads(text)
        parts = data.get("parts") or []
        count = sum(len(p["e"]) + len(p["m"]) for p in parts)
        self.frames.append(
            Frame(self.conns, time.monotonic(), data["type"], data.get("ts", 0), count, text)
        )

    def of(self, kind: str, since: float = 0.0) -> list[Frame]:
        """The frames of ``kind`` read since monotonic time ``since``."""
        return [f for f in self.frames if f.type == kind and f.at >= since]

    async def wait_for(self, kind: str, since: float, seconds: float, what: str) -> Frame:
        """The first frame of ``kind`` since ``since``, waiting up to ``seconds``."""
        deadline = time.monotonic() + timeout(seconds)
        while True:
            found = [f for f in self.of(kind, since) if f.vehicles > 0 or kind != "snapshot"]
            if found:
                return found[0]
            assert time.monotonic() < deadline, f"no {kind} frame: {what}"
            await asyncio.sleep(0.05)
