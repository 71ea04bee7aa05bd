"""Which engine a ``--db`` value names: a PostgreSQL URL or a SQLite file.

``postgresql://...`` and ``postgres://...`` open :class:`~bustrack.store.postgres.
PostgresStore`; anything else is the path of a SQLite file (:class:`~bustrack.store.
sqlite.SQLiteStore`). The server and the devices CLI both open their store here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from bustrack.store.pgconn import is_postgres_url, safe_url
from bustrack.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from bustrack.store.postgres import PostgresStore

__all__ = ["connect_store", "describe", "is_postgres_url", "open_store"]


def describe(db: str) -> str:
    """``db`` as it may be logged: a URL without its password, or the file's path."""
    return safe_url(db) if is_postgres_url(db) else str(Path(db).expanduser())


def open_store(db: str) -> SQLiteStore | PostgresStore:
    """Open ``db`` blocking, for the devices CLI: its device methods work, and a SQLite
    store is complete; a PostgreSQL one still needs ``await store.start()`` for reports.

    Raises:
        StoreError: the database cannot be opened (the message says why).
    """
    if is_postgres_url(db):
        from bustrack.store.postgres import PostgresStore  # psycopg only when used

        return PostgresStore(db.strip())
    return SQLiteStore(Path(db).expanduser())


async def connect_store(db: str) -> SQLiteStore | PostgresStore:
    """Open ``db`` for a server: ready to append and read reports.

    Raises:
        StoreError: the database cannot be opened (the message says why).
    """
    store = await asyncio.to_thread(open_store, db)
    if isinstance(store, SQLiteStore):
        return store
    try:
        await store.start()
    except BaseException:
        await store.close()
        raise
    return store
