"""Logging: ``--log-format json`` gives one parseable object per line from the real server
(run as a user runs it), and no device's position or token reaches the log."""

from __future__ import annotations

import io
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from bustrack.logs import configure_logging, logged_path
from bustrack.settings import SettingsError, parse_settings
from bustrack.store import SQLiteStore
from tests.conftest import SERVICE_DATE, timeout
from tests.web.process import ServerProcess

# Digits that appear nowhere else in the server's output: the position sent.
LAT, LON = "18.93217", "72.82643"


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout(10)) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return err.code


def test_json_logs_of_the_real_server_parse_and_hold_no_device_data(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    store = SQLiteStore(db)
    token = store.add_device("phone-7", time.time())
    store.close_now()
    args = ("--log-format", "json", "--db", str(db), "--source", "none",
            "--start-time", "09:00", "--service-date", SERVICE_DATE)  # fmt: skip
    with ServerProcess(tmp_path, *args) as server:
        query = {"id": "phone-7", "lat": LAT, "lon": LON, "timestamp": str(int(time.time()) - 5)}
        url = f"{server.url}/api/ingest/osmand?"
        assert _get(url + urllib.parse.urlencode({**query, "token": token})) == 200
        assert _get(url + urllib.parse.urlencode({**query, "token": "not-" + token})) == 401
        assert _get(server.url + "/healthz") == 200
    output = server.output()
    records = []
    for line in output.splitlines():
        record = orjson.loads(line)  # every line is one JSON object
        assert {"time", "level", "logger", "message"} <= record.keys(), record
        records.append(record)
    messages = [r["message"] for r in records]
    assert any("serving on" in m for m in messages), messages
    access = [r["message"] for r in records if r["logger"] == "aiohttp.access"]
    assert any('"GET /api/ingest/osmand?id=phone-7" 200' in m for m in access), access
    assert any('"GET /healthz" 200' in m for m in access), access
    # The device's id, never its position nor its token (nor the wrong one).
    assert token not in output
    assert LAT not in output and LON not in output


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Restore the root logger's handlers and level after a test reconfigures them."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_records_carry_the_exception_text(root_logging: None) -> None:
    out = io.StringIO()
    configure_logging("info", "json", out)
    log = logging.getLogger("bustrack.test")
    log.debug("not at info")
    log.info("tick took %.2f s", 1.5)
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        log.exception("tick failed\nsecond line")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2, lines
    first, second = (orjson.loads(line) for line in lines)
    assert first["message"] == "tick took 1.50 s" and first["level"] == "INFO"
    assert first["logger"] == "bustrack.test" and "exception" not in first
    assert first["time"].endswith("+00:00")
    assert second["message"] == "tick failed\nsecond line" and second["level"] == "ERROR"
    assert "Traceback" in second["exception"] and "ZeroDivisionError" in second["exception"]


def test_text_records_are_one_readable_line(root_logging: None) -> None:
    out = io.StringIO()
    configure_logging("WARNING", "text", out)
    logging.getLogger("bustrack.test").warning("port %d in use", 8080)
    assert out.getvalue().rstrip().endswith("WARNING bustrack.test: port 8080 in use")


def test_the_access_log_keeps_only_the_device_id_of_ingest_requests() -> None:
    secret = "id=bus-1&lat=18.9&lon=72.8&token=abc&timestamp=1"
    assert logged_path("/api/ingest/osmand", secret) == "/api/ingest/osmand?id=bus-1"
    assert logged_path("/api/ingest", "token=abc") == "/api/ingest"
    assert logged_path("/api/stops", "bbox=1,2,3,4") == "/api/stops?bbox=1,2,3,4"
    assert logged_path("/", "") == "/"


def test_the_log_format_is_checked() -> None:
    assert parse_settings([], environ={}).log_format == "text"
    assert parse_settings([], environ={"BUSTRACK_LOG_FORMAT": "json"}).log_format == "json"
    with pytest.raises(SettingsError, match="--log-format"):
        parse_settings(["--log-format", "xml"], environ={})
