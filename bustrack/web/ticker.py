"""The background task that advances the simulation and broadcasts each tick.

It owns the clock: it reads the real time, asks the pure simulation where the
buses are, lets :class:`~bustrack.fleet.Fleet` encode the frames once, and hands
them to the :class:`~bustrack.hub.Hub`. The buses' frames go out first; the
predictor then learns from the tick and the stops' and buses' boards follow, so
that the map's frames do not wait for the predictions.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from bustrack.boards import BoardContext, Boards
from bustrack.clock import format_service_time, service_seconds
from bustrack.frames import TickFrames
from bustrack.simulation import Vehicle, locate_vehicles
from bustrack.web.collector import TickCollector
from bustrack.web.counts import tick_stats_key
from bustrack.web.gtfsrt_poll import updates_key
from bustrack.web.history import Sampler
from bustrack.web.keys import (
    clock_key,
    feed_key,
    fleet_key,
    hub_key,
    leader_key,
    live_key,
    predictor_key,
    publisher_key,
    routes_key,
    settings_key,
    tick_frames_key,
    ticker_key,
    timetable_key,
)

__all__ = ["Tick", "advance", "advance_boards", "advance_fleet", "ticker_ctx"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Tick:
    """What one tick located, for the predictor and the boards that follow the fleet."""

    vehicles: list[Vehicle]
    before: dict[str, Vehicle]  # the previous tick's buses, by id
    now: float  # the timetable moment, Unix seconds
    shift: float  # add to a timetable moment to get the real one
    ts_ms: int


def advance(app: web.Application, real: dt.datetime) -> TickFrames:
    """Move the fleet, the predictor and the boards to real moment ``real``; return
    this tick's frames (built lazily). See :func:`advance_fleet` and :func:`advance_boards`.
    """
    tick = advance_fleet(app, real)
    advance_boards(app, tick)
    return app[tick_frames_key]


def advance_fleet(app: web.Application, real: dt.datetime) -> Tick:
    """Move the fleet to real moment ``real``: its frames are ready when this returns.

    Locates the simulated buses (with ``--source sim``), takes the real ones' last reports
    (:class:`~bustrack.live.devices.LiveDevices`), and drops those silent for longer than
    ``--drop-after``.
    """
    settings = app[settings_key]
    timetable = app[timetable_key]
    plan = app[clock_key]
    fleet = app[fleet_key]
    moment = plan.moment(real)
    now = moment.timestamp()
    shift = -plan.offset.total_seconds()
    live = app[live_key]
    live.forget_older(real.timestamp() - settings.drop_after)
    located = locate_vehicles(timetable, moment) if settings.source == "sim" else []
    reported = live.vehicles(plan.offset.total_seconds())
    vehicles = [v for v in (*located, *reported) if now - v.timestamp <= settings.drop_after]
    # A bus whose report is older than this tick went silent: say since when (real time).
    silent = {v.vehicle_id: round(v.timestamp + shift) for v in vehicles if now - v.timestamp >= 1}
    clock = {
        "service_time": format_service_time(service_seconds(timetable, moment)),
        "mode": plan.mode,
        "note": plan.note,
    }
    before = fleet.vehicles
    ts_ms = int(real.timestamp() * 1000)
    routes = app[routes_key]
    fleet.advance(vehicles, routes, ts_ms, clock, silent)
    return Tick(vehicles, {v.vehicle_id: v for v in before}, now, shift, ts_ms)


def advance_boards(app: web.Application, tick: Tick) -> None:
    """Feed the predictor the tick's reports, and prepare the tick's boards."""
    predictor = app[predictor_key]
    predictor.observe(tick.vehicles, tick.now)
    routes = app[routes_key]
    ctx = BoardContext(
        feed=app[feed_key],
        predictor=predictor,
        routes=routes,
        vehicles={v.vehicle_id: v for v in tick.vehicles},
        now=tick.now,
        shift=tick.shift,
        ts_ms=tick.ts_ms,
        stale_after=app[settings_key].stale_after,
        updates=app.get(updates_key),
    )
    app[tick_frames_key].boards = Boards(ctx, tick.before)


async def _run(app: web.Application) -> None:
    tick = app[settings_key].tick
    hub = app[hub_key]
    publisher = app[publisher_key]
    leader = app.get(leader_key)  # with --redis: tick only while the active feeder
    collector = TickCollector()
    sampler = Sampler(app)
    departed_at_full = hub.departed
    stats = app[tick_stats_key]
    loop = asyncio.get_running_loop()
    due = loop.time()
    while True:
        if leader is not None and not leader.is_set():
            await leader.wait()
            due = loop.time()
        started = loop.time()
        fanout = 0.0  # seconds spent handing frames on (to the clients, or to Redis)
        try:
            tick_state = advance_fleet(app, dt.datetime.now(dt.UTC))
            frames = app[tick_frames_key]
            sending = loop.time()
            await publisher.fleet(frames, sending)
            fanout = loop.time() - sending
            advance_boards(app, tick_state)
            sending = loop.time()
            await publisher.boards(frames)
            fanout += loop.time() - sending
            sampler.after_tick(tick_state.vehicles, tick_state.shift, loop.time())
        except Exception:  # a bad tick (or a lost broker) must not stop the stream
            log.exception("tick failed")
        stats.record(started, due, fanout, loop.time())
        due = started + tick  # when the next tick should start
        if collector.after_tick(hub.departed - departed_at_full, len(hub.clients)) == 2:
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
