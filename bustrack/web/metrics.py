"""Prometheus ``/metrics``, served on ``--metrics-port`` only, never on the public port.

Each app has its own :class:`~prometheus_client.CollectorRegistry` (tests run several
apps in one process). Nothing is counted per client per frame for it: the hub's totals
(:class:`~bustrack.broker.hub.Hub`), the ingest counts and the GTFS-realtime feeds' states are
read when Prometheus scrapes (:class:`_AppCollector`); the ticker makes one call per tick
(:class:`~bustrack.web.counts.TickStats`) that observes three histograms; the garbage
collector's pauses are timed by a ``gc.callbacks`` hook while the app runs.

What is exported (``docs/api.md`` lists it for operators):

- ``bustrack_ws_clients{kind}`` (``viewport``, ``routes``, ``all``),
  ``bustrack_ws_clients_following{what}`` (``stop``, ``vehicle``);
- ``bustrack_ws_frames_sent_total``, ``bustrack_ws_bytes_sent_total``,
  ``bustrack_ws_frames_skipped_total``, ``bustrack_ws_clients_dropped_total{reason}``;
- ``bustrack_tick_duration_seconds``, ``bustrack_tick_lag_seconds``,
  ``bustrack_fanout_duration_seconds`` (histograms), ``bustrack_vehicles``;
- ``bustrack_feed_age_seconds`` (since the last tick published the fleet),
  ``bustrack_source_age_seconds{kind,source}`` (since each GTFS-realtime feed's last good
  fetch, and since the last report accepted by the ingest API), ``bustrack_source_up``,
  ``bustrack_source_failures`` (failures in a row);
- ``bustrack_ingest_accepted_total``, ``bustrack_ingest_refused_total{reason}``;
- ``bustrack_gc_pause_seconds{generation}`` (histogram), and the client library's
  ``process_*`` (CPU, memory, file descriptors).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector

from bustrack.broker.publish import RedisPublisher
from bustrack.web.counts import IngestCounts, TickStats, ingest_counts_key, tick_stats_key
from bustrack.web.gtfsrt_poll import feeds_key
from bustrack.web.health import shown_url
from bustrack.web.keys import fleet_key, hub_key, leader_key, publisher_key, settings_key
from bustrack.web.relay import relay_key
from bustrack.web.roles import feeds
from bustrack.web.serve import PortError
from bustrack.wire.channels import ALL

__all__ = ["Metrics", "add_metrics", "client_kind", "metrics_key"]

log = logging.getLogger(__name__)

_TICK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_LAG_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_FANOUT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
_GC_BUCKETS = (0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


def client_kind(key: str) -> str:
    """What a client with channel key ``key`` watches: ``viewport`` (map tiles), ``routes``
    or ``all`` (see :mod:`bustrack.wire.channels`); ``none`` for no channel."""
    first = key.split("|", 1)[0]
    if not first:
        return "none"
    if first == ALL:
        return "all"
    return "routes" if first.startswith("r/") else "viewport"


class Metrics:
    """One app's registry, its histograms, and the hook that times garbage collections."""

    def __init__(self, app: web.Application) -> None:
        self.registry = CollectorRegistry()
        self.tick_duration = Histogram(
            "bustrack_tick_duration_seconds",
            "Time one tick took: locating the buses, predictions, boards and fan-out.",
            buckets=_TICK_BUCKETS,
            registry=self.registry,
        )
        self.tick_lag = Histogram(
            "bustrack_tick_lag_seconds",
            "How late a tick started after it was due (the previous start plus --tick).",
            buckets=_LAG_BUCKETS,
            registry=self.registry,
        )
        self.fanout = Histogram(
            "bustrack_fanout_duration_seconds",
            "Time one tick spent writing its frames to every client.",
            buckets=_FANOUT_BUCKETS,
            registry=self.registry,
        )
        gc_pause = Histogram(
            "bustrack_gc_pause_seconds",
            "Pauses of the garbage collector, by generation collected.",
            ["generation"],
            buckets=_GC_BUCKETS,
            registry=self.registry,
        )
        self._gc_pauses = [gc_pause.labels(str(g)) for g in range(3)]
        self._gc_started: float | None = None
        self.registry.register(_AppCollector(app))
        ProcessCollector(registry=self.registry)

    def observe_tick(self, duration: float, lag: float, fanout: float) -> None:
        """:data:`~bustrack.web.counts.TickObserver`: one tick's figures, in seconds."""
        self.tick_duration.observe(duration)
        self.tick_lag.observe(lag)
        self.fanout.observe(fanout)

    def on_gc(self, phase: str, info: dict[str, Any]) -> None:
        """A ``gc.callbacks`` hook: time each collection from its start to its stop."""
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started is not None:
            generation = min(max(int(info.get("generation", 2)), 0), 2)
            self._gc_pauses[generation].observe(time.perf_counter() - self._gc_started)
            self._gc_started = None

    def exposition(self) -> bytes:
        """Everything, in Prometheus' text format."""
        return generate_latest(self.registry)


metrics_key = web.AppKey("metrics", Metrics)


class _AppCollector:
    """What the app already keeps, read at scrape time."""

    def __init__(self, app: web.Application) -> None:
        self._app = app

    def collect(self) -> Iterable[Metric]:
        app = self._app
        yield from self._clients(app)
        stats: TickStats = app[tick_stats_key]
        if feeds(app[settings_key]):  # a web process of --redis has no fleet of its own
            vehicles = GaugeMetricFamily(
                "bustrack_vehicles", "Buses in the fleet at the last tick."
            )
            vehicles.add_metric([], len(app[fleet_key]))
            yield vehicles
        yield from self._broker(app)
        if stats.last_end is not None:
            age = GaugeMetricFamily(
                "bustrack_feed_age_seconds",
                "Seconds since the last tick published the fleet to the clients.",
            )
            age.add_metric([], max(0.0, _loop_time() - stats.last_end))
            yield age
        yield from self._sources(app)
        yield from self._ingest(app[ingest_counts_key])

    def _broker(self, app: web.Application) -> Iterable[Metric]:
        relay = app.get(relay_key)
        if relay is not None:
            for name, doc, value in (
                ("bustrack_broker_ticks", "Ticks received from the feeder.", relay.ticks),
                (
                    "bustrack_broker_resyncs",
                    "Ticks that did not follow the one before (another feeder, lost "
                    "messages): every client was sent a snapshot.",
                    relay.resyncs,
                ),
                ("bustrack_broker_bad_messages", "Broker messages not understood.", relay.bad),
            ):
                yield CounterMetricFamily(name, doc, value=value)
        leader = app.get(leader_key)
        if leader is not None and feeds(app[settings_key]):
            active = GaugeMetricFamily(
                "bustrack_feeder_active", "1 while this process is the active feeder."
            )
            active.add_metric([], 1.0 if leader.is_set() else 0.0)
            yield active
            publisher = app[publisher_key]
            if isinstance(publisher, RedisPublisher):
                receivers = GaugeMetricFamily(
                    "bustrack_broker_receivers", "Web processes that got the last tick."
                )
                receivers.add_metric([], publisher.receivers)
                yield receivers

    def _clients(self, app: web.Application) -> Iterable[Metric]:
        hub = app[hub_key]
        kinds: Counter[str] = Counter({"viewport": 0, "routes": 0, "all": 0})
        following: Counter[str] = Counter({"stop": 0, "vehicle": 0})
        for client in list(hub.clients):
            kinds[client_kind(client.key)] += 1
            if client.stop is not None:
                following["stop"] += 1
            if client.vehicle is not None:
                following["vehicle"] += 1
        clients = GaugeMetricFamily(
            "bustrack_ws_clients", "Connected /ws clients, by what they watch.", labels=["kind"]
        )
        for kind, n in sorted(kinds.items()):
            clients.add_metric([kind], n)
        yield clients
        follow = GaugeMetricFamily(
            "bustrack_ws_clients_following",
            "Connected /ws clients that also get a stop's arrivals or a bus's details.",
            labels=["what"],
        )
        for what, n in sorted(following.items()):
            follow.add_metric([what], n)
        yield follow
        for name, doc, value in (
            ("bustrack_ws_frames_sent", "Frames the hub wrote to /ws clients.", hub.frames_sent),
            ("bustrack_ws_bytes_sent", "Bytes of the frames the hub wrote.", hub.bytes_sent),
            (
                "bustrack_ws_frames_skipped",
                "Frames not written to a client that was behind (it gets a snapshot later).",
                hub.frames_skipped,
            ),
        ):
            yield CounterMetricFamily(name, doc, value=value)
        dropped = CounterMetricFamily(
            "bustrack_ws_clients_dropped",
            "/ws clients the server closed: stuck (not reading), rate_limit, binary.",
            labels=["reason"],
        )
        for reason in sorted({"stuck", "rate_limit", "binary", *hub.drops}):
            dropped.add_metric([reason], hub.drops[reason])
        yield dropped

    def _sources(self, app: web.Application) -> Iterable[Metric]:
        now = time.time()
        labels = ["kind", "source"]
        age = GaugeMetricFamily(
            "bustrack_source_age_seconds",
            "Seconds since each source's last good fetch (GTFS-realtime) or accepted report "
            "(ingest).",
            labels=labels,
        )
        up = GaugeMetricFamily(
            "bustrack_source_up", "1 if a GTFS-realtime feed's last fetch succeeded.", labels=labels
        )
        failures = GaugeMetricFamily(
            "bustrack_source_failures",
            "Failed fetches of a GTFS-realtime feed in a row.",
            labels=labels,
        )
        for status in app.get(feeds_key, {}).values():
            where = [status.kind, shown_url(status.url)]
            if status.last_ok is not None:
                age.add_metric(where, max(0.0, now - status.last_ok))
            up.add_metric(where, 1 if status.last_ok is not None and not status.failures else 0)
            failures.add_metric(where, status.failures)
        ingest = app[ingest_counts_key]
        if ingest.last_accepted is not None:
            age.add_metric(["ingest", "/api/ingest"], max(0.0, now - ingest.last_accepted))
        yield from (age, up, failures)

    def _ingest(self, counts: IngestCounts) -> Iterable[Metric]:
        yield CounterMetricFamily(
            "bustrack_ingest_accepted",
            "Reports accepted by /api/ingest and /api/ingest/osmand.",
            value=counts.accepted,
        )
        refused = CounterMetricFamily(
            "bustrack_ingest_refused",
            "Reports refused by rule (field, future, old, no_fix, area, jump, device), and "
            "whole requests refused (token, body, too_large).",
            labels=["reason"],
        )
        for reason, n in sorted(counts.refused.items()):
            refused.add_metric([reason], n)
        yield refused


def _loop_time() -> float:
    """The event loop's clock, as the ticker records its moments."""
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:  # scraped outside the loop: asyncio's clock is time.monotonic
        return time.monotonic()


async def _serve_metrics(request: web.Request) -> web.Response:
    metrics: Metrics = request.app[_owner_key][metrics_key]
    return web.Response(body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})


_owner_key: web.AppKey[web.Application] = web.AppKey("metrics_owner")


async def _start_server(app: web.Application) -> web.AppRunner:
    settings = app[settings_key]
    server = web.Application()
    server[_owner_key] = app
    server.router.add_get("/metrics", _serve_metrics)
    runner = web.AppRunner(server, access_log=None)  # a scrape every 15 s is no news
    await runner.setup()
    site = web.TCPSite(runner, settings.metrics_host, settings.metrics_port)
    try:
        await site.start()
    except OSError as err:
        await runner.cleanup()
        where = f"{settings.metrics_host}:{settings.metrics_port}"
        raise PortError(
            f"cannot serve metrics on {where}: {err.strerror}; choose another --metrics-port"
        ) from None
    log.info("metrics on http://%s:%d/metrics", settings.metrics_host, settings.metrics_port)
    return runner


async def _metrics_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: time the garbage collector while the app runs; serve --metrics-port."""
    metrics = app[metrics_key]
    runner = await _start_server(app) if app[settings_key].metrics_port else None
    gc.callbacks.append(metrics.on_gc)
    try:
        yield
    finally:
        gc.callbacks.remove(metrics.on_gc)
        if runner is not None:
            await runner.cleanup()


def add_metrics(app: web.Application) -> None:
    """Give ``app`` its counters (:mod:`bustrack.web.counts`), its registry, and the
    cleanup context that serves them on ``--metrics-port`` (0: not served).

    Call it before the other cleanup contexts are added: a metrics port that cannot be
    bound then stops the start before anything else has started.
    """
    app[tick_stats_key] = TickStats()
    app[ingest_counts_key] = IngestCounts()
    app[metrics_key] = Metrics(app)
    app[tick_stats_key].observers.append(app[metrics_key].observe_tick)
    app.cleanup_ctx.append(_metrics_ctx)
