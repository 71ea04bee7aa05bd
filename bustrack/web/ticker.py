"""The background task that advances the simulation and broadcasts each tick.

It owns the clock: it reads the real time, asks the pure
:class:`~bustrack.live.tick.TickEngine` (built once from the app's keys) to move the
fleet, hands the fleet's frames to the publisher, then asks the engine to let the
predictor learn and build the stops' and buses' boards, and publishes those: the map's
frames do not wait for the predictions. The rest is the history sampler, the tick's
stats, the collector and the sleep to the next tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator

from aiohttp import web

from bustrack.live.tick import TickEngine
from bustrack.web.collector import TickCollector
from bustrack.web.counts import tick_stats_key
from bustrack.web.gtfsrt_poll import updates_key
from bustrack.web.history import Sampler
from bustrack.web.keys import (
    clock_key,
    feed_key,
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

__all__ = ["tick_engine", "ticker_ctx"]

log = logging.getLogger(__name__)


def tick_engine(app: web.Application) -> TickEngine:
    """The engine that ticks ``app``'s frames, from its keys and settings."""
    settings = app[settings_key]
    routes = app[routes_key]
    return TickEngine(
        timetable=app[timetable_key],
        plan=app[clock_key],
        frames=app[tick_frames_key],
        live=app[live_key],
        predictor=app[predictor_key],
        routes=routes,
        feed=app[feed_key],
        source=settings.source,
        drop_after=settings.drop_after,
        stale_after=settings.stale_after,
        updates=app.get(updates_key),
    )


async def _run(app: web.Application, engine: TickEngine) -> None:
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
            tick_state = engine.move_fleet(dt.datetime.now(dt.UTC))
            frames = engine.frames
            sending = loop.time()
            await publisher.fleet(frames, sending)
            fanout = loop.time() - sending
            engine.move_boards(tick_state)
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
    """cleanup_ctx: build the engine and the first state, run the ticker task, cancel it
    on cleanup."""
    engine = tick_engine(app)
    t0 = time.perf_counter()
    engine.step(dt.datetime.now(dt.UTC))
    log.info(
        "first tick: %d vehicles in %.0f ms",
        len(engine.fleet),
        (time.perf_counter() - t0) * 1000,
    )
    app[ticker_key] = asyncio.create_task(_run(app, engine), name="bustrack-ticker")
    yield
    app[ticker_key].cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await app[ticker_key]
