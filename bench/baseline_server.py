"""The baseline of bench/ws_load.py: the fleet as a Python developer would stream it.

``python bench/baseline_server.py --port 8090 --start-time 09:00`` serves ``ws://host:port/``
with the ``websockets`` library: every tick it locates the same simulated fleet as
bustrack (``bustrack.sources.simulation``: the same feed, ``Timetable`` with the same simulated
traffic, ``locate_vehicles`` and clock plan for the same ``--start-time``), encodes the
*whole* state once as JSON with an object per vehicle, and sends it to every connected
client with ``websockets``' ``broadcast()``. There are no subscriptions: everybody gets
everything, every tick.

It is the obvious code, made as fast as that code can be, so that bustrack's ratios
against it are not flattered:

- orjson (not json), the message encoded once per tick and passed as bytes with
  ``text=True`` (no str round trip), coordinates rounded to 1e-5 degree (about 1 m, the
  same precision as bustrack's protocol);
- no per-message compression (``compression=None``; bustrack has none either, and
  per-client deflate would dominate the baseline's cost);
- the tick sleeps to the next boundary like bustrack's ticker, and ``ts`` is the real
  time at the start of the tick, as in bustrack's frames.

``broadcast()`` writes without waiting and never skips a slow client: a client that
falls behind gets a growing backlog (that is the behaviour being compared).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import signal
import sys
from collections.abc import Iterable, Mapping, Sequence

import orjson
from websockets.asyncio.server import ServerConnection, broadcast, serve

from bustrack.gtfs import Feed, FeedCache, load_feed
from bustrack.live.clock import plan_clock
from bustrack.settings import DEFAULT_GTFS, Settings
from bustrack.sources.simulation import Timetable, Vehicle, locate_vehicles
from bustrack.sources.traffic import TrafficModel
from bustrack.wire.protocol import RouteInfo, route_infos

__all__ = ["Baseline", "main", "state_message"]

log = logging.getLogger("baseline")


def state_message(
    vehicles: Iterable[Vehicle], routes: Mapping[str, RouteInfo], ts_ms: int
) -> bytes:
    """Return the whole fleet as one JSON message: ``{"type", "ts", "vehicles": [{...}]}``."""
    return orjson.dumps(
        {
            "type": "vehicles",
            "ts": ts_ms,
            "vehicles": [
                {
                    "id": v.vehicle_id,
                    "route_id": v.route_id,
                    "route": routes[v.route_id].label,
                    "headsign": v.headsign,
                    "color": routes[v.route_id].color,
                    "lat": round(v.lat, 5),
                    "lon": round(v.lon, 5),
                    "bearing": round(v.bearing) % 360,
                }
                for v in vehicles
            ],
        }
    )


class Baseline:
    """The simulated fleet and the set of connected clients it is broadcast to."""

    def __init__(self, feed: Feed, start_time: str, tick: float, traffic: bool = True) -> None:
        """Index ``feed`` and plan the clock like bustrack's app does."""
        model = TrafficModel.for_feed(feed) if traffic else None
        self.timetable = Timetable(feed, traffic=model)
        self.routes = route_infos(feed)
        self.plan = plan_clock(self.timetable, dt.datetime.now(dt.UTC), start_time)
        self.tick = tick
        self.clients: set[ServerConnection] = set()
        first = locate_vehicles(self.timetable, self.plan.moment(dt.datetime.now(dt.UTC)))
        log.info("first tick: %d vehicles", len(first))

    async def handler(self, ws: ServerConnection) -> None:
        """Keep a client in the broadcast set until it leaves (the library's docs pattern)."""
        self.clients.add(ws)
        try:
            await ws.wait_closed()
        finally:
            self.clients.discard(ws)

    def message(self, real: dt.datetime) -> bytes:
        """Locate the fleet at real moment ``real`` and encode its whole state."""
        vehicles = locate_vehicles(self.timetable, self.plan.moment(real))
        return state_message(vehicles, self.routes, int(real.timestamp() * 1000))

    async def run_ticker(self) -> None:
        """Every tick, broadcast the whole state to every client."""
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            broadcast(self.clients, self.message(dt.datetime.now(dt.UTC)), text=True)
            await asyncio.sleep(max(0.0, self.tick - (loop.time() - started)))

    async def serve(self, host: str, port: int, stop: asyncio.Event) -> None:
        """Serve on ``host:port`` until ``stop`` is set."""
        async with serve(self.handler, host, port, compression=None, max_size=2**16):
            log.info("baseline serving on ws://%s:%d/", host, port)
            ticker = asyncio.create_task(self.run_ticker())
            try:
                await stop.wait()
            finally:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker


async def _main(args: argparse.Namespace) -> None:
    cache_dir = Settings().cache_dir
    feed = load_feed(args.gtfs, cache=FeedCache(cache_dir) if cache_dir else None)
    baseline = Baseline(feed, args.start_time, args.tick, args.traffic == "on")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await baseline.serve(args.host, args.port, stop)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the flags and serve until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--gtfs", default=str(DEFAULT_GTFS))
    parser.add_argument("--start-time", default="09:00")
    parser.add_argument("--tick", type=float, default=1.0)
    parser.add_argument("--traffic", choices=("on", "off"), default="on", help="as bustrack's")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(_main(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
