"""``python -m bustrack.web`` run as a user runs it, for tests of the command line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from tests.conftest import free_port, timeout

__all__ = ["ROOT", "ServerProcess", "run_cli"]

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bustrack.web ARGS`` to its end (for runs that must fail)."""
    return subprocess.run(
        [sys.executable, "-m", "bustrack.web", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout(60),
        check=False,
        env=None if env is None else {**os.environ, **env},
    )


class ServerProcess:
    """A server started with ``--port <free port> ARGS``, its output kept in a file.

    Use as a context manager: entering waits until ``ready`` (``/``) answers, leaving stops
    the server like Ctrl+C (SIGTERM) and waits for it.
    """

    def __init__(
        self,
        log_dir: Path,
        *args: str,
        env: dict[str, str] | None = None,
        port: int | None = None,
        ready: str = "/",
    ) -> None:
        self.port = port or free_port()
        self.ready = ready  # the path that answers once it serves (a feeder has no page)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"server-{self.port}-{time.monotonic_ns()}.log"
        self._args = ["--port", str(self.port), *args]
        self._env = None if env is None else {**os.environ, **env}
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServerProcess:
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bustrack.web", *self._args],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._env,
            )
        deadline = time.monotonic() + timeout(60)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}: {self.output()}")
            try:
                with urllib.request.urlopen(self.url + self.ready, timeout=1):
                    return self
            except urllib.error.HTTPError:
                if self.ready != "/":  # it answers (/readyz may say 503 for a while)
                    return self
                time.sleep(0.1)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"server did not answer in time: {self.output()}")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> int | None:
        """Stop the server (SIGTERM) and return its exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout(20))
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def output(self) -> str:
        """Return everything the server wrote to stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")
