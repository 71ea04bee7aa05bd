"""The Redis broker: what feeders and web processes say to each other through Redis.

Keys (all under ``bustrack:``):

- ``fleet`` and ``boards`` (pub/sub): each tick's messages (:mod:`bustrack.broker.message`),
  published once for every web process; ``latest:fleet`` and ``latest:boards`` keep the
  last of each, so that a web process that starts or reconnects has a snapshot at once.
- ``watch`` (hash): the boards (a stop's arrivals or its glance part, a bus's details) that
  some web process's clients watch, each with the Unix time it expires unless renewed; the feeder
  builds those.
- ``ingest`` (stream, consumer group ``feeder``): report batches a web process accepted.
  The web process answers the device once ``XADD`` returned (with Redis's
  ``appendfsync always``, the batch is then on disk); the feeder commits each batch to
  its store before it acknowledges (``XACK``) and deletes it, so a feeder that dies takes
  nothing acknowledged with it: the next one reads the unacknowledged batches first.
- ``last`` (hash): each device's latest accepted report, written with its batch (one
  ``MULTI``), so that every web process judges a device's next report (a GPS jump) against
  the last one any of them took, not only those it took itself.
- ``feeder`` (lock with expiry): held by the one active feeder, renewed each tick.
- ``gtfsrt:<name>``: the feeder's GTFS-realtime messages for ``/gtfs-rt``, built while
  ``want:gtfsrt:<name>`` says a web process was asked for that one lately.

Nothing here encodes frames; the feeder's shell (:mod:`bustrack.web.feeder`) and the web
process's (:mod:`bustrack.web.relay`) drive it.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

import orjson
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bustrack.sources.report import Report

__all__ = [
    "BOARDS",
    "FLEET",
    "RedisBroker",
    "RedisUnavailable",
    "broker_errors",
    "check_redis",
    "safe_url",
]

log = logging.getLogger(__name__)

PREFIX = "bustrack:"
FLEET = PREFIX + "fleet"
BOARDS = PREFIX + "boards"
LATEST_FLEET = PREFIX + "latest:fleet"
LATEST_BOARDS = PREFIX + "latest:boards"
WATCH = PREFIX + "watch"
INGEST = PREFIX + "ingest"
LAST = PREFIX + "last"
GROUP = "feeder"
CONSUMER = "feeder"  # one active feeder at a time: the next one takes over its pending batches
LOCK = PREFIX + "feeder"
GTFSRT = PREFIX + "gtfsrt:"
WANT_GTFSRT = PREFIX + "want:gtfsrt:"
LATEST_TTL_MS = 60_000  # a feeder gone this long leaves no "latest" tick to show as current
WANT_TTL = 60  # seconds /gtfs-rt stays built after its last request

# What losing Redis looks like to redis-py's asyncio client.
broker_errors: tuple[type[Exception], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    OSError,
)


_unreachable: tuple[type[Exception], ...] = (*broker_errors, ResponseError)
_lost_lock: tuple[type[Exception], ...] = (*broker_errors, LockError)


class RedisUnavailable(RuntimeError):
    """Redis cannot be reached; the message names the URL (without its password)."""


def safe_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


async def check_redis(url: str) -> None:
    """Raise :class:`RedisUnavailable` unless Redis at ``url`` answers."""
    broker = RedisBroker(url)
    try:
        await broker.connect()
    finally:
        await broker.redis.aclose()


def _bytes(value: object) -> bytes | None:
    return None if value is None else bytes(value)  # type: ignore[call-overload]


class RedisBroker:
    """One process's connection to the broker (a feeder's, a web process's, or both)."""

    def __init__(self, url: str, *, lock_ttl: float = 5.0) -> None:
        """A broker at ``url`` (not connected until :meth:`connect`)."""
        self.url = url
        self.lock_ttl = lock_ttl
        self.redis: aioredis.Redis = aioredis.from_url(
            url,
            socket_connect_timeout=3.0,
            socket_timeout=10.0,
            health_check_interval=5,
            retry_on_timeout=False,
        )
        self._lock = self.redis.lock(LOCK, timeout=lock_ttl, blocking=False, thread_local=False)
        self._group_ready = False

    async def connect(self) -> None:
        """Check that Redis answers.

        Raises:
            RedisUnavailable: it does not (wrong address, down, refused auth).
        """
        try:
            await self.redis.ping()
        except _unreachable as err:
            raise RedisUnavailable(f"cannot reach Redis at {safe_url(self.url)}: {err}") from None
        await self._warn_if_not_durable()

    async def _warn_if_not_durable(self) -> None:
        try:
            config = await self.redis.config_get("appendfsync")
            aof = await self.redis.config_get("appendonly")
        except ResponseError:  # CONFIG is often disabled on managed Redis
            return
        if aof.get("appendonly") != "yes" or config.get("appendfsync") != "always":
            log.warning(
                "Redis at %s does not fsync every write (appendonly %s, appendfsync %s): "
                "reports acknowledged by a web process may be lost if Redis itself crashes; "
                "see docs/scaling.md",
                safe_url(self.url),
                aof.get("appendonly"),
                config.get("appendfsync"),
            )

    async def close(self) -> None:
        """Release the feeder lock if held, and close the connections."""
        try:
            if await self.owns_lock():
                await self._lock.release()
        except _lost_lock:
            pass
        await self.redis.aclose()

    # The feeder's side.

    async def take_lock(self) -> bool:
        """Take or renew the active feeder's lock; False if another feeder holds it."""
        try:
            if self._lock.local.token is not None:
                await self._lock.reacquire()
                return True
        except LockError:
            self._lock.local.token = None  # expired, or taken by another: try afresh
        return bool(await self._lock.acquire(blocking=False))

    async def owns_lock(self) -> bool:
        """Whether this process holds the feeder lock now."""
        return self._lock.local.token is not None and bool(await self._lock.owned())

    async def publish(self, kind: str, data: bytes) -> int:
        """Publish a tick's ``fleet`` or ``boards`` message and keep it as the latest;
        return how many web processes got it."""
        channel, latest = (FLEET, LATEST_FLEET) if kind == "fleet" else (BOARDS, LATEST_BOARDS)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(latest, data, px=LATEST_TTL_MS)
            pipe.publish(channel, data)
            _, receivers = await pipe.execute()
        return int(receivers)

    async def watched(self, now: float) -> set[tuple[str, str]]:
        """The boards some web process's clients watch at Unix time ``now``; the expired
        ones are forgotten."""
        raw: Any = await self.redis.hgetall(WATCH)
        wanted: set[tuple[str, str]] = set()
        expired = []
        for name, until in raw.items():
            if float(until) < now:
                expired.append(name)
                continue
            kind, _, key = name.decode().partition("\x1f")
            wanted.add((kind, key))
        if expired:
            await self.redis.hdel(WATCH, *expired)
        return wanted

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self.redis.xgroup_create(INGEST, GROUP, id="0", mkstream=True)
        except ResponseError as err:
            if "BUSYGROUP" not in str(err):
                raise
        self._group_ready = True

    async def read_reports(
        self, *, pending: bool, block_ms: int, count: int = 200
    ) -> list[tuple[bytes, list[Report]]]:
        """Batches from the ingest stream: with ``pending``, those delivered to a feeder
        but never acknowledged (a feeder died with them), else new ones (waiting up to
        ``block_ms``). Each is (entry id, reports)."""
        await self._ensure_group()
        found: Any = await self.redis.xreadgroup(
            GROUP,
            CONSUMER,
            {INGEST: "0" if pending else ">"},
            count=count,
            block=None if pending else block_ms,
        )
        out: list[tuple[bytes, list[Report]]] = []
        for _stream, entries in found or []:
            for entry_id, fields in entries:
                if not fields:  # deleted meanwhile
                    out.append((entry_id, []))
                    continue
                rows = orjson.loads(fields[b"reports"])
                out.append((entry_id, [Report(**r) for r in rows]))
        return out

    async def ack_reports(self, entry_ids: Sequence[bytes]) -> None:
        """Acknowledge and delete batches the feeder has committed to its store."""
        if entry_ids:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.xack(INGEST, GROUP, *entry_ids)
                pipe.xdel(INGEST, *entry_ids)
                await pipe.execute()

    async def set_gtfsrt(self, name: str, body: bytes) -> None:
        """Keep the feeder's latest GTFS-realtime message ``name`` for the web processes."""
        await self.redis.set(GTFSRT + name, body, px=LATEST_TTL_MS)

    async def gtfsrt_wanted(self, name: str) -> bool:
        """Whether a web process was asked for GTFS-realtime message ``name`` lately."""
        return bool(await self.redis.exists(WANT_GTFSRT + name))

    # The web process's side.

    def pubsub(self) -> aioredis.client.PubSub:
        """A new subscription connection (the caller subscribes and closes it)."""
        return self.redis.pubsub(ignore_subscribe_messages=True)

    async def latest(self) -> tuple[bytes | None, bytes | None]:
        """The last ``fleet`` and ``boards`` messages any feeder published (or None)."""
        fleet, boards = await self.redis.mget(LATEST_FLEET, LATEST_BOARDS)
        return _bytes(fleet), _bytes(boards)

    async def watch(self, boards: Iterable[tuple[str, str]], until: float) -> None:
        """Ask the feeder for these boards until Unix time ``until`` (renew before)."""
        mapping = {f"{kind}\x1f{key}": until for kind, key in boards}
        if mapping:
            await self.redis.hset(WATCH, mapping=mapping)  # type: ignore[arg-type]

    async def submit_reports(self, reports: Sequence[Report]) -> None:
        """Hand accepted reports to the feeder; when this returns, Redis has them, and
        each device's newest of them is its last report for every web process."""
        body = orjson.dumps([asdict(r) for r in reports])
        newest: dict[str, Report] = {}
        for r in reports:
            if r.device not in newest or r.ts > newest[r.device].ts:
                newest[r.device] = r
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(INGEST, {"reports": body})
            if newest:
                pipe.hset(LAST, mapping={d: orjson.dumps(asdict(r)) for d, r in newest.items()})
            await pipe.execute()

    async def last_report(self, device: str) -> Report | None:
        """The device's latest report any web process accepted, or None."""
        raw = await self.redis.hget(LAST, device)
        return None if raw is None else Report(**orjson.loads(raw))

    async def gtfsrt(self, name: str) -> bytes | None:
        """The feeder's latest GTFS-realtime message ``name``, asking for the next ones."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(WANT_GTFSRT + name, b"1", ex=WANT_TTL)
            pipe.get(GTFSRT + name)
            _, body = await pipe.execute()
        return _bytes(body)
