"""A feeder's side of the Redis broker: one active feeder, the reports it is handed, and
the GTFS-realtime messages it builds for the web processes.

- Election: every feeder tries to take (and the active one renews) a Redis lock with
  expiry (``--feeder-lock-ttl``); the one holding it ticks and publishes, the others
  stand by, polling their sources so that they are warm. When the active feeder dies,
  its lock expires and a standby takes over: it restores the live devices from the
  store, starts a new run (web processes resync their clients on its first tick) and
  reads the ingest batches its predecessor left unacknowledged.
- Ingest: batches that web processes accepted come from the Redis stream; each is
  committed to this feeder's store, shown live, then acknowledged.
- ``/gtfs-rt``: every :data:`~bustrack.web.gtfsrt.REBUILD_EVERY` seconds, the messages a
  web process was asked for lately are built (in a worker thread) and kept in Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from aiohttp import web

from bustrack.broker.publish import RedisPublisher
from bustrack.broker.redis import RedisBroker, broker_errors, safe_url
from bustrack.web import gtfsrt
from bustrack.web.keys import (
    broker_key,
    fleet_key,
    leader_key,
    live_key,
    publisher_key,
    settings_key,
    store_key,
)
from bustrack.web.storage import restore_live

__all__ = ["feeder_ctx"]

log = logging.getLogger(__name__)


async def _elect(app: web.Application, broker: RedisBroker) -> None:
    leader = app[leader_key]
    publisher = app[publisher_key]
    assert isinstance(publisher, RedisPublisher)
    ttl = app[settings_key].feeder_lock_ttl
    renewed = time.monotonic()
    standing_by_said = False
    while True:
        try:
            held = await broker.take_lock()
            if held:
                renewed = time.monotonic()
        except broker_errors as err:
            # Redis is away: keep ticking for as long as the lock would have lasted.
            held = leader.is_set() and time.monotonic() - renewed < ttl
            if leader.is_set() and not held:
                log.error("cannot renew the feeder lock at %s: %s", safe_url(broker.url), err)
        if held and not leader.is_set():
            publisher.new_run()
            restored = await restore_live(app)
            log.warning(
                "this process is now the active feeder (run %s; %d live devices restored)",
                publisher.epoch,
                restored,
            )
            leader.set()
            standing_by_said = False
        elif not held and leader.is_set():
            leader.clear()
            log.error("lost the feeder lock (another feeder holds it now): standing by")
        elif not held and not standing_by_said:
            log.info("another feeder is active: standing by to take over")
            standing_by_said = True
        await asyncio.sleep(ttl / 3)


async def _consume(app: web.Application, broker: RedisBroker) -> None:
    leader = app[leader_key]
    store = app[store_key]
    live = app[live_key]
    while True:
        await leader.wait()
        pending = True  # first what a feeder before us was handed and never committed
        while leader.is_set():
            try:
                batches = await broker.read_reports(pending=pending, block_ms=1000)
                if pending and not batches:
                    pending = False
                    continue
                reports = [r for _, rs in batches for r in rs]
                # Shown live at once (a store that is down must not freeze the real buses),
                # acknowledged only once committed: unstored batches are read again.
                for report in reports:
                    live.accept(report)
                if reports:
                    await store.append(reports)
                await broker.ack_reports([entry for entry, _ in batches])
            except broker_errors:
                await asyncio.sleep(1.0)  # the relay and the election say what happened
                pending = True
            except Exception:  # e.g. the store: the batches stay pending, tried again
                log.exception("storing reports from the ingest stream failed")
                await asyncio.sleep(1.0)
                pending = True


async def _build_gtfsrt(app: web.Application, broker: RedisBroker) -> None:
    leader = app[leader_key]
    while True:
        await asyncio.sleep(gtfsrt.REBUILD_EVERY)
        if not leader.is_set():
            continue
        ts = app[fleet_key].ts_ms // 1000
        for name, inputs in gtfsrt.BUILDS.items():
            try:
                if await broker.gtfsrt_wanted(name):
                    body = await asyncio.to_thread(gtfsrt.encode, inputs(app, ts), "pb")
                    await broker.set_gtfsrt(name, body)
            except broker_errors:
                break
            except Exception:  # one bad build must not stop the others
                log.exception("building %s for the web processes failed", name)


async def feeder_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: stand for election, consume the ingest stream, build /gtfs-rt; stop
    and release the lock on cleanup."""
    broker = app[broker_key]
    tasks = [
        asyncio.create_task(_elect(app, broker), name="bustrack-elect"),
        asyncio.create_task(_consume(app, broker), name="bustrack-ingest-stream"),
        asyncio.create_task(_build_gtfsrt(app, broker), name="bustrack-gtfsrt-build"),
    ]
    yield
    app[leader_key].clear()
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
