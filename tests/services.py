"""Servers the tests start for themselves: a PostgreSQL server for the store's tests.

One server for the whole session, in a temporary folder, on a free port of 127.0.0.1
(never a cluster the machine runs already), with ``fsync=on`` as in production; every
test gets a fresh database of its own (``pg_url``). The binaries come from Debian's
``postgresql`` package (``make services``); without them the fixtures fail, they never
skip. PostgreSQL refuses to run as root, so under root the server runs as the
``postgres`` user the package creates.

Registered by ``pytest_plugins`` in tests/conftest.py.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from tests.conftest import free_port, timeout

__all__ = ["PostgresServer", "pg_url", "postgres_server"]

USER = "bustrack"
PASSWORD = "test-secret"
_names = itertools.count()


def postgres_bindir() -> Path:
    """The folder of ``initdb`` and ``postgres``; fails the test if there is none."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.insert(0, os.path.join(out.stdout.strip(), "postgres"))
    if which := shutil.which("postgres"):
        candidates.append(which)
    for postgres in candidates:
        bindir = Path(postgres).parent
        if (bindir / "postgres").is_file() and (bindir / "initdb").is_file():
            return bindir
    pytest.fail(
        "PostgreSQL's server binaries (initdb, postgres) are missing: run `make services`",
        pytrace=False,
    )


@dataclass
class PostgresServer:
    """A running test server: ``url(db)`` for clients, ``new_database()`` per test."""

    port: int
    folder: Path
    proc: subprocess.Popen[bytes]
    log: Path
    databases: list[str] = field(default_factory=list)

    def url(self, database: str = "postgres", *, password: str = PASSWORD) -> str:
        """A client's URL of ``database`` (over TCP, with the password)."""
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database; return its URL."""
        name = f"test_{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return self.url(name)

    def output(self) -> str:
        """What the server logged so far."""
        return self.log.read_text(errors="replace")


@dataclass(frozen=True)
class _RunAs:
    """Who the server's processes run as: the ``postgres`` user when we are root."""

    user: int | None = None
    group: int | None = None
    extra_groups: list[int] | None = None


def _run_as() -> _RunAs:
    if os.geteuid() != 0:
        return _RunAs()
    try:
        pw = pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail("running as root needs the postgres user: run `make services`")
    return _RunAs(pw.pw_uid, pw.pw_gid, [])


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(path, pw.pw_uid, pw.pw_gid)


def start_postgres(bindir: Path) -> PostgresServer:
    """initdb into a new temporary folder and start ``postgres`` on a free port."""
    # Not under pytest's tmp_path: as root that is private to root, and the server runs
    # as the postgres user.
    folder = Path(tempfile.mkdtemp(prefix="bustrack-pg-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    (folder / "pwfile").write_text(PASSWORD + "\n")
    for path in (folder, sockets, folder / "pwfile"):
        _chown(path)
    who = _run_as()
    log = folder / "postgres.log"
    init = subprocess.run(
        [
            *(str(bindir / "initdb"), "-D", str(data), "-U", USER),
            *("--pwfile", str(folder / "pwfile"), "--auth-local=trust"),
            *("--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale"),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout(120),
        check=False,
        user=who.user,
        group=who.group,
        extra_groups=who.extra_groups,
    )
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"initdb failed: {init.stdout}{init.stderr}", pytrace=False)
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                *(str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(sockets)),
                *("-c", "listen_addresses=127.0.0.1", "-c", "fsync=on"),
                *("-c", "max_connections=200"),
            ],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            user=who.user,
            group=who.group,
            extra_groups=who.extra_groups,
        )
    server = PostgresServer(port, folder, proc, log)
    deadline = time.monotonic() + timeout(60)
    while True:
        if proc.poll() is not None:
            stop_postgres(server)
            pytest.fail(f"postgres exited {proc.returncode}: {server.output()}", pytrace=False)
        try:
            psycopg.connect(server.url(), connect_timeout=2).close()
            return server
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                stop_postgres(server)
                pytest.fail(f"postgres did not answer in time: {server.output()}", pytrace=False)
            time.sleep(0.05)


def stop_postgres(server: PostgresServer) -> None:
    """Stop the server (a fast shutdown: clients are cut off) and delete its folder."""
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGINT)
        try:
            server.proc.wait(timeout=timeout(30))
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()
    shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session (started on first use, stopped at the end)."""
    server = start_postgres(postgres_bindir())
    try:
        yield server
    finally:
        stop_postgres(server)


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> str:
    """The URL of a new, empty database on the session's server."""
    return postgres_server.new_database()
