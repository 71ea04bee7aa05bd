"""The load's progress: the bar as a pure function, and both paths through the real CLI."""

from __future__ import annotations

import io
import logging
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.synthetic import write_feed
from bustrack.gtfs.progress import DONE, TRIPS, Progress
from bustrack.web.progress import (
    LogProgress,
    TerminalProgress,
    format_amount,
    progress_reporter,
    render_bar,
)
from tests.conftest import free_port, timeout
from tests.web.process import ROOT, ServerProcess

NO_CACHE = {"BUSTRACK_CACHE_DIR": ""}


def test_render_bar_fills_with_the_fraction_and_names_the_step() -> None:
    event = Progress("stop_times.txt", 12_000_000, 38_300_000, "bytes", 0.38)
    assert render_bar(event, width=10) == (
        "loading feed [###-------]  38% stop_times.txt 12.0/38.3 MB"
    )
    assert render_bar(Progress(TRIPS, 1200, 33780, "trips", 0.8), width=10) == (
        "loading feed [########--]  80% trips 1200/33780 trips"
    )
    assert render_bar(Progress(DONE, 5, 5, "bytes", 1.0), width=4) == (
        "loading feed [####] 100% done"
    )
    assert render_bar(Progress("stops.txt", 0, 9, "bytes", 0.0), width=3).startswith(
        "loading feed [---]   0%"
    )


def test_format_amount() -> None:
    assert format_amount(1_500_000, 40_000_000, "bytes") == "1.5/40.0 MB"
    assert format_amount(3, 7, "trips") == "3/7 trips"


def test_terminal_progress_redraws_in_place_at_most_ten_times_a_second() -> None:
    out = io.StringIO()
    now = [100.0]
    bar = TerminalProgress(out, clock=lambda: now[0])
    bar(Progress("stops.txt", 10, 100, "bytes", 0.1))
    now[0] += 0.01
    bar(Progress("stops.txt", 20, 100, "bytes", 0.2))  # too soon: skipped
    now[0] += 0.2
    bar(Progress(TRIPS, 5, 10, "trips", 0.6))
    now[0] += 0.001
    bar(Progress(DONE, 1, 1, "bytes", 1.0))  # the end is always drawn
    frames = out.getvalue().split("\r")[1:]
    assert len(frames) == 3
    assert "10%" in frames[0] and "60%" in frames[1]
    assert frames[2].endswith("\n") and frames[2].rstrip().endswith("] 100% done")
    assert len(frames[2]) - 1 == len(frames[1].rstrip())  # spaces wipe the longer line before
    assert "\n" not in "".join(frames[:2])


def test_log_progress_logs_each_quarter_once(caplog: pytest.LogCaptureFixture) -> None:
    reporter = LogProgress(logging.getLogger("test.progress"))
    with caplog.at_level(logging.INFO, logger="test.progress"):
        for k in range(101):
            reporter(Progress("stop_times.txt", k, 100, "bytes", k / 100))
        reporter(Progress(DONE, 1, 1, "bytes", 1.0))
    assert [r.getMessage() for r in caplog.records] == [
        "loading feed: 25% done (stop_times.txt)",
        "loading feed: 50% done (stop_times.txt)",
        "loading feed: 75% done (stop_times.txt)",
        "loading feed: 100% done",
    ]


def test_progress_reporter_picks_the_bar_only_for_a_terminal() -> None:
    assert isinstance(progress_reporter(io.StringIO()), LogProgress)
    master, slave = pty.openpty()
    try:
        with os.fdopen(slave, "w", closefd=False) as tty:
            assert isinstance(progress_reporter(tty), TerminalProgress)
    finally:
        os.close(master)
        os.close(slave)


@pytest.fixture(scope="module")
def big_feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic") / "feed"
    write_feed(folder, 60_000)
    return folder


def test_without_a_terminal_the_load_logs_a_few_lines(tmp_path: Path, big_feed: Path) -> None:
    with ServerProcess(tmp_path, "--gtfs", str(big_feed), env=NO_CACHE) as server:
        pass
    lines = re.findall(r"INFO bustrack: (loading feed: .*)$", server.output(), re.M)
    assert lines[0] == "loading feed: 25% done (stop_times.txt)"
    assert lines[-1] == "loading feed: 100% done"
    assert [re.match(r"loading feed: (\d+)%", line)[1] for line in lines] == [  # type: ignore[index]
        "25",
        "50",
        "75",
        "100",
    ]
    assert "\r" not in server.output()


def test_on_a_terminal_the_load_draws_a_bar(big_feed: Path) -> None:
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bustrack.web", "--gtfs", str(big_feed), "--port", str(free_port())],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env={**os.environ, **NO_CACHE},
    )
    os.close(slave)
    output = b""
    try:
        deadline = time.monotonic() + timeout(60)
        while b"serving on" not in output and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    output += os.read(master, 65536)
                except OSError:  # the server exited and closed the terminal
                    break
    finally:
        proc.terminate()
        proc.wait(timeout=timeout(20))
        os.close(master)
    text = output.decode(errors="replace")
    assert "serving on" in text, text
    frames = re.findall(r"\r(loading feed \[[#-]{24}\] +\d+%[^\r\n]*)", text)
    assert frames, text
    assert frames[-1].startswith("loading feed [" + "#" * 24 + "] 100% done")
    assert len(frames) < 100  # redrawn in place, not once per row
    assert "INFO bustrack: loading feed:" not in text  # no log lines for progress on a TTY
