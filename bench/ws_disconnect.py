"""What a mass disconnect leaves for the garbage collector, with and without cut cycles.

Run from the repository root::

    .venv/bin/python bench/ws_disconnect.py --clients 10000

When thousands of phones lose the network at once (a cell tower, a proxy restart), every
connection ends within a second. aiohttp and asyncio leave each closed connection in
reference cycles (see :mod:`bustrack.web.cycles`), so its objects stay until a full
collection, and that one collection then stalls the server for as long as it takes to
free them all: every client misses a tick. ``bustrack.web.ws`` cuts the cycles as each
connection ends.

This script runs bustrack *in this process* twice, as ``python -m bustrack.web --start-time
09:00`` does but with the ticker's full collections off so the garbage stays: first with
``cut_cycles`` replaced by a no-op (aiohttp and asyncio as they are), then as shipped. Each
time the Node load generator opens ``--clients`` viewport clients, drops them all (TCP
reset, as a lost network does), waits ``--wait`` seconds (longer than the heartbeat, whose
timers can hold a connection for that long), and times one full collection.

Then it runs ``python -m bustrack.web --start-time 09:00`` as a separate process, as
shipped, and repeats ``--rounds`` times: open the clients, drop them all, wait; it prints
the server's RSS with the clients and after they left, which must not grow round after
round (freed memory stays with the process for reuse, so RSS does not fall back to
where it started).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bustrack.web.collector
import bustrack.web.cycles
import bustrack.web.ws
from bench.loadgen import LoadGen
from bench.viewports import make_viewports
from bench.ws_load import Server, free_port, proc_rss_mb, raise_nofile
from bustrack.settings import DEFAULT_GTFS, parse_settings
from bustrack.web.app import create_app
from bustrack.web.serve import serve

__all__ = ["main"]

# Every client is on 127.0.0.1: lift the per-address and total /ws caps.
UNCAPPED = ("--max-connections-per-ip", "1000000", "--max-connections", "1000000")


def _young_collections_only() -> None:
    """The ticker collects generations 0-1 only, so what needs a full collection stays."""

    def after_tick(self: bustrack.web.collector.TickCollector, departed: int = 0) -> int | None:
        gc.collect(1)
        return 1

    bustrack.web.collector.TickCollector.after_tick = after_tick  # type: ignore[method-assign]


async def one_round(clients: int, wait: float) -> tuple[int, float]:
    """Serve, connect, drop everyone, wait; return what one full collection freed, and its ms."""
    port = free_port()
    settings = parse_settings(["--port", str(port), "--start-time", "09:00", *UNCAPPED])
    app = create_app(settings)
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, settings, stop))
    gen = await LoadGen.start()
    try:
        await asyncio.sleep(3)
        views = make_viewports(Path(DEFAULT_GTFS), clients)
        urls = [f"ws://127.0.0.1:{port}/ws{v.query()}" for v in views]
        await gen.call("open", within=60 + len(urls) / 20, group="view", urls=urls, batch=100)
        await asyncio.sleep(3)
        await gen.call("close", within=60, group="view", keep=0)
        await asyncio.sleep(wait)
        t0 = time.perf_counter()
        freed = gc.collect()
        ms = (time.perf_counter() - t0) * 1000
    finally:
        await gen.stop()
        stop.set()
        await server
    gc.collect()
    return freed, ms


async def run(args: argparse.Namespace) -> None:
    """Both rounds, then the table."""
    _young_collections_only()
    shipped = bustrack.web.ws.cut_cycles
    rows = []
    for label, cut in (
        ("aiohttp and asyncio as they are", None),
        ("cut_cycles (shipped)", shipped),
    ):
        bustrack.web.ws.cut_cycles = cut or (lambda request, ws, transport: None)
        rows.append((label, *await one_round(args.clients, args.wait)))
    bustrack.web.ws.cut_cycles = shipped
    print(
        f"bustrack in-process: {args.clients:,} viewport clients dropped their TCP connections "
        f"at once; {args.wait:g} s later, one full collection"
    )
    print()
    print(f"{'closed connections':<32}  {'objects freed':>13}  {'collection ms':>13}")
    for label, freed, ms in rows:
        print(f"{label:<32}  {freed:>13,}  {ms:>13.0f}")
    (_, freed0, ms0), (_, freed1, ms1) = rows
    print()
    print(
        f"the collection after the disconnect: {ms0:.0f} -> {ms1:.0f} ms "
        f"({ms0 / max(ms1, 0.001):.0f}x shorter); objects left for it: {freed0:,} -> {freed1:,}"
    )


async def rounds(args: argparse.Namespace) -> None:
    """The shipped server in its own process: RSS over repeated mass disconnects."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "bustrack.web",
        "--port",
        str(port),
        "--start-time",
        "09:00",
        *UNCAPPED,
    ]
    with tempfile.TemporaryDirectory() as logs:
        server = Server("ours", argv, port, Path(logs))
        await server.start()
        gen = await LoadGen.start()
        try:
            views = make_viewports(Path(DEFAULT_GTFS), args.clients)
            urls = [f"ws://127.0.0.1:{port}/ws{v.query()}" for v in views]
            await asyncio.sleep(3)
            print()
            print(
                f"python -m bustrack.web as a process: {args.clients:,} clients come and all "
                f"drop off, {args.rounds} times; RSS {proc_rss_mb(server.pid):.0f} MB before"
            )
            print()
            print(f"{'round':>5}  {'RSS MB with the clients':>23}  {f'{args.wait:g} s after':>10}")
            for i in range(args.rounds):
                await gen.call("open", within=60 + len(urls) / 20, group="r", urls=urls, batch=100)
                await asyncio.sleep(3)
                full = proc_rss_mb(server.pid)
                await gen.call("close", within=60, group="r", keep=0)
                await asyncio.sleep(args.wait)
                print(f"{i + 1:>5}  {full:>23.0f}  {proc_rss_mb(server.pid):>10.0f}")
        finally:
            await gen.stop()
            server.stop()


def main() -> int:
    """Parse the flags and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=10000)
    parser.add_argument("--wait", type=float, default=40.0, help="seconds before collecting")
    parser.add_argument("--rounds", type=int, default=4, help="mass disconnects for RSS")
    args = parser.parse_args()
    raise_nofile()
    asyncio.run(run(args))
    if args.rounds:
        asyncio.run(rounds(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
