"""Where bustrack's ticks lose their time under load: the tick's steps and the garbage collector.

Run from the repository root::

    .venv/bin/python bench/ws_gc.py --clients 10000
    .venv/bin/python bench/ws_gc.py --clients 10000 --gc-after-publish

A diagnostic beside ``bench/ws_load.py``: it runs bustrack *in this process* (``create_app``
and ``serve``, as ``python -m bustrack.web --start-time 09:00`` does) with timers around the
ticker's steps and a ``gc.callbacks`` hook, connects the Node load generator's viewport
clients, measures one window, and prints each tick: how long ``advance`` took, split into
``locate_vehicles``, ``Fleet.advance`` and ``Predictor.observe``, and the garbage
collections that ran inside it; then the delays the clients saw.

``--gc-after-publish`` tries one remedy without editing bustrack: automatic collection off,
and the collector run by the ticker right after ``Hub.publish`` (generations 0-1 every
tick, a full collection every ``--full-every`` ticks), so that its pauses land in the idle
rest of the second instead of between a tick's ``ts`` and its frames.

The timers replace module attributes (``bustrack.live.tick.locate_vehicles``, the
:class:`~bustrack.live.tick.TickEngine`'s two phases, ...): if those move, this script
needs the same move. A tick's ``advance`` time is both phases (the fleet's, then the
predictor's and the boards'), without the publishing between them.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bustrack.broker.hub
import bustrack.live.fleet
import bustrack.live.predictions
import bustrack.live.tick
from bench.loadgen import LoadGen
from bench.viewports import make_viewports
from bench.ws_load import free_port, raise_nofile
from bustrack.settings import DEFAULT_GTFS, parse_settings
from bustrack.web.app import create_app
from bustrack.web.serve import serve

__all__ = ["main"]

Event = tuple[float, str, float]  # start (perf_counter), what, milliseconds

# Every client is on 127.0.0.1: lift the per-address and total /ws caps.
UNCAPPED = ("--max-connections-per-ip", "1000000", "--max-connections", "1000000")


class Probe:
    """Timers around the ticker's steps and the garbage collector."""

    def __init__(self) -> None:
        """Start with no events."""
        self.events: list[Event] = []
        self._gc_started = 0.0

    def wrap(self, owner: Any, name: str, label: str) -> None:
        """Replace ``owner.name`` by a timed version recorded as ``label``."""
        inner: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.events.append((t0, label, (time.perf_counter() - t0) * 1000))

        setattr(owner, name, timed)

    def on_gc(self, phase: str, info: dict[str, int]) -> None:
        """``gc.callbacks`` hook: record each collection's generation and pause."""
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            pause = (time.perf_counter() - self._gc_started) * 1000
            self.events.append((self._gc_started, f"gc{info['generation']}", pause))

    def ticks(self, since: float) -> list[tuple[float, dict[str, float]]]:
        """Each tick after ``since``: its ``advance`` time (the fleet's phase and the boards'
        that follows it) and what ran inside them."""
        phases = sorted(e for e in self.events if e[1] in ("advance", "boards"))
        out = []
        for (t0, label, ms), after in zip(phases, [*phases[1:], None], strict=True):
            if label != "advance" or t0 < since:
                continue
            windows = [(t0, ms)]
            if after is not None and after[1] == "boards":
                windows.append((after[0], after[2]))
            inside: dict[str, float] = {}
            for t1, other, ms1 in self.events:
                if other in ("advance", "boards"):
                    continue
                if any(w0 <= t1 <= w0 + w_ms / 1000 for w0, w_ms in windows):
                    inside[other] = inside.get(other, 0.0) + ms1
            out.append((sum(w_ms for _, w_ms in windows), inside))
        return out


def collect_after_publish(full_every: int) -> None:
    """Turn automatic collection off; collect right after each tick's fan-out instead."""
    publish = bustrack.broker.hub.Hub.publish
    count = 0

    def publish_then_collect(
        self: bustrack.broker.hub.Hub, frames: Any, now: float, **kw: Any
    ) -> None:
        nonlocal count
        publish(self, frames, now, **kw)
        count += 1
        gc.collect(2 if count % full_every == 0 else 1)

    bustrack.broker.hub.Hub.publish = publish_then_collect  # type: ignore[method-assign]
    gc.disable()


async def run(args: argparse.Namespace) -> None:
    """Serve, load, measure, print."""
    probe = Probe()
    probe.wrap(bustrack.live.tick.TickEngine, "move_fleet", "advance")
    probe.wrap(bustrack.live.tick.TickEngine, "move_boards", "boards")
    probe.wrap(bustrack.live.tick, "locate_vehicles", "locate")
    probe.wrap(bustrack.live.fleet.Fleet, "advance", "fleet")
    probe.wrap(bustrack.live.predictions.Predictor, "observe", "predict")
    gc.callbacks.append(probe.on_gc)
    if args.gc_after_publish:
        collect_after_publish(args.full_every)
    port = free_port()
    settings = parse_settings(["--port", str(port), "--start-time", "09:00", *UNCAPPED])
    app = create_app(settings)
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, settings, stop))
    gen = await LoadGen.start()
    try:
        await asyncio.sleep(3)
        views = make_viewports(Path(DEFAULT_GTFS), args.clients)
        urls = [f"ws://127.0.0.1:{port}/ws{v.query()}" for v in views]
        await gen.call("open", within=60 + len(urls) / 20, group="view", urls=urls, batch=100)
        await asyncio.sleep(3)
        since = time.perf_counter()
        stats = await gen.call("measure", within=args.seconds + 60, seconds=args.seconds)
    finally:
        await gen.stop()
        stop.set()
        await server
    tracked = len(gc.get_objects())
    print(
        f"bustrack in-process, {args.clients:,} viewport clients, {args.seconds:g} s, "
        + ("collector after publish" if args.gc_after_publish else "automatic collection")
        + f"; {tracked:,} objects tracked by the collector, {gc.get_freeze_count():,} frozen"
    )
    print()
    print(f"{'advance ms':>10}  {'locate':>6}  {'fleet':>5}  {'predict':>7}  collections inside")
    rows = probe.ticks(since)
    for ms, inside in rows:
        pauses = "  ".join(
            f"{k} {v:.0f} ms" for k, v in sorted(inside.items()) if k.startswith("gc") and v >= 1
        )
        print(
            f"{ms:10.0f}  {inside.get('locate', 0):6.0f}  {inside.get('fleet', 0):5.0f}  "
            f"{inside.get('predict', 0):7.0f}  {pauses}"
        )
    if rows:
        print(f"{'median':>10} {statistics.median(ms for ms, _ in rows):.0f} ms")
    print()
    d = stats["all"]["delay_ms"]
    print(
        f"delay: p50 {d['p50']} ms, p99 {d['p99']} ms, max {d['max']} ms; "
        f"missed {stats['all']['missed']}; per tick (first frame, last frame) ms: "
        + ", ".join(f"({t['first_ms']}, {t['last_ms']})" for t in stats["ticks"])
    )


def main() -> int:
    """Parse the flags and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=10000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--gc-after-publish", action="store_true")
    parser.add_argument("--full-every", type=int, default=10, help="ticks between full collections")
    args = parser.parse_args()
    raise_nofile()
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
