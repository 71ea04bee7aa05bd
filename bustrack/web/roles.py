"""What each ``--role`` runs, and the Redis broker's life in the app.

- ``all`` without ``--redis``: everything in one process; the ticker hands its frames
  straight to the hub (:class:`~bustrack.broker.publish.InProcessBroker`).
- ``feeder``: the sources, the store, the ticker (while it is the active feeder) and the
  ingest stream; it serves only ``/healthz`` and ``/readyz`` (and ``--metrics-port``).
- ``web``: the page, ``/ws``, ``/api`` and ``/gtfs-rt``, from the ticks in Redis; reports
  posted to it go to the feeder through Redis.
- ``all`` with ``--redis``: both, through Redis, so that it can run beside others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bustrack.broker.publish import RedisPublisher
from bustrack.broker.redis import RedisBroker, safe_url
from bustrack.broker.remote import RemoteFrames
from bustrack.settings import Settings
from bustrack.web.keys import broker_key, frames_key, leader_key, publisher_key

__all__ = ["broker_ctx", "feeds", "serves", "use_redis"]

log = logging.getLogger(__name__)


def feeds(settings: Settings) -> bool:
    """Whether this process runs the sources and the tick."""
    return settings.role in ("all", "feeder")


def serves(settings: Settings) -> bool:
    """Whether this process serves the page and its clients."""
    return settings.role in ("all", "web")


def use_redis(app: web.Application, settings: Settings) -> None:
    """Put the Redis broker (and what talks to it) in ``app``, before it starts."""
    broker = RedisBroker(settings.redis, lock_ttl=settings.feeder_lock_ttl)
    app[broker_key] = broker
    app[leader_key] = asyncio.Event()
    app[publisher_key] = RedisPublisher(broker)
    if serves(settings):
        app[frames_key] = RemoteFrames()


async def broker_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: reach Redis before anything else starts (RedisUnavailable if it
    cannot be reached); release the feeder lock and close on cleanup."""
    broker = app[broker_key]
    await broker.connect()
    log.info("broker: Redis at %s", safe_url(broker.url))
    yield
    await broker.close()
