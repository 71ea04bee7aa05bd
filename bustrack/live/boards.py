"""What a commuter asks about: a stop's next arrivals, a few stops' next buses at a
glance, and one bus's details.

Pure: no I/O, no clock. Built from the :class:`~bustrack.live.predictions.Predictor`,
the feed and the tick's vehicles, at a moment given as a parameter. The
simulation (and the predictor) keep simulated time; ``shift`` turns it into real
time for the page (they differ when the simulation does not run at the real time
of day). Times on the wire are Unix milliseconds; see docs/protocol.md
(``arrivals``, ``glance`` and ``vehicle`` frames).

A bus whose last report is older than ``stale_after`` seconds is never shown as
arriving: its arrivals fall back to the timetable, marked not live.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from bustrack.geo import haversine_m
from bustrack.gtfs.model import Feed
from bustrack.live.feed_updates import FeedUpdates
from bustrack.live.glance import GlanceFrames, encode_glance_stop
from bustrack.live.occupancy import local_hour, occupancy_of
from bustrack.live.predictions import Arrival, Predictor
from bustrack.sources.simulation import Vehicle
from bustrack.wire.protocol import UNMATCHED, RouteInfo
from bustrack.wire.wsframe import text_frame

__all__ = [
    "BoardContext",
    "Boards",
    "arrival_rows",
    "encode_arrivals",
    "encode_vehicle",
    "speed_kmh",
    "speed_mps",
]


@dataclass(frozen=True, slots=True)
class BoardContext:
    """What every board of one tick shares."""

    feed: Feed
    predictor: Predictor
    routes: Mapping[str, RouteInfo]
    vehicles: Mapping[str, Vehicle]
    now: float  # simulated Unix seconds of the tick
    shift: float  # add to simulated seconds to get real ones
    ts_ms: int  # the tick's real time stamp, as on every frame
    stale_after: float
    updates: FeedUpdates | None = None  # other producers' predictions (TripUpdates in)

    def real_ms(self, sim_s: float) -> int:
        """Return simulated Unix seconds ``sim_s`` as real Unix milliseconds."""
        return round((sim_s + self.shift) * 1000)

    def is_stale(self, vehicle_id: str) -> bool:
        """Return whether the bus's last report is older than ``stale_after``."""
        v = self.vehicles.get(vehicle_id)
        return v is None or (self.now - v.timestamp) > self.stale_after


def speed_mps(before: Vehicle | None, now: Vehicle) -> float | None:
    """Return a bus's speed in m/s: the one its unit reported, else the speed between two
    reports of one bus (``before``, the previous tick's; None if unknown).

    Along its trip's path when both reports are placed on the same trip, else as the crow
    flies. The popup (``vehicle`` frames) and GTFS-rt VehiclePositions both show this.
    """
    if now.speed is not None and math.isfinite(now.speed) and now.speed >= 0:
        return now.speed
    if before is None or before.vehicle_id != now.vehicle_id:
        return None
    dt_s = now.timestamp - before.timestamp
    if dt_s <= 0:
        return None
    if now.trip_id and now.trip_id == before.trip_id and min(now.next_stop, before.next_stop) >= 0:
        metres = now.distance - before.distance
    else:
        metres = haversine_m(before.lat, before.lon, now.lat, now.lon)
    return max(0.0, metres / dt_s)


def speed_kmh(before: Vehicle | None, now: Vehicle) -> float | None:
    """Return :func:`speed_mps` in km/h."""
    mps = speed_mps(before, now)
    return None if mps is None else mps * 3.6


def _stop(feed: Feed, stop_id: str) -> dict[str, Any]:
    s = feed.stops[stop_id]
    return {"id": s.stop_id, "name": s.name, "lat": s.lat, "lon": s.lon}


ARRIVALS_LIMIT = 8  # rows of an ``arrivals`` board


def arrival_rows(
    ctx: BoardContext, stop_id: str, limit: int = ARRIVALS_LIMIT
) -> list[dict[str, Any]]:
    """Return stop ``stop_id``'s next buses, soonest first, as the ``arrivals`` frame's rows.

    A bus gone silent falls back to its timetable; other producers' predictions are
    blended in (see the module's docstring and docs/protocol.md, ``arrivals``).
    """
    rows: list[dict[str, Any]] = []
    hour = local_hour(ctx.feed, ctx.now)
    for predicted in ctx.predictor.arrivals_at(stop_id, ctx.now, limit=limit + 4):
        a: Arrival | None = predicted
        bus_id = predicted.vehicle_id
        silent = predicted.live and bus_id is not None and ctx.is_stale(bus_id)
        if silent:  # no recent report: its prediction would drift; back to the timetable
            a = dataclasses.replace(
                predicted, eta_ts=max(predicted.scheduled_ts, ctx.now), live=False
            )
        if ctx.updates is not None and a is not None:
            a = ctx.updates.blend(a, ctx.now, ctx.shift)
        if a is None:  # a feed says this run skips the stop, or is canceled
            continue
        live, eta = a.live, a.eta_ts
        silent = silent and not live
        info = ctx.routes[a.route_id]
        bus = ctx.vehicles.get(a.vehicle_id) if a.vehicle_id is not None else None
        rows.append(
            {
                "vehicle": a.vehicle_id,
                "occupancy": occupancy_of(ctx.feed, hour, bus) if bus and live else None,
                "trip": a.trip_id,
                "route_id": a.route_id,
                "route": info.label,
                "color": info.color,
                "headsign": a.headsign,
                "eta": ctx.real_ms(eta),
                "uncertainty": round(a.uncertainty_s) if live else None,
                "live": live,
                "scheduled": ctx.real_ms(a.scheduled_ts),
                # A bus that went silent: shown by its timetable, with a word why.
                "no_signal": silent,
            }
        )
    rows.sort(key=lambda r: r["eta"])
    return rows[:limit]


def encode_arrivals(
    ctx: BoardContext, stop_id: str, rows: list[dict[str, Any]] | None = None
) -> bytes:
    """Encode the ``arrivals`` frame of stop ``stop_id``: the next buses, soonest first
    (``rows``: :func:`arrival_rows` if already computed)."""
    return orjson.dumps(
        {
            "type": "arrivals",
            "ts": ctx.ts_ms,
            "stop": _stop(ctx.feed, stop_id),
            "arrivals": arrival_rows(ctx, stop_id) if rows is None else rows,
        }
    )


def encode_vehicle(ctx: BoardContext, vehicle_id: str, before: Vehicle | None) -> bytes:
    """Encode the ``vehicle`` frame: one bus's next stop, its ETA, delay and speed."""
    v = ctx.vehicles.get(vehicle_id)
    if v is None:
        return orjson.dumps({"type": "vehicle", "ts": ctx.ts_ms, "id": vehicle_id, "active": False})
    trip = ctx.feed.trips.get(v.trip_id)
    info = ctx.routes.get(v.route_id) or UNMATCHED
    stale = ctx.is_stale(vehicle_id)
    next_stop: dict[str, Any] | None = None
    etas = [] if stale else ctx.predictor.predict(vehicle_id, through=v.next_stop)
    if etas and ctx.updates is not None:  # as its stop's board has it
        etas = ctx.updates.blend_etas(v, etas, ctx.now, ctx.shift)
    if etas:
        eta = etas[-1]
        next_stop = {
            **_stop(ctx.feed, eta.stop_id),
            "eta": ctx.real_ms(eta.eta_ts),
            "uncertainty": round(eta.uncertainty_s),
        }
    elif trip is not None and 0 <= v.next_stop < len(trip.stop_ids):
        next_stop = {**_stop(ctx.feed, trip.stop_ids[v.next_stop]), "eta": None}
    delay = None if stale else ctx.predictor.deviation(vehicle_id)
    hour = local_hour(ctx.feed, ctx.now)
    speed = None if stale else speed_kmh(before, v)
    return orjson.dumps(
        {
            "type": "vehicle",
            "ts": ctx.ts_ms,
            "id": vehicle_id,
            "active": True,
            "route_id": v.route_id,
            "route": info.label,
            "headsign": v.headsign,
            "next_stop": next_stop,
            "delay": None if delay is None or math.isnan(delay) else round(delay),
            "speed_kmh": None if speed is None else round(speed, 1),
            "occupancy": None if stale else occupancy_of(ctx.feed, hour, v),
            "reported": ctx.real_ms(v.timestamp),
            "stale": stale,
        }
    )


class Boards:
    """This tick's ``arrivals``, ``glance`` and ``vehicle`` boards, each built at most once.

    A stop's rows are computed once per tick, whether its ``arrivals``, its ``glance`` part
    or both are asked for, by one client or thousands.
    """

    def __init__(self, ctx: BoardContext, before: Mapping[str, Vehicle]) -> None:
        """Boards of the tick described by ``ctx``; ``before`` holds the previous tick's buses."""
        self.ctx = ctx
        self._before = before
        self._rows: dict[str, list[dict[str, Any]]] = {}
        self._payloads: dict[tuple[str, str], bytes] = {}
        self._frames: dict[tuple[str, str], bytes] = {}
        self._glances = GlanceFrames(ctx.ts_ms)

    def arrival_rows(self, stop_id: str) -> list[dict[str, Any]]:
        """Return stop ``stop_id``'s next buses (:func:`arrival_rows`), computed once per tick."""
        found = self._rows.get(stop_id)
        if found is None:
            found = self._rows[stop_id] = arrival_rows(self.ctx, stop_id)
        return found

    def payload(self, kind: str, key: str) -> bytes:
        """Return the JSON of stop ``key``'s arrivals or glance part (:mod:`bustrack.live.glance`),
        or of bus ``key``'s details; each built at most once per tick."""
        found = self._payloads.get((kind, key))
        if found is not None:
            return found
        if kind == "arrivals":
            found = encode_arrivals(self.ctx, key, self.arrival_rows(key))
        elif kind == "glance":
            found = encode_glance_stop(self.arrival_rows(key))
        elif kind == "vehicle":
            found = encode_vehicle(self.ctx, key, self._before.get(key))
        else:
            raise ValueError(f"unknown board kind {kind!r}")
        self._payloads[(kind, key)] = found
        return found

    def glance(self, stops: tuple[str, ...]) -> tuple[bytes, bytes]:
        """Return ``(content, frame)`` of the ``glance`` of ``stops`` (sorted ids), built at
        most once per tick (:class:`~bustrack.live.glance.GlanceFrames`)."""
        return self._glances.get(stops, self._glance_part)

    def _glance_part(self, stop_id: str) -> bytes | None:
        return self.payload("glance", stop_id) if stop_id in self.ctx.feed.stops else None

    def frame(self, kind: str, key: str) -> bytes:
        """Return the WebSocket frame of :meth:`payload`, built at most once per tick."""
        found = self._frames.get((kind, key))
        if found is None:
            found = self._frames[(kind, key)] = text_frame(self.payload(kind, key))
        return found
