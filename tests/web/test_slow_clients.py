"""Slow and half-open clients (slowloris) are closed within --idle-timeout, and a body that
trickles in gets 408, while others are served as usual. Real process, raw sockets."""

from __future__ import annotations

import socket
import time
import urllib.request
from pathlib import Path

from tests.conftest import timeout
from tests.web.process import ServerProcess
from tests.web.test_ingest_durability import devices_cli


def _closed_within(sock: socket.socket, seconds: float, until: bytes = b"") -> bytes | None:
    """What the server sent before closing ``sock`` (or once it holds ``until``), or None if
    it kept it open."""
    sock.settimeout(0.2)
    got = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except ConnectionResetError:
            return got
        if not chunk:
            return got
        got += chunk
        if until and until in got:
            return got
    return None


def test_half_sent_headers_and_trickling_bodies_are_cut_off(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    token = devices_cli(db, "add", "bus-1").stdout.splitlines()[-1]
    with ServerProcess(tmp_path, "--idle-timeout", "1", "--db", str(db), "--source", "none") as srv:
        slow = socket.create_connection(("127.0.0.1", srv.port))
        slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # and never the rest
        silent = socket.create_connection(("127.0.0.1", srv.port))  # sends nothing at all
        body = socket.create_connection(("127.0.0.1", srv.port))
        body.sendall(
            b"POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\nContent-Length: 1000\r\n\r\n[{"
        )
        # Meanwhile everybody else is served.
        with urllib.request.urlopen(srv.url + "/api/feed", timeout=10) as resp:
            assert resp.status == 200
        # The body never comes: 408 (read at once: the server then resets the connection,
        # whose request it did not read whole).
        answer = _closed_within(body, timeout(10), until=b"\r\n")
        assert answer is not None and answer.startswith(b"HTTP/1.1 408"), answer
        assert _closed_within(slow, timeout(10)) is not None, "a half-sent request stayed open"
        assert _closed_within(silent, timeout(10)) is not None, "a silent connection stayed open"
        for sock in (slow, silent, body):
            sock.close()
        assert "Traceback" not in srv.output()
