"""Durable storage of what bustrack is told: position reports and devices.

:class:`~bustrack.store.base.ReportStore` is the interface callers use; the embedded
default is SQLite (:mod:`bustrack.store.sqlite`), and a ``postgresql://`` URL as ``--db``
selects PostgreSQL (:mod:`bustrack.store.postgres`, reports partitioned by day):
:mod:`bustrack.store.engines` makes the choice, the callers see only the interface.
"""

from bustrack.store.base import Device, ReportStore, StoreError
from bustrack.store.engines import connect_store, describe, is_postgres_url, open_store
from bustrack.store.sqlite import SQLiteStore

__all__ = [
    "Device",
    "ReportStore",
    "SQLiteStore",
    "StoreError",
    "connect_store",
    "describe",
    "is_postgres_url",
    "open_store",
]
