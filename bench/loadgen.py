"""The Python side of the load generator: starts ``bench/loadgen.mjs`` and sends it commands.

The clients live in one Node process with a minimal WebSocket reader
(``bench/wsclient.mjs``, no npm packages): at 10,000 clients it needs about a tenth of a
core, so the server, not the generator, sets the figures. This module only moves JSON
lines: one command, one reply (the commands are listed in ``loadgen.mjs``).
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

__all__ = ["BENCH_DIR", "LoadGen", "LoadGenError", "node"]

BENCH_DIR = Path(__file__).resolve().parent
SCRIPT = BENCH_DIR / "loadgen.mjs"


class LoadGenError(RuntimeError):
    """The load generator failed a command or exited."""


def node() -> str:
    """Return the path of ``node``.

    Raises:
        LoadGenError: Node.js is not installed.
    """
    found = shutil.which("node")
    if found is None:
        raise LoadGenError("the load generator needs Node.js (node on PATH)")
    return found


class LoadGen:
    """One running ``loadgen.mjs``; use :meth:`start`, then :meth:`call`, then :meth:`stop`."""

    def __init__(self, proc: asyncio.subprocess.Process, *, deflate: bool = False) -> None:
        """Wrap a started process (use :meth:`start`)."""
        self.proc = proc
        self.deflate = deflate  # its clients offer permessage-deflate

    @property
    def pid(self) -> int:
        """The Node process id (for its CPU and memory)."""
        return self.proc.pid

    @classmethod
    async def start(
        cls, *, tick: float = 1.0, verify: bool = False, deflate: bool = False
    ) -> LoadGen:
        """Start the generator for a server ticking every ``tick`` seconds.

        Args:
            tick: the server's tick, to tell a skipped frame from a late one.
            verify: parse and check every frame fully (slower; for tests).
            deflate: the clients offer permessage-deflate, as browsers do.
        """
        proc = await asyncio.create_subprocess_exec(
            node(),
            str(SCRIPT),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=64 * 2**20,
        )
        gen = cls(proc, deflate=deflate)
        await gen.call("init", within=30, tick_ms=tick * 1000, verify=verify, deflate=deflate)
        return gen

    async def call(self, cmd: str, *, within: float, **args: Any) -> dict[str, Any]:
        """Send one command and return its reply.

        Raises:
            LoadGenError: the generator reported an error, exited, or did not answer in time.
        """
        assert self.proc.stdin is not None and self.proc.stdout is not None
        line = json.dumps({"cmd": cmd, **args}) + "\n"
        self.proc.stdin.write(line.encode())
        await self.proc.stdin.drain()
        try:
            raw = await asyncio.wait_for(self.proc.stdout.readline(), within)
        except TimeoutError:
            raise LoadGenError(f"load generator: no answer to {cmd} in {within:.0f} s") from None
        if not raw:
            code = await self.proc.wait()
            raise LoadGenError(f"load generator exited ({code}) during {cmd}")
        reply: dict[str, Any] = json.loads(raw)
        if "error" in reply:
            raise LoadGenError(f"load generator: {cmd}: {reply['error']}")
        return reply

    async def stop(self) -> None:
        """Ask the generator to quit (closing its clients); kill it if it does not."""
        if self.proc.returncode is None:
            try:
                await self.call("quit", within=10)
                await asyncio.wait_for(self.proc.wait(), 10)
            except (LoadGenError, TimeoutError, BrokenPipeError, ConnectionResetError):
                self.proc.kill()
                await self.proc.wait()
