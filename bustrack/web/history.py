"""Where the buses were: ``/api/vehicles/{id}/history`` and ``/api/history``, from the store.

Real buses are stored as they report (``/api/ingest``, GTFS-realtime in); the simulated
ones are sampled into the store every :data:`SAMPLE_EVERY` seconds (unless ``--history
off``), so that history works out of the box. A simulated bus is stored under ``sim/``
and its vehicle id; a real one under its device id (its vehicle id is ``dev/`` and that).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Sequence
from typing import Any

import orjson
from aiohttp import web

from bustrack.live.devices import DEVICE_PREFIX
from bustrack.sources.report import Report
from bustrack.sources.simulation import Vehicle
from bustrack.web.api import ParamError, param_error_body, parse_bbox
from bustrack.web.keys import settings_key, store_key

__all__ = [
    "MAX_SPAN",
    "SAMPLE_EVERY",
    "SIM_PREFIX",
    "add_history_routes",
    "sample_simulated",
    "stored_id",
    "vehicle_id",
]

log = logging.getLogger(__name__)

SAMPLE_EVERY = 10.0  # seconds between two stored positions of a simulated bus
SIM_PREFIX = "sim/"
MAX_SPAN = 86400.0  # seconds one history request may cover
AT_WINDOW = 180.0  # /api/history: a bus's last report at most this long before `at`


def stored_id(vehicle: str) -> str:
    """The store's id of a vehicle id (``dev/X`` is device X; others are simulated)."""
    if vehicle.startswith(DEVICE_PREFIX):
        return vehicle[len(DEVICE_PREFIX) :]
    return SIM_PREFIX + vehicle


def vehicle_id(device: str) -> str:
    """The vehicle id of a store's id (the inverse of :func:`stored_id`)."""
    if device.startswith(SIM_PREFIX):
        return device[len(SIM_PREFIX) :]
    return DEVICE_PREFIX + device


def sample_simulated(vehicles: Sequence[Vehicle], shift: float) -> list[Report]:
    """The simulated buses as reports to store (real time: their stamp plus ``shift``)."""
    return [
        Report(
            device=SIM_PREFIX + v.vehicle_id,
            ts=v.timestamp + shift,
            lat=v.lat,
            lon=v.lon,
            bearing=v.bearing,
            trip_id=v.trip_id,
            route_id=v.route_id,
        )
        for v in vehicles
        if not v.vehicle_id.startswith(DEVICE_PREFIX)  # real ones are stored as they report
    ]


def _time(request: web.Request, name: str, default: float) -> float:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 <= value < 1e11:
        raise _bad(f"{name} must be a time in Unix seconds, not {raw!r}")
    return value


def _bad(message: str) -> web.HTTPBadRequest:
    # The same {"error": ...} answer as the rest of /api (bustrack.web.api).
    return web.HTTPBadRequest(
        text=param_error_body(message).decode(), content_type="application/json"
    )


def _json(data: Any) -> web.Response:
    return web.Response(body=orjson.dumps(data), content_type="application/json")


async def vehicle_history(request: web.Request) -> web.Response:
    """``GET /api/vehicles/{id}/history?from=&to=``: a GeoJSON LineString with times."""
    vid = request.match_info["id"]
    now = time.time()
    end = _time(request, "to", now)
    start = _time(request, "from", end - 3600)
    if start > end:
        raise _bad("from must not be after to")
    if end - start > MAX_SPAN:
        raise _bad(f"at most {MAX_SPAN / 3600:.0f} hours at once")
    reports = await request.app[store_key].history(stored_id(vid), start, end)
    return _json(
        {
            "type": "Feature",
            "geometry": {
                "type": "LineString",
                "coordinates": [[round(r.lon, 6), round(r.lat, 6)] for r in reports],
            },
            "properties": {
                "id": vid,
                "times": [r.ts_ms for r in reports],
                "route_id": reports[-1].route_id if reports else None,
                "trip_id": reports[-1].trip_id if reports else None,
            },
        }
    )


async def history_at(request: web.Request) -> web.Response:
    """``GET /api/history?at=&bbox=``: where every bus was at ``at`` (inside ``bbox``)."""
    at = _time(request, "at", time.time())
    try:
        bbox = parse_bbox(request.query.get("bbox") or None)
    except ParamError as err:
        raise _bad(f"bbox: {err}") from None
    reports = await request.app[store_key].positions_at(at, AT_WINDOW, bbox)
    return _json(
        {
            "at": round(at * 1000),
            "vehicles": [
                {
                    "id": vehicle_id(r.device),
                    "route_id": r.route_id,
                    "trip_id": r.trip_id,
                    "lat": round(r.lat, 6),
                    "lon": round(r.lon, 6),
                    "bearing": None if r.bearing is None else round(r.bearing),
                    "ts": r.ts_ms,
                }
                for r in sorted(reports, key=lambda r: r.device)
            ],
        }
    )


class Sampler:
    """Stores the simulated buses every :data:`SAMPLE_EVERY` seconds, without holding up
    the tick (the store commits in its own thread; one sample in flight at a time)."""

    def __init__(self, app: web.Application) -> None:
        """Sample for ``app`` (a no-op with ``--history off``)."""
        self._app = app
        self._on = app[settings_key].history == "on"
        self._next = 0.0
        self._task: asyncio.Task[None] | None = None

    def after_tick(self, vehicles: Sequence[Vehicle], shift: float, now: float) -> None:
        """Called by the ticker with the tick's buses and the monotonic time."""
        if not self._on or now < self._next or (self._task and not self._task.done()):
            return
        self._next = now + SAMPLE_EVERY
        reports = sample_simulated(vehicles, shift)
        self._task = asyncio.create_task(self._store(reports), name="bustrack-history-sample")

    async def _store(self, reports: list[Report]) -> None:
        try:
            await self._app[store_key].append(reports)
        except Exception:  # the next sample tries again
            log.exception("storing the simulated buses failed")


def add_history_routes(app: web.Application) -> None:
    """Register the history endpoints on ``app``."""
    # Vehicle ids may hold a slash (dev/bus-1): the id is everything up to /history.
    app.router.add_get("/api/vehicles/{id:.+}/history", vehicle_history)
    app.router.add_get("/api/history", history_at)
