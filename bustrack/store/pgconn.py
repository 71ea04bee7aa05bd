"""PostgreSQL URLs and connection errors, told in words an operator can act on.

No queries here: what a ``--db postgresql://...`` value is, how to show it without its
password, and which :class:`~bustrack.store.base.StoreError` a failed connection is.
"""

from __future__ import annotations

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bustrack.store.base import StoreError

__all__ = ["CONNECT_TIMEOUT", "connect_error", "conninfo", "is_postgres_url", "safe_url"]

SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT = 10  # seconds, unless the URL says connect_timeout=


def is_postgres_url(db: str) -> bool:
    """True if ``--db`` names a PostgreSQL database rather than a SQLite file."""
    return db.strip().lower().startswith(SCHEMES)


def conninfo(url: str) -> str:
    """The libpq connection string of ``url``, with a connect timeout if it has none.

    Raises:
        StoreError: ``url`` is not a valid PostgreSQL URL.
    """
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError as err:
        raise StoreError(f"--db {safe_url(url)} is not a valid PostgreSQL URL: {err}") from None
    if "connect_timeout" in params:
        return make_conninfo(url)
    return make_conninfo(url, connect_timeout=CONNECT_TIMEOUT)


def safe_url(url: str) -> str:
    """``url`` as ``postgresql://user@host:port/db``: what may be logged (no password)."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return url.split("://", 1)[0] + "://..."  # cannot tell the password from the rest
    user = f"{params['user']}@" if params.get("user") else ""
    host = str(params.get("host") or "localhost")
    port = str(params.get("port") or 5432)
    return f"postgresql://{user}{host}:{port}/{params.get('dbname') or ''}"


def connect_error(url: str, err: psycopg.Error) -> StoreError:
    """What to tell the operator when connecting to ``url`` failed with ``err``."""
    where = safe_url(url)
    text = str(err).strip()
    detail = text.rsplit("failed: ", 1)[-1].splitlines()[0].removeprefix("FATAL:").strip()
    if "password authentication failed" in text or "no password supplied" in text:
        return StoreError(f"PostgreSQL at {where} refused the user name or password: {detail}")
    if "does not exist" in text and "database" in text:
        return StoreError(f"no such database at {where} (create it first): {detail}")
    if "connection refused" in text.lower() or "timeout expired" in text:
        return StoreError(f"cannot reach the PostgreSQL server at {where}: {detail}")
    return StoreError(f"cannot connect to PostgreSQL at {where}: {detail}")
