"""The background task that advances the simulation and broadcasts each tick.

It owns the clock: it reads the real time, asks the pure simulation where the
buses are, lets :class:`~bustrack.fleet.Fleet` encode the frames once, and hands
them to the :class:`~bustrack.hub.Hub`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator

from aiohttp import web

from bustrack.boards import BoardContext, Boards
from bustrack.clock import format_service_time, service_seconds
from bustrack.frames import TickFrames
from bustrack.simulation import locate_vehicles
from bustrack.web.collector import TickCollector
from bustrack.web.keys import (
    clock_key,
    feed_key,
    fleet_key,
    frames_key,
    hub_key,
    predictor_key,
    routes_key,
    settings_key,
    ticker_key,
    timetable_key,
)

__all__ = ["advance", "ticker_ctx"]

log = logging.getLogger(__name__)


def advance(app: web.Application, real: dt.datetime) -> TickFrames:
    """Move the fleet to real moment ``real``; return this tick's frames (built lazily).

    Locates the buses, drops those silent for longer than ``--drop-after``, feeds
    the predictor what the buses reported, and prepares the boards.
    """
    settings = app[settings_key]
    timetable = app[timetable_key]
    plan = app[clock_key]
    fleet = app[fleet_key]
    moment = plan.moment(real)
    now = moment.timestamp()
    shift = -plan.offset.total_seconds()
    vehicles = [
        v for v in locate_vehicles(timetable, moment) if now - v.timestamp <= settings.drop_after
    ]
    # A bus whose report is older than this tick went silent: say since when (real time).
    silent = {v.vehicle_id: round(v.timestamp + shift) for v in vehicles if now - v.timestamp >= 1}
    clock = {
        "service_time": format_service_time(service_seconds(timetable, moment)),
        "mode": plan.mode,
        "note": plan.note,
    }
    before = {v.vehicle_id: v for v in fleet.vehicles}
    ts_ms = int(real.timestamp() * 1000)
    routes = app[routes_key]
    fleet.advance(vehicles, routes, ts_ms, clock, silent)
    predictor = app[predictor_key]
    predictor.observe(vehicles, now)
    ctx = BoardContext(
        feed=app[feed_key],
        predictor=predictor,
        routes=routes,
        vehicles={v.vehicle_id: v for v in vehicles},
        now=now,
        shift=shift,
        ts_ms=ts_ms,
        stale_after=settings.stale_after,
    )
    frames = app[frames_key]
    frames.boards = Boards(ctx, before)
    return frames


async def _run(app: web.Application) -> None:
    tick = app[settings_key].tick
    hub = app[hub_key]
    collector = TickCollector()
    departed_at_full = hub.departed
    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        try:
            frames = advance(app, dt.datetime.now(dt.UTC))
            hub.publish(frames, loop.time())
        except Exception:  # a bad tick must not stop the stream
            log.exception("tick failed")
        if collector.after_tick(hub.departed - departed_at_full) == 2:
            departed_at_full = hub.departed
        # Sleep to the next tick boundary so the period does not drift with load.
        elapsed = loop.time() - started
        if elapsed > tick:
            log.warning("tick took %.2f s, longer than --tick %.2f s", elapsed, tick)
        await asyncio.sleep(max(0.0, tick - elapsed))


async def ticker_ctx(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: build the first state, run the ticker task, cancel it on cleanup."""
    t0 = time.perf_counter()
    advance(app, dt.datetime.now(dt.UTC))
    log.info(
        "first tick: %d vehicles in %.0f ms",
        len(app[fleet_key]),
        (time.perf_counter() - t0) * 1000,
    )
    app[ticker_key] = asyncio.create_task(_run(app), name="bustrack-ticker")
    yield
    app[ticker_key].cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await app[ticker_key]
