"""A web process's side of the Redis broker: the feeder's ticks in, to this process's clients.

The relay subscribes to the feeder's messages and hands each tick to the hub, whose
clients get frames joined from parts the feeder already encoded and compressed
(:class:`~bustrack.broker.remote.RemoteFrames`). A tick that does not follow the one
before (another feeder took over, or messages were lost while Redis was away) sends
every client a snapshot instead of an update. When Redis goes away the clients keep
their connection and their last state; the relay reconnects with backoff, and resyncs
them from the latest tick once it is back. It also tells the feeders which boards this
process's clients watch, and keeps ``/api/alerts`` current from the feeder's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from aiohttp import web

from bustrack.broker.hub import Hub
from bustrack.broker.message import BoardsMessage, FleetMessage, MessageError, decode
from bustrack.broker.redis import BOARDS, FLEET, RedisBroker, broker_errors, safe_url
from bustrack.broker.remote import RemoteFrames
from bustrack.sources.alerts_in import read_alerts
from bustrack.sources.feed_message import FeedDecodeError
from bustrack.web.counts import tick_stats_key
from bustrack.web.gtfsrt_poll import AlertsIn, alerts_key
from bustrack.web.keys import broker_key, frames_key, hub_key, ticker_key

__all__ = ["RECONNECT_MAX", "RECONNECT_MIN", "WATCH_EVERY", "WATCH_TTL", "relay_ctx"]

log = logging.getLogger(__name__)

RECONNECT_MIN = 0.5  # seconds before the first reconnection attempt; doubled up to the max
RECONNECT_MAX = 5.0
WATCH_EVERY = 1.0  # seconds between telling the feeders which boards our clients watch
WATCH_TTL = 10.0  # seconds a board stays built after this process last asked for it
ALERTS_EVERY = 5.0  # seconds between fetches of the feeder's alerts


class Relay:
    """Applies the feeder's messages to this process's frames and hub."""

    def __init__(self, frames: RemoteFrames, hub: Hub) -> None:
        """Relay into ``frames`` (what the hub sends) and ``hub``'s clients."""
        self.frames = frames
        self.hub = hub
        self.ticks = 0
        self.resyncs = 0  # ticks that did not follow the one before
        self.bad = 0  # messages that could not be read

    def take(self, data: bytes, now: float, *, publish: bool = True) -> FleetMessage | None:
        """Apply one message (bytes from Redis) at monotonic time ``now``; return it if
        it was a fleet tick."""
        try:
            msg = decode(data)
        except MessageError as err:
            self.bad += 1
            log.warning("ignored a broker message: %s", err)
            return None
        frames, hub = self.frames, self.hub
        if isinstance(msg, FleetMessage):
            if not frames.follows(msg):
                if frames.fleet is not None:
                    self.resyncs += 1
                    if msg.epoch != frames.fleet.epoch:
                        log.info("ticks now come from feeder run %s: resyncing clients", msg.epoch)
                hub.resync_all()
            frames.apply_fleet(msg)
            self.ticks += 1
            if publish:
                hub.publish(frames, now, extras=False)
            return msg
        current = frames.fleet
        same_tick = current is not None and (msg.epoch, msg.seq) == (current.epoch, current.seq)
        if isinstance(msg, BoardsMessage) and same_tick:
            frames.apply_boards(msg)
            if publish:
                hub.publish_extras(frames)
        return None


relay_key = web.AppKey("relay", Relay)


async def _load_latest(broker: RedisBroker, relay: Relay) -> None:
    fleet, boards = await broker.latest()
    now = asyncio.get_running_loop().time()
    for data in (fleet, boards):
        if data is not None:
            relay.take(data, now)


async def _listen(app: web.Application, broker: RedisBroker, relay: Relay) -> None:
    stats = app[tick_stats_key]
    loop = asyncio.get_running_loop()
    delay = RECONNECT_MIN
    lost_at: float | None = None
    while True:
        pubsub = broker.pubsub()
        try:
            await pubsub.subscribe(FLEET, BOARDS)
            if lost_at is not None:
                log.warning(
                    "reconnected to Redis at %s after %.1f s; resyncing clients from the "
                    "latest tick",
                    safe_url(broker.url),
                    loop.time() - lost_at,
                )
                await _load_latest(broker, relay)
                lost_at = None
            delay = RECONNECT_MIN
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is None or message.get("type") != "message":
                    continue
                started = loop.time()
                if relay.take(message["data"], started) is not None:
                    stats.record(started, started, loop.time() - started, loop.time())
        except broker_errors as err:
            if lost_at is None:
                lost_at = loop.time()
            log.warning(
                "lost Redis at %s (%s); clients keep their last state; reconnecting in %.1f s",
                safe_url(broker.url),
                err or type(err).__name__,
                delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()


async def _watch(app: web.Application, broker: RedisBroker) -> None:
    hub = app[hub_key]
    told: set[tuple[str, str]] = set()
    renewed = 0.0
    while True:
        await asyncio.sleep(WATCH_EVERY)
        wanted = hub.watched()
        now = time.time()
        renew = now - renewed > WATCH_TTL / 3
        fresh = wanted if renew else wanted - told
        if not fresh:
            continue
        try:
            await broker.watch(fresh, now + WATCH_TTL)
        except broker_errors:
            continue  # the relay says Redis is away; this tries again next round
        told = wanted if renew else told | fresh
        if renew:
            renewed = now


async def _alerts(app: web.Application, broker: RedisBroker) -> None:
    held = app[alerts_key]
    last: bytes | None = None
    while True:
        with contextlib.suppress(*broker_errors):
            body = await broker.gtfsrt("alerts")
            if body is not None and body != last:
                try:
                    alerts, _ = await asyncio.to_thread(read_alerts, body, time.time())
                except FeedDecodeError as err:
                    log.warning("the feeder's alerts: %s", err)
                else:
                    held.by_feed["broker"] = alerts
                    held.messages["broker"] = body
                    held.version += 1
                    last = body
        await asyncio.sleep(ALERTS_EVERY)


async def relay_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: take the latest tick from Redis, then relay every new one; stop on
    cleanup."""
    broker = app[broker_key]
    frames = app[frames_key]
    assert isinstance(frames, RemoteFrames)
    relay = Relay(frames, app[hub_key])
    app[relay_key] = relay
    fetch_alerts = alerts_key not in app  # with --role all, this process polls them itself
    if fetch_alerts:
        app[alerts_key] = AlertsIn()
    await _load_latest(broker, relay)
    if frames.fleet is None:
        log.warning("no tick in Redis yet: is a feeder running (--role feeder)?")
    listen = asyncio.create_task(_listen(app, broker, relay), name="bustrack-relay")
    app[ticker_key] = listen  # /readyz: the relay is this process's ticker
    others = [asyncio.create_task(_watch(app, broker), name="bustrack-watch")]
    if fetch_alerts:
        others.append(asyncio.create_task(_alerts(app, broker), name="bustrack-alerts"))
    yield
    for task in (listen, *others):
        task.cancel()
    for task in (listen, *others):
        with contextlib.suppress(asyncio.CancelledError):
            await task
