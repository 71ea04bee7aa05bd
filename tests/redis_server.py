"""A real redis-server for the tests: started on a free port in a temporary folder, with
the durability the broker asks for (append-only file, fsync on every write).

Tests that need Redis fail, never skip, when it is not installed (``make services``
installs Debian's redis-server).
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import free_port, timeout

__all__ = ["RedisServer"]


class RedisServer:
    """One redis-server process; :meth:`restart` keeps its port and its data."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        """Start it and wait until it answers PING."""
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed: run `make services` (or `make test`)")
        self.folder.mkdir(parents=True, exist_ok=True)
        # fmt: off
        args = [
            binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
            "--appendonly", "yes", "--appendfsync", "always", "--save", "",
            "--logfile", str(self.folder / "redis.log"), "--daemonize", "no",
        ]
        # fmt: on
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout(20)
        while not self.answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                log = (self.folder / "redis.log").read_text(errors="replace")
                raise AssertionError(f"redis-server did not start: {log[-2000:]}")
            time.sleep(0.05)
        return self

    def answers(self) -> bool:
        """Whether it answers PING now."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop it (SIGTERM: a clean shutdown; SIGKILL: a crash) and wait."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout(20))
        self.proc = None

    def restart(self, down_for: float = 0.0) -> None:
        """Stop it, stay down ``down_for`` seconds, start it again on the same port."""
        self.stop()
        time.sleep(down_for)
        self.start()
