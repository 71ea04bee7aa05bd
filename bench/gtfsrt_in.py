"""The GTFS-realtime consumer benchmark: a 5,000-vehicle VehiclePositions feed, parsed and
applied, and the server's ticks while it polls one.

Run from the repository root::

    .venv/bin/python bench/gtfsrt_in.py           # about a minute and a half
    .venv/bin/python bench/gtfsrt_in.py --quick

1. In this process: the time to read a 5,000-vehicle message (parse, match, check every
   vehicle, place it on its trip's run) and apply it to the live buses, beside the bare
   protobuf decode of the same bytes (the floor: what any consumer pays), each the median
   of repeated runs.
2. The server as a process (``python -m bustrack.web --start-time 09:00``: the simulated
   city, about 3,000 buses) with and without ``--gtfs-rt-vehicles`` pointing at a feed
   server in this process that serves a fresh 5,000-vehicle message every poll (1 s).
   A whole-city WebSocket client measures the gaps between ticks and each frame's delay
   (arrival minus its ``ts``): their p99 with the feed beside without it.

All traffic is on 127.0.0.1; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
import orjson
from aiohttp import web
from google.transit import gtfs_realtime_pb2 as rt

from bustrack.gtfs import load_feed
from bustrack.gtfs.model import Feed
from bustrack.live.devices import LiveDevices
from bustrack.network import build_network
from bustrack.settings import DEFAULT_GTFS
from bustrack.sources.checks import Limits
from bustrack.sources.gtfsrt_in import read_vehicle_positions
from bustrack.sources.simulation import Timetable

ROOT = Path(__file__).resolve().parents[1]
VEHICLES = 5000


def build_message(feed: Feed, ts: float, n: int = VEHICLES, seed: int = 1) -> bytes:
    """``n`` vehicles around the feed's stops: half on a trip of the feed, a quarter with
    only a route, a quarter unmatched; all moved a little from one ``ts`` to the next."""
    rng = random.Random(seed)
    stops = list(feed.stops.values())
    trips = list(feed.trips.values())
    msg = rt.FeedMessage()
    msg.header.gtfs_realtime_version = "2.0"
    msg.header.timestamp = int(ts)
    drift = (ts % 600) * 1e-6
    for i in range(n):
        stop = stops[rng.randrange(len(stops))]
        e = msg.entity.add()
        e.id = f"veh-{i}"
        vp = e.vehicle
        vp.vehicle.id = f"veh-{i}"
        vp.timestamp = int(ts) - rng.randrange(0, 20)
        vp.position.latitude = stop.lat + drift
        vp.position.longitude = stop.lon
        vp.position.bearing = rng.randrange(360)
        vp.position.speed = rng.uniform(0, 12)
        kind = i % 4
        if kind < 2:
            vp.trip.trip_id = trips[i % len(trips)].trip_id
        elif kind == 2:
            vp.trip.route_id = trips[i % len(trips)].route_id
        else:
            vp.trip.trip_id = f"unknown-{i}"
    return msg.SerializeToString()


def time_reading(feed: Feed, runs: int) -> tuple[float, float, int]:
    """Median ms to read and apply one message, median ms of the bare decode, its size."""
    live = LiveDevices(Timetable(feed))
    limits = Limits(bbox=build_network(feed).bbox)  # as the server sets it
    ours, bare = [], []
    size = 0
    t = time.time() - 3600
    for i in range(runs):
        data = build_message(feed, t + 30 * i)
        size = len(data)
        t0 = time.perf_counter()
        reports, _ = read_vehicle_positions(data, t + 30 * i + 30, feed, live.last_of, limits)
        for r in reports:
            live.accept(r, (0.0, live.place(r, 0.0)))  # placed on its run, as the poller does
        ours.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        rt.FeedMessage().ParseFromString(data)
        bare.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ours), statistics.median(bare), size


async def watch_ticks(port: int, seconds: float) -> tuple[list[float], list[float]]:
    """Tick gaps (ms between frames' ts) and delays (ms) seen by a whole-city client."""
    gaps: list[float] = []
    delays: list[float] = []
    last = None
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"ws://127.0.0.1:{port}/ws", max_msg_size=0) as ws,
    ):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            msg = await ws.receive(timeout=10)
            frame = orjson.loads(msg.data)
            if frame["type"] not in ("snapshot", "update"):
                continue
            delays.append(time.time() * 1000 - frame["ts"])
            if last is not None:
                gaps.append(frame["ts"] - last)
            last = frame["ts"]
    return gaps[2:], delays[2:]  # past the first frames


def p99(values: Sequence[float]) -> float:
    """The 99th percentile."""
    s = sorted(values)
    return s[min(len(s) - 1, int(0.99 * len(s)))] if s else float("nan")


async def serve_feed(feed: Feed) -> tuple[web.AppRunner, int]:
    """A producer serving a fresh 5,000-vehicle message on every request."""

    async def handle(request: web.Request) -> web.Response:
        return web.Response(body=build_message(feed, time.time()))

    app = web.Application()
    app.router.add_get("/vp.pb", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, port


async def run_server(
    extra: list[str], seconds: float, tmp: Path
) -> tuple[list[float], list[float], str]:
    """Start the server with ``extra`` flags, watch its ticks, stop it; return the log too."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log_path = tmp / f"server-{port}.log"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp)}
    with log_path.open("w") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bustrack.web", "--port", str(port), "--start-time", "09:00",
            *extra, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(600):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/"):
                        break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
        await asyncio.sleep(3)  # the first polls
        gaps, delays = await watch_ticks(port, seconds)
    finally:
        proc.terminate()
        await proc.wait()
    return gaps, delays, log_path.read_text()


async def server_part(
    feed: Feed, seconds: float, tmp: Path
) -> list[tuple[str, list[float], list[float], str]]:
    """The server without, then with the 5,000-vehicle feed polled every second."""
    runner, feed_port = await serve_feed(feed)
    out = []
    try:
        base = await run_server([], seconds, tmp)
        out.append(("without a feed", *base))
        url = f"http://127.0.0.1:{feed_port}/vp.pb"
        withf = await run_server(["--gtfs-rt-vehicles", url, "--gtfs-rt-poll", "1"], seconds, tmp)
        out.append(("polling 5,000 vehicles/s", *withf))
    finally:
        await runner.cleanup()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run both parts and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    feed = load_feed(DEFAULT_GTFS)
    runs = 3 if args.quick else 15
    seconds = 6.0 if args.quick else 30.0
    ours, bare, size = time_reading(feed, runs)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench-gtfsrt-") as tmp:
        rows = asyncio.run(server_part(feed, seconds, Path(tmp)))
    print("# bustrack GTFS-realtime consumer benchmark")
    print()
    print(f"message:  {VEHICLES:,} vehicles, {size / 1e6:.2f} MB (half on a trip, a quarter "
          "route only, a quarter unmatched)")  # fmt: skip
    print(f"read and apply: {ours:.0f} ms (median of {runs}); the bare protobuf decode of the "
          f"same bytes: {bare:.0f} ms ({ours / bare:.1f}x)")  # fmt: skip
    print()
    print(f"server: python -m bustrack.web --start-time 09:00 (the simulated city), {seconds:g} s "
          "of a whole-city /ws client")  # fmt: skip
    print()
    print(f"{'':26}  {'ticks':>5}  {'gap p50 ms':>10}  {'gap p99 ms':>10}  {'gap max ms':>10}  "
          f"{'delay p50 ms':>12}  {'delay p99 ms':>12}")  # fmt: skip
    for label, gaps, delays, _ in rows:
        gap = f"{statistics.median(gaps):>10.0f}  {p99(gaps):>10.0f}  {max(gaps):>10.0f}"
        delay = f"{statistics.median(delays):>12.0f}  {p99(delays):>12.0f}"
        print(f"{label:26}  {len(gaps):>5}  {gap}  {delay}")
    (_, g0, d0, _), (_, g1, d1, log) = rows
    taken = [line for line in log.splitlines() if "vehicles taken" in line]
    print()
    print(f"tick gap p99 with the feed / without: {p99(g1) / p99(g0):.2f}x; "
          f"frame delay p99: {p99(d1) / p99(d0):.2f}x")  # fmt: skip
    print(f"the server's log: {taken[0].split(': ', 2)[-1] if taken else 'NO VEHICLES TAKEN'}")
    if not taken:
        print(log[-3000:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
