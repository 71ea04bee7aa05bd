"""The store engines the store's tests run against, each on a fresh database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from bustrack.store import SQLiteStore
from bustrack.store.postgres import PostgresStore

__all__ = ["ENGINES", "Engine"]

ENGINES = ["sqlite", "postgresql"]


@dataclass(frozen=True)
class Engine:
    """One engine's database: ``db`` as ``--db`` takes it, opened and queried directly."""

    name: str
    db: str

    async def open(self, *, group_commit: bool = True) -> SQLiteStore | PostgresStore:
        """A store on the database, ready for a server's use."""
        if self.name == "sqlite":
            return SQLiteStore(Path(self.db), group_commit=group_commit)
        store = PostgresStore(self.db, group_commit=group_commit)
        await store.start()
        return store

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` read through a connection of its own (as another process)."""
        if self.name == "sqlite":
            import sqlite3

            with sqlite3.connect(self.db) as conn:
                return list(conn.execute(sql))
        with psycopg.connect(self.db) as pg:
            return pg.execute(sql.encode()).fetchall()
