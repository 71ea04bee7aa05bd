"""``--workers N``: N web processes on one port (SO_REUSEPORT), supervised by this one.

The supervisor runs no app itself. It starts the web processes (``--role web
--reuse-port on``; with ``--role all``, one ``--role feeder`` process besides), restarts
any that dies (the kernel spreads new connections over the live ones meanwhile, and a
dead one's pages reconnect to them), and on SIGTERM or SIGINT passes the signal on and
waits for them to finish. A process that fails at once with exit status 2 (a setting, a
feed, Redis unreachable) stops them all with that status rather than being restarted.
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

from bustrack.settings import Settings
from bustrack.web.serve import SHUTDOWN_TIMEOUT

__all__ = ["RESTART_DELAY", "Worker", "run_workers", "worker_argv"]

log = logging.getLogger(__name__)

RESTART_DELAY = 1.0  # seconds before a process that died is started again
STARTUP_GRACE = 30.0  # a process that exits 2 sooner than this after its start: a setup error


@dataclasses.dataclass
class Worker:
    """One supervised process: its name and command, and the running process."""

    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restarts: int = 0

    def start(self) -> None:
        """Start (or restart) the process."""
        self.process = subprocess.Popen(self.argv)
        self.started = time.monotonic()
        log.info("started %s (pid %d)", self.name, self.process.pid)


def worker_argv(argv: Sequence[str], settings: Settings, role: str, index: int) -> list[str]:
    """The command line of one supervised process: the supervisor's own, then the flags
    that make it one web process among ``--workers`` (or the feeder); later flags win."""
    extra = ["--workers", "0", "--role", role]
    if role == "web":
        extra += ["--reuse-port", "on"]
    else:  # the feeder serves only /healthz and /readyz, on a port of its own
        extra += ["--port", "0"]
    if settings.metrics_port:
        extra += ["--metrics-port", str(settings.metrics_port + index)]
    return [sys.executable, "-m", "bustrack.web", *argv, *extra]


def run_workers(argv: Sequence[str], settings: Settings) -> int:
    """Run ``settings.workers`` web processes (and a feeder with ``--role all``) until
    SIGTERM/SIGINT; return the exit status."""
    workers = [
        Worker(f"web process {i + 1}", worker_argv(argv, settings, "web", i))
        for i in range(settings.workers)
    ]
    if settings.role == "all":
        workers.append(Worker("feeder", worker_argv(argv, settings, "feeder", settings.workers)))
    stopping: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    for w in workers:
        w.start()
    log.info(
        "%d web processes on port %d%s", settings.workers, settings.port,
        " and a feeder" if settings.role == "all" else "",
    )  # fmt: skip
    status = 0
    while not stopping:
        time.sleep(0.2)
        for w in workers:
            code = w.process.poll() if w.process is not None else None
            if code is None:
                continue
            if code == 2 and time.monotonic() - w.started < STARTUP_GRACE:
                log.error("%s could not start (exit status 2): stopping", w.name)
                status = 2
                stopping.append(signal.SIGTERM)
                break
            log.warning("%s exited with status %d: restarting it", w.name, code)
            time.sleep(RESTART_DELAY)
            w.restarts += 1
            w.start()
    _stop(workers, stopping[0])
    return status


def _stop(workers: list[Worker], signum: int) -> None:
    running = [w.process for w in workers if w.process is not None and w.process.poll() is None]
    for p in running:
        p.send_signal(signum if signum != signal.SIGINT else signal.SIGTERM)
    deadline = time.monotonic() + SHUTDOWN_TIMEOUT + 10
    for p in running:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
