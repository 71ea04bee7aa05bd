"""GTFS-realtime endpoints: ``/gtfs-rt/vehicle-positions.pb`` and ``/gtfs-rt/trip-updates.pb``.

Protobuf by default (``application/x-protobuf``); ``?format=json`` for humans. Each
message is built at most once per tick, from the same state that ``/ws`` sends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import orjson
from aiohttp import web
from google.transit import gtfs_realtime_pb2 as rt

from bustrack.gtfsrt import to_json, trip_updates, vehicle_positions
from bustrack.web.keys import clock_key, feed_key, fleet_key, predictor_key

__all__ = ["add_routes"]

_cache_key = web.AppKey("gtfsrt_cache", dict[tuple[str, int, str], bytes])


def _handler(
    name: str, build: Callable[[web.Application, int], rt.FeedMessage]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.Response:
        app = request.app
        fmt = request.query.get("format", "pb")
        if fmt not in ("pb", "json"):
            raise web.HTTPBadRequest(text="format must be pb or json\n")
        ts_ms = app[fleet_key].ts_ms
        cache = app[_cache_key]
        key = (name, ts_ms, fmt)
        body = cache.get(key)
        if body is None:
            msg = build(app, ts_ms // 1000)
            if fmt == "json":
                body = orjson.dumps(to_json(msg), option=orjson.OPT_INDENT_2)
            else:
                body = msg.SerializeToString()
            # Keep only this tick's messages.
            for old in [k for k in cache if k[1] != ts_ms]:
                del cache[old]
            cache[key] = body
        content_type = "application/json" if fmt == "json" else "application/x-protobuf"
        return web.Response(
            body=body, content_type=content_type, headers={"Cache-Control": "no-cache"}
        )

    handle.__name__ = name
    return handle


def _positions(app: web.Application, ts: int) -> rt.FeedMessage:
    fleet = app[fleet_key]
    shift = -app[clock_key].offset.total_seconds()
    return vehicle_positions(fleet.vehicles, app[feed_key], ts, shift)


def _trip_updates(app: web.Application, ts: int) -> rt.FeedMessage:
    fleet = app[fleet_key]
    shift = -app[clock_key].offset.total_seconds()
    etas = app[predictor_key].predict_all()
    return trip_updates(fleet.vehicles, etas, app[feed_key], ts, shift)


def add_routes(app: web.Application) -> None:
    """Register the GTFS-realtime endpoints on ``app``."""
    app[_cache_key] = {}
    app.router.add_get("/gtfs-rt/vehicle-positions.pb", _handler("vehicle_positions", _positions))
    app.router.add_get("/gtfs-rt/trip-updates.pb", _handler("trip_updates", _trip_updates))
