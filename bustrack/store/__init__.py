"""Durable storage of what bustrack is told: position reports and devices.

:class:`~bustrack.store.base.ReportStore` is the interface callers use; the embedded
default is SQLite (:mod:`bustrack.store.sqlite`). Another engine (PostgreSQL) implements
the same interface without touching the callers.
"""

from bustrack.store.base import Device, ReportStore, StoreError
from bustrack.store.sqlite import SQLiteStore, open_store

__all__ = ["Device", "ReportStore", "SQLiteStore", "StoreError", "open_store"]
