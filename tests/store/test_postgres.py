"""What only the PostgreSQL engine does: day partitions, its errors, its reconnection."""

from __future__ import annotations

import psycopg
import pytest

from bustrack.sources.report import Report
from bustrack.store import StoreError, connect_store, describe, is_postgres_url, open_store
from bustrack.store.postgres import PostgresStore
from tests.conftest import free_port
from tests.services import PASSWORD, PostgresServer

T0 = 1_800_000_000.0  # 2027-01-15 08:00 UTC
DAY = 86_400.0

PARTITIONS = (
    "SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid"
    " WHERE i.inhparent = 'reports'::regclass ORDER BY 1"
)


def _partitions(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [name for (name,) in conn.execute(PARTITIONS)]


def _hourly(device: str, start: float, hours: int) -> list[Report]:
    return [Report(device, start + h * 3600, 19.0, 72.8) for h in range(hours)]


async def test_reports_go_to_day_partitions_and_prune_drops_whole_days(pg_url: str) -> None:
    store = await connect_store(pg_url)
    try:
        # 2027-01-13 08:00 to 2027-01-15 07:00 UTC: three days, 48 reports.
        assert all(await store.append(_hourly("bus-1", T0 - 2 * DAY, 48)))
        assert _partitions(pg_url) == [
            "reports_d20270113", "reports_d20270114", "reports_d20270115",
        ]  # fmt: skip
        # Cut on 2027-01-14 12:00: the 13th goes whole (16 reports), 12 of the 14th go.
        assert await store.prune(T0 - DAY + 4 * 3600) == 16 + 12
        assert _partitions(pg_url) == ["reports_d20270114", "reports_d20270115"]
        left = await store.history("bus-1", 0, T0 + DAY)
        assert len(left) == 20 and left[0].ts == T0 - DAY + 4 * 3600
        # A late report of a dropped day gets its partition back (the writer forgot it).
        assert await store.append(_hourly("bus-2", T0 - 2 * DAY, 1)) == [True]
        assert "reports_d20270113" in _partitions(pg_url)
        assert await store.prune(T0 + DAY) == 21
        assert _partitions(pg_url) == []
    finally:
        await store.close()


async def test_the_writer_connects_anew_after_losing_its_connection(pg_url: str) -> None:
    store = await connect_store(pg_url)
    try:
        assert await store.append(_hourly("bus-1", T0, 1)) == [True]
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        batch = _hourly("bus-1", T0 + 3600, 2)
        try:
            first = await store.append(batch)
        except StoreError:  # the batch the broken connection failed: the caller retries
            first = await store.append(batch)
        assert first == [True, True]
        assert len(await store.history("bus-1", T0, T0 + DAY)) == 3  # reads reconnect too
    finally:
        await store.close()


def test_an_unreachable_server_is_a_clear_error_without_the_password() -> None:
    port = free_port()
    with pytest.raises(StoreError) as caught:
        open_store(f"postgresql://bus:s3cret@127.0.0.1:{port}/bustrack")
    message = str(caught.value)
    assert message.startswith(
        f"cannot reach the PostgreSQL server at postgresql://bus@127.0.0.1:{port}/bustrack: "
    ), message
    assert "s3cret" not in message


def test_wrong_credentials_and_a_missing_database_are_clear_errors(
    postgres_server: PostgresServer,
) -> None:
    with pytest.raises(StoreError, match="refused the user name or password") as caught:
        open_store(postgres_server.url(password="wrong-one"))
    assert "wrong-one" not in str(caught.value)
    with pytest.raises(StoreError, match=r"no such database .*/nope") as caught:
        open_store(postgres_server.url("nope"))
    assert PASSWORD not in str(caught.value)


def test_a_database_with_other_reports_is_refused(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE reports (device text, ts_ms bigint)")
    with pytest.raises(StoreError, match="not partitioned"):
        open_store(pg_url)


def test_db_values_choose_the_engine(pg_url: str) -> None:
    assert is_postgres_url("postgresql://h/db") and is_postgres_url("postgres://h/db")
    assert not is_postgres_url("/var/lib/bustrack/postgres.db")
    assert describe("postgres://bus:pw@db.example/track") == (
        "postgresql://bus@db.example:5432/track"
    )
    store = open_store(pg_url.replace("postgresql://", "postgres://"))
    try:
        assert isinstance(store, PostgresStore)
        assert store.list_devices() == []
    finally:
        store.close_now()
