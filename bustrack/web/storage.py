"""The store's life in the app: opened at start-up (what devices sent recently comes back
live), pruned every hour to ``--keep-days``, closed last, after in-flight ingest commits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from aiohttp import web

from bustrack.settings import default_db
from bustrack.store import connect_store, describe
from bustrack.web.history import SIM_PREFIX
from bustrack.web.keys import live_key, settings_key, store_key
from bustrack.web.roles import feeds

__all__ = ["PRUNE_EVERY", "restore_live", "store_ctx"]

log = logging.getLogger(__name__)

PRUNE_EVERY = 3600.0  # seconds between deletions of reports older than --keep-days


async def _prune(app: web.Application) -> None:
    keep = app[settings_key].keep_days * 86400
    while True:
        try:
            gone = await app[store_key].prune(time.time() - keep)
            if gone:
                log.info("deleted %d reports older than %g days", gone, keep / 86400)
        except Exception:  # the next hour tries again
            log.exception("pruning the store failed")
        await asyncio.sleep(PRUNE_EVERY)


async def restore_live(app: web.Application) -> int:
    """Show live again what devices reported within ``--drop-after``; return how many."""
    restored = 0
    since = time.time() - app[settings_key].drop_after
    for report in await app[store_key].latest(since):
        if not report.device.startswith(SIM_PREFIX):  # the simulation's own samples
            app[live_key].accept(report)
            restored += 1
    return restored


async def store_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: open ``--db`` (a SQLite file or a PostgreSQL URL) unless a store was
    given, restore the devices that reported within ``--drop-after``, prune hourly; close
    it on cleanup."""
    settings = app[settings_key]
    own = store_key not in app
    if own:
        db = settings.db or default_db()
        app[store_key] = await connect_store(db)
        log.info("storing reports in %s", describe(db))
    store = app[store_key]
    await restore_live(app)
    # With --role web, the feeder prunes: the store is shared.
    pruning = asyncio.create_task(_prune(app), name="bustrack-prune") if feeds(settings) else None
    yield
    if pruning is not None:
        pruning.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pruning
    if own:
        await store.close()
