"""``/healthz`` (liveness) and ``/readyz`` (readiness), on the public port.

- ``/healthz`` answers 200 for as long as the process serves requests: a probe that
  gets no answer should restart it.
- ``/readyz`` answers 200 when this instance can serve what it should: the GTFS feed is
  loaded, the ticker task runs and its last tick ended at most
  ``max(TICK_STALE_TICKS * --tick, TICK_STALE_MIN)`` seconds ago, and every GTFS-realtime
  feed in (if any) answered within ``--ready-source-age`` seconds. Otherwise 503. Both
  ways the JSON body lists each check and ``failed`` names those that failed; a load
  balancer takes a 503 instance out of rotation, an operator reads why.

Feed URLs are shown without their query string or user info, where producers put API
keys. This module only reads what the ticker (:class:`~bustrack.web.counts.TickStats`)
and the pollers (:class:`~bustrack.web.gtfsrt_poll.FeedStatus`) record.
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from typing import Any

import orjson
from aiohttp import web

from bustrack.web.counts import tick_stats_key
from bustrack.web.gtfsrt_poll import FeedStatus, feeds_key
from bustrack.web.keys import feed_key, leader_key, settings_key, ticker_key

__all__ = [
    "TICK_STALE_MIN",
    "TICK_STALE_TICKS",
    "add_health_routes",
    "healthz",
    "readiness",
    "readyz",
    "shown_url",
]

TICK_STALE_TICKS = 10  # ticks without one ending: the ticker is stuck
TICK_STALE_MIN = 10.0  # seconds, at least (a full garbage collection may take one)


def shown_url(url: str) -> str:
    """``url`` without user info, query or fragment (where API keys go): safe to show."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _source(status: FeedStatus, now: float, max_age: float) -> dict[str, Any]:
    age = None if status.last_ok is None else max(0.0, now - status.last_ok)
    out: dict[str, Any] = {
        "kind": status.kind,
        "url": shown_url(status.url),
        "ok": age is not None and age <= max_age,
        "age": None if age is None else round(age, 3),
    }
    if status.last_error:  # an error may quote the URL: never its query
        out["last_error"] = status.last_error.replace(status.url, out["url"])
    return out


def readiness(app: web.Application, loop_now: float, now: float) -> dict[str, Any]:
    """Every readiness check of ``app``: ``{"ready", "failed", "checks"}``.

    Args:
        app: the running application.
        loop_now: the event loop's clock (``loop.time()``), for the ticker.
        now: Unix time, for the GTFS-realtime feeds' last good fetch.
    """
    settings = app[settings_key]
    feed = app.get(feed_key)
    checks: dict[str, dict[str, Any]] = {
        "feed": {"ok": feed is not None, "trips": len(feed.trips) if feed else 0},
    }
    task = app.get(ticker_key)
    stats = app[tick_stats_key]
    stale = max(TICK_STALE_TICKS * settings.tick, TICK_STALE_MIN)
    age = None if stats.last_end is None else max(0.0, loop_now - stats.last_end)
    running = task is not None and not task.done()
    ticking = age is not None and age <= stale
    checks["ticker"] = {
        "ok": running and ticking,
        "running": running,
        "last_tick_age": None if age is None else round(age, 3),
        "max_age": stale,
    }
    leader = app.get(leader_key)
    if leader is not None and not leader.is_set() and settings.role == "feeder":
        # A standby feeder does not tick until it takes over: ready to.
        checks["ticker"].update(ok=running, standby=True)
    elif settings.redis and settings.role == "web":
        # The relay is this process's ticker. Ticks that stopped coming (no feeder) leave
        # it serving its pages, which grey the buses: it stays in rotation, and says so.
        checks["ticker"].update(ok=running, feeder_ticking=ticking)
    sources = [
        _source(status, now, settings.ready_source_age)
        for status in app.get(feeds_key, {}).values()
    ]
    checks["sources"] = {
        "ok": all(s["ok"] for s in sources),
        "max_age": settings.ready_source_age,
        "feeds": sources,
    }
    failed = [name for name, check in checks.items() if not check["ok"]]
    return {"ready": not failed, "failed": failed, "checks": checks}


def _json(body: dict[str, Any], status: int) -> web.Response:
    return web.Response(
        body=orjson.dumps(body),
        status=status,
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


async def healthz(request: web.Request) -> web.Response:
    """``GET /healthz``: 200 while the process serves."""
    return _json({"ok": True}, 200)


async def readyz(request: web.Request) -> web.Response:
    """``GET /readyz``: 200 if every check passes, else 503; the body says which failed."""
    body = readiness(request.app, asyncio.get_running_loop().time(), time.time())
    return _json(body, 200 if body["ready"] else 503)


def add_health_routes(app: web.Application) -> None:
    """Register ``/healthz`` and ``/readyz`` on ``app``."""
    app.router.add_get("/healthz", healthz, name="healthz")
    app.router.add_get("/readyz", readyz, name="readyz")
