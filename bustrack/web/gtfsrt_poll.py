"""Polling GTFS-realtime feeds: the I/O around the pure readers.

- VehiclePositions (``--gtfs-rt-vehicles``): read by
  :func:`~bustrack.sources.gtfsrt_in.read_vehicle_positions`, the buses placed on their
  runs, to the live buses and the store;
- TripUpdates (``--gtfs-rt-trip-updates``): read by
  :func:`~bustrack.sources.trip_updates_in.read_trip_updates`, into
  :class:`~bustrack.live.feed_updates.FeedUpdates`, which the stops' boards blend in;
- Alerts (``--gtfs-rt-alerts``): :func:`~bustrack.sources.alerts_in.read_alerts`, kept for
  ``/api/alerts`` and ``/gtfs-rt/alerts.pb`` (:mod:`bustrack.web.alerts`).

One task per URL fetches every ``--gtfs-rt-poll`` seconds with a timeout, asks with
``If-None-Match``/``If-Modified-Since`` (a ``304`` costs nothing), takes gzip (aiohttp
asks for it and inflates), and on errors backs off exponentially with jitter (at most
5 minutes), logging the first failure and the recovery, not every try. A malformed
message is logged with the URL and skipped: the buses keep their last good state, and
go stale (grey, then gone) by the same rules as a silent unit if the feed stops
updating, never frozen as if live (trip updates older than ten minutes are not used;
alerts stay until their feed says otherwise or their active period ends).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from bustrack.live.feed_updates import FeedUpdates
from bustrack.live.placing import Placement
from bustrack.sources.alerts_in import Alert, read_alerts
from bustrack.sources.feed_message import FeedDecodeError
from bustrack.sources.gtfsrt_in import Counts, read_vehicle_positions
from bustrack.sources.report import Report
from bustrack.sources.trip_updates_in import read_trip_updates
from bustrack.web.ingest import limits_key
from bustrack.web.keys import clock_key, feed_key, live_key, settings_key, store_key

__all__ = [
    "MAX_FEED_BYTES",
    "AlertsIn",
    "FeedStatus",
    "alerts_key",
    "feeds_key",
    "gtfsrt_poll_ctx",
    "updates_key",
]

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 64 * 1024 * 1024  # a whole city's VehiclePositions is a few MB
MAX_BACKOFF = 300.0


@dataclass
class FeedStatus:
    """What is known of one feed, for the log and (later) /readyz and /metrics."""

    url: str
    kind: str = "vehicles"  # "vehicles", "trip-updates" or "alerts"
    fetched: int = 0  # successful fetches, 304s included
    failures: int = 0  # failures in a row
    last_ok: float | None = None  # time.time() of the last good fetch
    last_error: str = ""
    vehicles: int = 0  # vehicles (trips, alerts) taken from the last message


@dataclass
class AlertsIn:
    """The alerts of every Alerts feed: each feed's last good message replaces its last."""

    by_feed: dict[str, list[Alert]] = field(default_factory=dict)
    messages: dict[str, bytes] = field(default_factory=dict)  # each feed's entities, re-encoded
    version: int = 0  # bumped on every change

    def all(self) -> list[Alert]:
        """Every feed's alerts."""
        return [a for alerts in self.by_feed.values() for a in alerts]


feeds_key = web.AppKey("gtfsrt_feeds", dict[str, FeedStatus])
updates_key = web.AppKey("gtfsrt_updates", FeedUpdates)
alerts_key = web.AppKey("gtfsrt_alerts", AlertsIn)
Take = Callable[[web.Application, FeedStatus, bytes, str], Awaitable[None]]


class _FetchError(Exception):
    pass


async def _fetch(http: aiohttp.ClientSession, url: str, cache: dict[str, str]) -> bytes | None:
    """The feed's bytes, or None if unchanged (304)."""
    headers = {}
    if "etag" in cache:
        headers["If-None-Match"] = cache["etag"]
    if "modified" in cache:
        headers["If-Modified-Since"] = cache["modified"]
    async with http.get(url, headers=headers) as resp:
        if resp.status == 304:
            return None
        if resp.status != 200:
            raise _FetchError(f"HTTP {resp.status}")
        body = bytearray()
        async for chunk in resp.content.iter_chunked(256 * 1024):
            body += chunk
            if len(body) > MAX_FEED_BYTES:
                raise _FetchError(f"the message is over {MAX_FEED_BYTES // 2**20} MB")
        data = bytes(body)
        cache.pop("etag", None)
        cache.pop("modified", None)
        if "ETag" in resp.headers:
            cache["etag"] = resp.headers["ETag"]
        if "Last-Modified" in resp.headers:
            cache["modified"] = resp.headers["Last-Modified"]
        return data


async def _poll(app: web.Application, status: FeedStatus, prefix: str, take: Take) -> None:
    settings = app[settings_key]
    period = settings.gtfs_rt_poll
    cache: dict[str, str] = {}
    jitter = random.Random()
    timeout = aiohttp.ClientTimeout(total=max(10.0, 2 * period))
    async with aiohttp.ClientSession(
        timeout=timeout, headers={"User-Agent": "bustrack (GTFS-realtime consumer)"}
    ) as http:
        while True:
            delay = period
            try:
                data = await _fetch(http, status.url, cache)
                status.fetched += 1
                if status.failures:
                    log.info("%s answers again after %d failures", status.url, status.failures)
                status.failures, status.last_error = 0, ""
                status.last_ok = time.time()
                if data is not None:
                    await take(app, status, data, prefix)
            except (aiohttp.ClientError, TimeoutError, _FetchError) as err:
                status.failures += 1
                status.last_error = str(err) or type(err).__name__
                delay = min(MAX_BACKOFF, period * 2 ** min(status.failures, 10))
                delay *= jitter.uniform(0.5, 1.5)
                if status.failures == 1:
                    log.warning(
                        "%s: %s; trying again with backoff (next in %.0f s)",
                        status.url,
                        status.last_error,
                        delay,
                    )
            await asyncio.sleep(delay)


async def _take(app: web.Application, status: FeedStatus, data: bytes, prefix: str) -> None:
    live = app[live_key]
    offset = app[clock_key].offset.total_seconds()

    def read() -> tuple[list[Report], Counts, list[Placement | None]]:
        reports, counts = read_vehicle_positions(
            data, time.time(), app[feed_key], live.last_of, app[limits_key], prefix
        )
        return reports, counts, [live.place(r, offset) for r in reports]

    try:
        # In a worker thread: reading a whole city's message and placing its buses on their
        # runs takes a tenth of a second or more, which the ticks should not wait for.
        reports, counts, placements = await asyncio.to_thread(read)
    except FeedDecodeError as err:
        log.warning("%s: %s; keeping the last good state", status.url, err)
        return
    for report, placed in zip(reports, placements, strict=True):
        live.accept(report, (offset, placed))
    status.vehicles = counts.accepted
    log.debug("%s: %s", status.url, counts.summary())
    if status.fetched == 1 or counts.refused:
        log.info("%s: %s", status.url, counts.summary())
    await app[store_key].append(reports)


async def _take_trip_updates(
    app: web.Application, status: FeedStatus, data: bytes, prefix: str
) -> None:
    try:
        trips, counts = await asyncio.to_thread(read_trip_updates, data, time.time(), app[feed_key])
    except FeedDecodeError as err:
        log.warning("%s: %s; keeping the last good state", status.url, err)
        return
    app[updates_key].replace(status.url, trips, time.time())
    status.vehicles = counts.taken
    if status.fetched == 1:
        log.info("%s: %s", status.url, counts.summary())


async def _take_alerts(app: web.Application, status: FeedStatus, data: bytes, prefix: str) -> None:
    try:
        alerts, msg = await asyncio.to_thread(read_alerts, data, time.time(), prefix)
    except FeedDecodeError as err:
        log.warning("%s: %s; keeping the last good state", status.url, err)
        return
    held = app[alerts_key]
    for entity in msg.entity:
        entity.id = prefix + entity.id
    held.by_feed[status.url] = alerts
    held.messages[status.url] = msg.SerializeToString()
    held.version += 1
    status.vehicles = len(alerts)
    if status.fetched == 1:
        log.info("%s: %d alerts in force", status.url, len(alerts))


async def gtfsrt_poll_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: one polling task per GTFS-realtime URL, cancelled on cleanup."""
    settings = app[settings_key]
    app[updates_key] = FeedUpdates()
    app[alerts_key] = AlertsIn()
    kinds: list[tuple[str, tuple[str, ...], Take]] = [
        ("vehicles", settings.feeds_in, _take),
        ("trip-updates", settings.trip_updates_in, _take_trip_updates),
        ("alerts", settings.alerts_in, _take_alerts),
    ]
    app[feeds_key] = {url: FeedStatus(url, kind) for kind, urls, _ in kinds for url in urls}
    tasks = []
    for kind, urls, take in kinds:
        # Several feeds' vehicle (alert) ids are told apart by the feed's number (one: none).
        for i, url in enumerate(urls):
            prefix = f"{i}:" if len(urls) > 1 else ""
            tasks.append(
                asyncio.create_task(
                    _poll(app, app[feeds_key][url], prefix, take), name=f"bustrack-{kind}-{i}"
                )
            )
    yield
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
