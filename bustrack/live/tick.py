"""One tick as a pure step: the real moment (and any reports) in, the frames to publish out.

Pure: no I/O, no clock, no aiohttp. :class:`TickEngine` holds what a tick needs (the
timetable, the clock plan, the fleet's frames, the live devices, the predictor, the
routes, the feed, the few settings it uses) and moves them on when told the real
moment. The shell (:mod:`bustrack.web.ticker`) reads the clock, calls the engine,
publishes and sleeps.

A tick has two phases, so that the map's frames never wait for the predictions:

1. :meth:`TickEngine.move_fleet` locates the simulated buses (with ``--source sim``),
   takes the real ones' last reports, drops those silent for longer than
   ``--drop-after`` and advances the fleet: its frames are ready to publish;
2. :meth:`TickEngine.move_boards` lets the predictor learn from the tick and builds the
   stops' and buses' boards.

:meth:`TickEngine.step` does both at once (the first tick, tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bustrack.gtfs.model import Feed
from bustrack.live.boards import BoardContext, Boards
from bustrack.live.clock import ClockPlan, format_service_time, service_seconds
from bustrack.live.devices import LiveDevices
from bustrack.live.feed_updates import FeedUpdates
from bustrack.live.frames import TickFrames
from bustrack.live.predictions import Predictor
from bustrack.sources.report import Report
from bustrack.sources.simulation import Timetable, Vehicle, locate_vehicles
from bustrack.wire.protocol import RouteInfo

__all__ = ["Tick", "TickEngine"]


@dataclass(frozen=True, slots=True)
class Tick:
    """What one tick located, for the predictor and the boards that follow the fleet."""

    vehicles: list[Vehicle]
    before: dict[str, Vehicle]  # the previous tick's buses, by id
    now: float  # the timetable moment, Unix seconds
    shift: float  # add to a timetable moment to get the real one
    ts_ms: int


class TickEngine:
    """Moves the fleet, the predictor and the boards from one tick to the next."""

    def __init__(
        self,
        *,
        timetable: Timetable,
        plan: ClockPlan,
        frames: TickFrames,
        live: LiveDevices,
        predictor: Predictor,
        routes: Mapping[str, RouteInfo],
        feed: Feed,
        source: str = "sim",
        drop_after: float,
        stale_after: float,
        updates: FeedUpdates | None = None,
    ) -> None:
        """Tick ``frames`` (its fleet advances in place, its boards are replaced).

        Args:
            timetable: where the simulated buses are located.
            plan: how the timetable's moment follows the real one.
            frames: what the hub (or the broker) publishes; one object for the app's life.
            live: the real buses' last reports.
            predictor: learns from every tick's buses; the boards ask it.
            routes: the routes as the frames name them.
            feed: the feed the boards describe (stops, trips).
            source: ``"sim"`` to show the simulated buses beside the real ones, else
                the real ones only (``--source``).
            drop_after: a bus silent for longer than this (seconds) leaves the map.
            stale_after: a bus silent for longer than this is no longer predicted.
            updates: other producers' predictions (TripUpdates in), blended into the
                stops' boards; None without any.
        """
        self.timetable = timetable
        self.plan = plan
        self.frames = frames
        self.fleet = frames.fleet
        self.live = live
        self.predictor = predictor
        self.routes = routes
        self.feed = feed
        self.source = source
        self.drop_after = drop_after
        self.stale_after = stale_after
        self.updates = updates

    def move_fleet(self, real: dt.datetime, reports: Iterable[Report] = ()) -> Tick:
        """Move the fleet to real moment ``real``: its frames are ready when this returns.

        Args:
            real: the real moment of the tick (timezone-aware).
            reports: reports to take first (:meth:`LiveDevices.accept`), beside those the
                sources handed to the live devices since the last tick.

        Returns:
            What the tick located, for :meth:`move_boards`.
        """
        for report in reports:
            self.live.accept(report)
        plan = self.plan
        drop_after = self.drop_after
        moment = plan.moment(real)
        now = moment.timestamp()
        shift = -plan.offset.total_seconds()
        self.live.forget_older(real.timestamp() - drop_after)
        located = locate_vehicles(self.timetable, moment) if self.source == "sim" else []
        reported = self.live.vehicles(plan.offset.total_seconds())
        vehicles = [v for v in (*located, *reported) if now - v.timestamp <= drop_after]
        # A bus whose report is older than this tick went silent: say since when (real time).
        silent = {
            v.vehicle_id: round(v.timestamp + shift) for v in vehicles if now - v.timestamp >= 1
        }
        clock = {
            "service_time": format_service_time(service_seconds(self.timetable, moment)),
            "mode": plan.mode,
            "note": plan.note,
        }
        before = self.fleet.vehicles
        ts_ms = int(real.timestamp() * 1000)
        self.fleet.advance(vehicles, self.routes, ts_ms, clock, silent)
        return Tick(vehicles, {v.vehicle_id: v for v in before}, now, shift, ts_ms)

    def move_boards(self, tick: Tick) -> Boards:
        """Feed the predictor ``tick``'s buses, then build (lazily) the tick's boards.

        Returns:
            The boards, also set as the frames' ``boards``.
        """
        self.predictor.observe(tick.vehicles, tick.now)
        ctx = BoardContext(
            feed=self.feed,
            predictor=self.predictor,
            routes=self.routes,
            vehicles={v.vehicle_id: v for v in tick.vehicles},
            now=tick.now,
            shift=tick.shift,
            ts_ms=tick.ts_ms,
            stale_after=self.stale_after,
            updates=self.updates,
        )
        boards = self.frames.boards = Boards(ctx, tick.before)
        return boards

    def step(self, real: dt.datetime, reports: Iterable[Report] = ()) -> TickFrames:
        """Do both phases (:meth:`move_fleet`, then :meth:`move_boards`) at real moment
        ``real``; return the frames to publish (built lazily)."""
        self.move_boards(self.move_fleet(real, reports))
        return self.frames
