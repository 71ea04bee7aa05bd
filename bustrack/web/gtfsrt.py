"""GTFS-realtime endpoints: ``/gtfs-rt/vehicle-positions.pb`` and ``/gtfs-rt/trip-updates.pb``.

Protobuf by default (``application/x-protobuf``); ``?format=json`` for humans. No request
can delay the buses: a message is built in a worker thread, not on the event loop that
runs the ticks, from inputs taken at one tick (the same state that ``/ws`` sends); each
kind and format is built by one task at a time, which every request asking meanwhile
waits for, and is rebuilt at most every :data:`REBUILD_EVERY` seconds (its header's
timestamp says which tick it shows). The Mumbai feed's trip updates as JSON are about
19 MB and take most of a second to build: twenty clients asking at once cost one build.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import orjson
from aiohttp import web
from google.transit import gtfs_realtime_pb2 as rt

from bustrack.broker.redis import broker_errors
from bustrack.live.gtfsrt_out import alerts, to_json, trip_updates, vehicle_positions
from bustrack.web.gtfsrt_poll import alerts_key, updates_key
from bustrack.web.keys import (
    broker_key,
    clock_key,
    feed_key,
    fleet_key,
    predictor_key,
    settings_key,
)

__all__ = ["BUILDS", "REBUILD_EVERY", "add_routes", "encode"]

# Seconds a built message is served before the next request builds it anew.
REBUILD_EVERY = 5.0

# Builds a message from inputs already taken on the loop; runs in a worker thread.
Build = Callable[[], rt.FeedMessage]


@dataclass(slots=True)
class _Built:
    body: bytes = b""
    ts_ms: int = -1
    at: float = float("-inf")  # loop time of the build
    task: asyncio.Task[None] | None = None


@dataclass(slots=True)
class _Cache:
    entries: dict[tuple[str, str], _Built] = field(default_factory=dict)


_cache_key = web.AppKey("gtfsrt_cache", _Cache)


def encode(build: Build, fmt: str) -> bytes:
    """Build a message and encode it as ``pb`` or ``json``."""
    msg = build()
    if fmt == "json":
        return orjson.dumps(to_json(msg), option=orjson.OPT_INDENT_2)
    body: bytes = msg.SerializeToString()
    return body


def _handler(
    name: str, inputs: Callable[[web.Application, int], Build]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.Response:
        app = request.app
        fmt = request.query.get("format", "pb")
        if fmt not in ("pb", "json"):
            raise web.HTTPBadRequest(text="format must be pb or json\n")
        entry = app[_cache_key].entries.setdefault((name, fmt), _Built())
        loop = asyncio.get_running_loop()
        ts_ms = app[fleet_key].ts_ms
        fresh = entry.ts_ms == ts_ms or loop.time() - entry.at < REBUILD_EVERY
        if not fresh and entry.task is None:
            entry.task = asyncio.create_task(
                _rebuild(entry, inputs(app, ts_ms // 1000), fmt, ts_ms)
            )
        if entry.task is not None and (not fresh or not entry.body):
            await asyncio.shield(entry.task)
        content_type = "application/json" if fmt == "json" else "application/x-protobuf"
        return web.Response(
            body=entry.body, content_type=content_type, headers={"Cache-Control": "no-cache"}
        )

    handle.__name__ = name
    return handle


async def _rebuild(entry: _Built, build: Build, fmt: str, ts_ms: int) -> None:
    try:
        entry.body = await asyncio.to_thread(encode, build, fmt)
        entry.ts_ms = ts_ms
        entry.at = asyncio.get_running_loop().time()
    finally:
        entry.task = None


def _positions(app: web.Application, ts: int) -> Build:
    fleet = app[fleet_key]
    vehicles = list(fleet.vehicles)
    before = fleet.before  # the previous tick's, for speeds as the popup has them
    feed = app[feed_key]
    shift = -app[clock_key].offset.total_seconds()
    stale_after = app[settings_key].stale_after

    def build() -> rt.FeedMessage:
        by_id = {v.vehicle_id: v for v in before}
        return vehicle_positions(vehicles, feed, ts, shift, by_id, stale_after)

    return build


def _trip_updates(app: web.Application, ts: int) -> Build:
    vehicles = list(app[fleet_key].vehicles)
    feed = app[feed_key]
    shift = -app[clock_key].offset.total_seconds()
    etas = app[predictor_key].predict_all()
    updates = app.get(updates_key)
    if updates is not None and len(updates):  # other producers' predictions, as the boards
        by_id = {v.vehicle_id: v for v in vehicles}
        now = ts - shift
        etas = {vid: updates.blend_etas(by_id[vid], e, now, shift) if vid in by_id else e
                for vid, e in etas.items()}  # fmt: skip
    return lambda: trip_updates(vehicles, etas, feed, ts, shift)


def _alerts(app: web.Application, ts: int) -> Build:
    held = app.get(alerts_key)
    parts = list(held.messages.values()) if held is not None else []
    return lambda: alerts(parts, ts)


# How each message's inputs are taken from the app (on the loop) to build it elsewhere.
BUILDS: dict[str, Callable[[web.Application, int], Build]] = {
    "vehicle_positions": _positions,
    "trip_updates": _trip_updates,
    "alerts": _alerts,
}
_PATHS = {
    "vehicle_positions": "/gtfs-rt/vehicle-positions.pb",
    "trip_updates": "/gtfs-rt/trip-updates.pb",
    "alerts": "/gtfs-rt/alerts.pb",
}


def _remote_handler(name: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """With --redis: serve the message the active feeder built (see bustrack.web.feeder)."""

    async def handle(request: web.Request) -> web.Response:
        fmt = request.query.get("format", "pb")
        if fmt not in ("pb", "json"):
            raise web.HTTPBadRequest(text="format must be pb or json\n")
        try:
            body = await request.app[broker_key].gtfsrt(name)
        except broker_errors:
            body = None
        if body is None:  # asked for now: the feeder builds it within REBUILD_EVERY
            raise web.HTTPServiceUnavailable(
                text="the feeder has not built this message yet; retry in a few seconds\n",
                headers={"Retry-After": str(round(REBUILD_EVERY))},
            )
        content_type = "application/x-protobuf"
        if fmt == "json":
            msg = rt.FeedMessage()
            msg.ParseFromString(body)
            body = orjson.dumps(to_json(msg), option=orjson.OPT_INDENT_2)
            content_type = "application/json"
        return web.Response(
            body=body, content_type=content_type, headers={"Cache-Control": "no-cache"}
        )

    handle.__name__ = name
    return handle


def add_routes(app: web.Application) -> None:
    """Register the GTFS-realtime endpoints on ``app``: our vehicles and predictions, and
    the alerts of the Alerts feeds in, passed on (none without ``--gtfs-rt-alerts``).
    With ``--redis`` they serve what the active feeder built."""
    app[_cache_key] = _Cache()
    remote = bool(app[settings_key].redis)
    for name, inputs in BUILDS.items():
        handler = _remote_handler(name) if remote else _handler(name, inputs)
        app.router.add_get(_PATHS[name], handler)
