"""``python -m bustrack.web`` as a user starts it: exit codes and one-line errors."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.conftest import free_port
from tests.web.process import run_cli as _run


def test_port_in_use_is_a_one_line_error() -> None:
    port = free_port()
    with socket.socket() as blocker:
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind(("127.0.0.1", port))
        blocker.listen()
        proc = _run("--port", str(port))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error" in line]
    assert len(errors) == 1, proc.stderr
    assert f"port {port} is already in use" in errors[0]
    assert "--port" in errors[0]


def test_bad_setting_is_a_one_line_error() -> None:
    proc = _run("--tick", "fast")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "bustrack: error: --tick: 'fast' is not a valid float"


def test_missing_feed_is_a_one_line_error(tmp_path: Path) -> None:
    proc = _run("--gtfs", str(tmp_path / "nowhere"), "--port", str(free_port()))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "nowhere" in proc.stderr.strip().splitlines()[-1]


def test_a_malformed_service_date_is_a_one_line_error() -> None:
    proc = _run("--service-date", "16/06/2026")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "bustrack: error: --service-date: '16/06/2026' is not a date as YYYY-MM-DD"
    )


def test_a_service_date_without_service_is_a_one_line_error() -> None:
    proc = _run("--service-date", "2031-01-07", "--port", str(free_port()))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        "bustrack: error: --service-date 2031-01-07: the feed has no service that day "
        "(its calendar runs 2026-01-01 to 2027-12-31)"
    )
