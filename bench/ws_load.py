"""The /ws load benchmark: bustrack against a ``websockets`` ``broadcast()`` baseline, side by side.

Run from the repository root::

    .venv/bin/python bench/ws_load.py              # the full run, 7-10 minutes
    .venv/bin/python bench/ws_load.py --quick      # a smoke run, under 2 minutes
    .venv/bin/python bench/ws_load.py --nice -10   # on a shared machine, as root
    .venv/bin/python bench/ws_load.py --deflate    # clients offer compression, as browsers do

It starts bustrack as a user would (``python -m bustrack.web --port P --start-time 09:00``,
plus a shorter ``--stuck-timeout``) and the baseline (``bench/baseline_server.py``: the same
simulated fleet, its whole state broadcast every tick), one after the other, and drives
each with the Node load generator (``bench/loadgen.mjs``). During every measurement window
it samples the server's CPU (utime+stime from /proc/PID/stat), its RSS (VmRSS), the
generator's CPU and the whole machine's, then prints:

- a ramp: the most clients each server sustains with p99 delay <= 250 ms and no frame
  missed (bustrack: realistic viewports, see bench/viewports.py; the baseline has no
  subscriptions, so its clients get everything) -- goal 1;
- the same whole-city frame to every client on both servers: deliveries per server
  CPU-second at 200, 1,000 and 2,000 clients -- goal 2, judged at the most of them the
  baseline sustains (below that, the ticks' fixed cost, not the fan-out, sets the ratio);
- viewport clients without and with one whole-city client that stops reading, in turns
  (in the order ABBA BAAB in the full run, judged on the medians) -- goal 3;
- the same viewport clients quiet and while 1, then 20 hostile connections flood the
  server with whole-world subscribes, reading nothing (``--flood-only``: just this);
- server memory per idle connection, and a storm of connects and disconnects.

Delay is a frame's arrival time at the generator minus its ``ts`` (same machine clock), so
it includes the tick's own computation, the fan-out, the kernel and the generator.
Every loop is bounded in count and time; all traffic is on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import functools
import json
import os
import platform
import re
import resource
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.flood import FloodStats, flood
from bench.loadgen import BENCH_DIR, LoadGen
from bench.viewports import OCEAN_BOX, Viewport, make_viewports
from bustrack.settings import DEFAULT_GTFS

__all__ = ["Plan", "main"]

ROOT = BENCH_DIR.parent
P99_LIMIT_MS = 250.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Plan:
    """How big and how long each part of a run is."""

    window: float  # seconds of each measurement window
    settle: float  # seconds between opening clients and measuring
    drain: float  # seconds between closing thousands of clients and measuring
    ours_ramp: tuple[int, ...]  # always up to ours_goal; beyond it, while sustained
    ours_goal: int  # goal 1's number of clients
    baseline_ramp: tuple[int, ...]  # stops after two steps in a row fail
    city_clients: tuple[int, ...]  # goal 2: judged at the most the baseline sustains
    goal3_clients: int
    goal3_order: str  # windows without (A) and with (B) a stuck client, in this order
    stuck_timeout: float
    heartbeat: float | None  # None: bustrack's default (20 s)
    stuck_wait: float  # at most this long for the server to drop the stuck client
    idle_clients: int
    storm_rate: float
    storm_seconds: float
    flooders: tuple[int, ...]  # hostile connections in each flood window, beside quiet ones
    workers_ramp: tuple[int, ...] = ()  # --workers: each configuration's ramp, while sustained


FULL = Plan(
    window=8.0,
    settle=2.0,
    drain=15.0,
    ours_ramp=(1000, 3000, 5000, 7000, 10000, 12500, 15000, 17500),
    ours_goal=10000,
    baseline_ramp=(25, 50, 100, 200, 400, 600, 800, 1200, 1600, 2400),
    city_clients=(200, 1000, 2000),
    goal3_clients=2000,
    goal3_order="ABBABAAB",
    stuck_timeout=10.0,
    heartbeat=None,
    stuck_wait=60.0,
    idle_clients=5000,
    storm_rate=300.0,
    storm_seconds=5.0,
    flooders=(1, 20),
    workers_ramp=(2000, 5000, 7500, 10000, 12500, 15000, 17500, 20000, 22500, 25000),
)
QUICK = Plan(
    window=4.0,
    settle=2.0,
    drain=10.0,
    ours_ramp=(1000, 3000),
    ours_goal=3000,
    baseline_ramp=(100, 200, 400, 800),
    city_clients=(100, 400),
    goal3_clients=500,
    goal3_order="AB",
    stuck_timeout=4.0,
    heartbeat=5.0,
    stuck_wait=25.0,
    idle_clients=1000,
    storm_rate=200.0,
    storm_seconds=2.0,
    flooders=(1, 20),
    workers_ramp=(1000, 3000, 6000),
)


# Measuring processes: /proc.


def proc_cpu(pid: int) -> float:
    """Return the CPU seconds (user + system) process ``pid`` has used."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_rss_mb(pid: int) -> float:
    """Return the resident set size (VmRSS) of process ``pid`` in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def machine_busy() -> tuple[float, float]:
    """Return the CPU seconds all cores spent busy since boot, and of those in (soft)irqs.

    Loopback traffic is mostly handled in softirqs, which are not charged to any process;
    they are counted apart so that they do not pass for other people's work.
    """
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = (
            int(v) for v in f.readline().split()[1:9]
        )
    busy = user + nice + system + irq + softirq + steal
    return busy / CLK_TCK, (irq + softirq) / CLK_TCK


@dataclass
class Sample:
    """CPU and memory of the server, the generator and the machine over one window."""

    seconds: float = 0.0
    server_cpu: float = 0.0  # cores (CPU seconds per second)
    gen_cpu: float = 0.0
    machine_cpu: float = 0.0
    irq_cpu: float = 0.0
    rss_mb: list[float] = field(default_factory=list)
    parts: dict[str, float] = field(default_factory=dict)  # cores of each server process

    @property
    def other_cpu(self) -> float:
        """Cores used by everything else on the machine (other people's work: noise)."""
        return max(0.0, self.machine_cpu - self.irq_cpu - self.server_cpu - self.gen_cpu)


def _cpu_or_none(pid: int) -> float | None:
    try:
        return proc_cpu(pid)
    except (FileNotFoundError, ProcessLookupError):  # it exited (a restarted worker)
        return None


async def sampled(
    server_pid: int,
    gen_pid: int,
    work: asyncio.Task[Any],
    parts: dict[str, int] | None = None,
) -> Sample:
    """Sample the processes every 0.5 s until ``work`` is done.

    ``parts``: when the server is several processes (a supervisor, its web processes and
    feeder, redis-server), each by name: the server's CPU is their sum, its RSS too, and
    each one's CPU is kept apart.
    """
    pids = parts or {"server": server_pid}
    t0, g0, (m0, i0) = time.monotonic(), proc_cpu(gen_pid), machine_busy()
    c0 = {name: _cpu_or_none(pid) for name, pid in pids.items()}

    def rss_now() -> float:
        total = 0.0
        for pid in pids.values():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                total += proc_rss_mb(pid)
        return total

    rss = [rss_now()]
    while not work.done():
        await asyncio.wait([work], timeout=0.5)
        rss.append(rss_now())
    seconds = time.monotonic() - t0
    m1, i1 = machine_busy()
    used = {}
    for name, pid in pids.items():
        before, after = c0[name], _cpu_or_none(pid)
        used[name] = 0.0 if before is None or after is None else (after - before) / seconds
    return Sample(
        seconds=seconds,
        server_cpu=sum(used.values()),
        gen_cpu=(proc_cpu(gen_pid) - g0) / seconds,
        machine_cpu=(m1 - m0) / seconds,
        irq_cpu=(i1 - i0) / seconds,
        rss_mb=rss,
        parts=used if parts else {},
    )


# Servers.


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """A server subprocess with its output in a log file."""

    def __init__(self, name: str, argv: list[str], port: int, log_dir: Path) -> None:
        """Describe the server; :meth:`start` runs it."""
        self.name = name
        self.argv = argv
        self.port = port
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self.proc is not None
        return self.proc.pid

    @property
    def command(self) -> str:
        """The command line, as a user would type it."""
        return shlex.join(["python", *self.argv[1:]])

    def launch(self) -> None:
        """Start the server process (see :meth:`start`)."""
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                self.argv, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )

    async def start(self, within: float = 120.0) -> None:
        """Start the server and wait until its port accepts connections."""
        self.launch()
        assert self.proc is not None
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited {self.proc.returncode}:\n{self.log()}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.2)
                continue
            writer.close()
            await writer.wait_closed()
            return
        raise RuntimeError(f"{self.name} did not listen in {within:.0f} s:\n{self.log()}")

    def processes(self) -> dict[str, int] | None:
        """The server's processes by name, when it is more than one (None: just :attr:`pid`)."""
        return None

    def log(self) -> str:
        """Return the server's output so far."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def fleet_size(server: Server) -> int | None:
    """Return the number of vehicles the server logged at its first tick."""
    found = re.search(r"first tick: (\d+) vehicles", server.log())
    return int(found.group(1)) if found else None


# Measurements.


@dataclass
class Row:
    """One measurement window: the generator's figures and the processes' samples."""

    label: str
    clients: int
    stats: dict[str, Any]  # the generator's window (loadgen.mjs endWindow)
    sample: Sample
    open_failed: int = 0
    attempt: int = 0  # measured again this many times because the machine was busy

    @property
    def all(self) -> dict[str, Any]:
        """Figures over every steady client."""
        stats: dict[str, Any] = self.stats["all"]
        return stats

    @property
    def p99(self) -> float:
        """The 99th percentile delay in ms (infinite if no frame came)."""
        value = self.all["delay_ms"]["p99"]
        return float("inf") if value is None else float(value)

    @property
    def missed(self) -> int:
        """Frames missed by reading clients in the window (resyncs + skipped ticks)."""
        return int(self.all["missed"])

    @property
    def sustained(self) -> bool:
        """Every client connected and kept getting every frame, p99 within the limit."""
        a = self.all
        return (
            self.open_failed == 0
            and a["clients"] == self.clients
            and a["silent"] == 0
            and self.stats["closes"] == 0
            and self.missed == 0
            and self.p99 <= P99_LIMIT_MS
        )

    @property
    def ticks(self) -> tuple[float | None, float | None]:
        """Median over the window's ticks of when a tick's first frame arrived (ms after
        its ts: the tick's own computation) and of how long its frames took to arrive
        from the first to the last (the fan-out, kernel and generator included)."""
        full = [t for t in self.stats.get("ticks", []) if t["n"] >= 0.9 * max(1, self.clients)]
        if not full:
            return None, None
        first = sorted(t["first_ms"] for t in full)
        spread = sorted(t["last_ms"] - t["first_ms"] for t in full)
        return first[len(first) // 2], spread[len(spread) // 2]

    @property
    def deliveries_per_cpu_s(self) -> float:
        """Frames delivered per CPU-second of the server."""
        cpu_s = self.sample.server_cpu * self.sample.seconds
        return self.all["frames"] / cpu_s if cpu_s else float("inf")


class Bench:
    """One server and one generator: opens clients, measures windows."""

    def __init__(self, server: Server, gen: LoadGen, plan: Plan, noise: Noise) -> None:
        """Drive ``server`` with ``gen``."""
        self.server = server
        self.gen = gen
        self.plan = plan
        self.noise = noise
        self.open_failed = 0

    def url(self, query: str = "") -> str:
        """The WebSocket URL of the server with ``query``."""
        path = "/" if self.server.name == "baseline" else "/ws"
        return f"ws://127.0.0.1:{self.server.port}{path}{query}"

    def say(self, text: str) -> None:
        """Print a progress line (to stderr, so that stdout holds the report)."""
        print(f"  [{self.server.name}] {text}", file=sys.stderr, flush=True)

    async def open(self, group: str, urls: Sequence[str], *, stuck: bool = False) -> int:
        """Open clients in batches; return how many failed."""
        if not urls:
            return 0
        t0 = time.monotonic()
        reply = await self.gen.call(
            "open",
            within=60 + len(urls) / 20,
            group=group,
            urls=list(urls),
            batch=100,
            stuck=stuck,
            timeout_s=30 + len(urls) / 25,
        )
        failed = int(reply["failed"])
        self.open_failed += failed
        self.say(
            f"opened {reply['opened']} {group} clients in {time.monotonic() - t0:.1f} s"
            + (f", {failed} failed: {reply['errors']}" if failed else "")
        )
        return failed

    async def close(self, group: str, keep: int = 0) -> None:
        """Close a group's clients beyond the first ``keep``."""
        await self.gen.call("close", within=60, group=group, keep=keep)

    async def measure(self, label: str, clients: int, seconds: float | None = None) -> Row:
        """Measure one window while sampling the processes.

        A window during which the rest of the machine used more than the noise limit is
        measured again (a bounded number of times); the quietest one is kept.
        """
        seconds = self.plan.window if seconds is None else seconds
        rows: list[Row] = []
        for attempt in range(1 + self.noise.retries):
            work = asyncio.create_task(
                self.gen.call("measure", within=seconds + 60, seconds=seconds)
            )
            sample = await sampled(self.server.pid, self.gen.pid, work, self.server.processes())
            row = Row(label, clients, work.result(), sample, self.open_failed, attempt)
            rows.append(row)
            self.report(row)
            if sample.other_cpu <= self.noise.limit:
                break
            self.say(f"  noisy ({sample.other_cpu:.2f} other cores): measuring again")
        return min(rows, key=lambda r: r.sample.other_cpu)

    def report(self, row: Row) -> None:
        """Say what one window measured."""
        a = row.all
        self.say(
            f"{row.label}: {a['clients']} clients, {a['frames_per_s']:.0f} frames/s, "
            f"p50 {a['delay_ms']['p50']} p99 {a['delay_ms']['p99']} ms, missed {a['missed']}, "
            f"server {row.sample.server_cpu:.2f} cores, generator "
            f"{row.sample.gen_cpu:.2f}, others {row.sample.other_cpu:.2f}"
        )

    async def until_dropped(self, label: str, clients: int) -> tuple[Row, str, float]:
        """Measure from now until the server logs that it dropped a stuck client.

        Returns:
            The window, the server's log line ("" if it did not drop it in
            ``plan.stuck_wait`` seconds), and the seconds it took.
        """
        t0 = time.monotonic()
        logged_before = len(drop_lines(self.server.log()))
        await self.gen.call("window_start", within=10)

        async def wait_for_drop() -> str:
            while time.monotonic() - t0 < self.plan.stuck_wait:
                lines = drop_lines(self.server.log())
                if len(lines) > logged_before:
                    return lines[logged_before]
                await asyncio.sleep(0.5)
            return ""

        watch = asyncio.create_task(wait_for_drop())
        sample = await sampled(self.server.pid, self.gen.pid, watch)
        line, took = watch.result(), time.monotonic() - t0
        await asyncio.sleep(2)  # the others' frames right after the drop count too
        stats = await self.gen.call("window_end", within=30)
        sample.seconds = time.monotonic() - t0
        row = Row(label, clients, stats, sample, self.open_failed)
        self.report(row)
        return row, line, took

    async def settle(self) -> None:
        """Let freshly opened clients get past their first frames."""
        await asyncio.sleep(self.plan.settle)


DROP_PATTERNS = ("it has not read for", "No PONG received")


def drop_lines(log: str) -> list[str]:
    """The server's log lines that say it closed a client that stopped reading."""
    return [line for line in log.splitlines() if any(p in line for p in DROP_PATTERNS)]


@dataclass(frozen=True)
class Noise:
    """When a window counts as disturbed by other work on the machine."""

    limit: float  # cores used by other processes
    retries: int


@dataclass
class Results:
    """Everything one run measured."""

    ours_ramp: list[Row] = field(default_factory=list)
    base_ramp: list[Row] = field(default_factory=list)
    ours_zero: Row | None = None
    base_zero: Row | None = None
    ours_city: list[Row] = field(default_factory=list)
    base_city: list[Row] = field(default_factory=list)
    calm: list[Row] = field(default_factory=list)  # goal 3, a window per round
    stuck: list[Row] = field(default_factory=list)
    stuck_lines: list[str] = field(default_factory=list)  # the server's drop line, or ""
    stuck_seconds: list[float] = field(default_factory=list)
    stuck_probes: list[dict[str, Any]] = field(default_factory=list)
    idle: dict[str, float] = field(default_factory=dict)
    storm: dict[str, Any] = field(default_factory=dict)
    storm_row: Row | None = None
    quiet: list[Row] = field(default_factory=list)  # the flood's quiet windows
    flooded: list[tuple[Row, FloodStats]] = field(default_factory=list)
    fleet: dict[str, int | None] = field(default_factory=dict)
    deflate: bool = False  # the clients offered permessage-deflate
    commands: dict[str, str] = field(default_factory=dict)


async def run_ours(bench: Bench, viewports: list[Viewport], res: Results) -> None:
    """Idle memory, ramp (goal 1), stuck client (goal 3), storm, whole city (goal 2)."""
    plan, pid = bench.plan, bench.server.pid
    await bench.settle()
    # The cost of the ticks themselves, with nobody connected.
    res.ours_zero = await bench.measure("no clients", 0, plan.window)
    # Idle memory per connection: RSS with 0, then N clients on an empty box.
    before = await rss_median_mb(pid)
    ocean = bench.url(Viewport("idle", OCEAN_BOX).query())
    await bench.open("idle", [ocean] * plan.idle_clients)
    await bench.settle()
    after = await rss_median_mb(pid)
    res.idle = {"clients": plan.idle_clients, "before_mb": before, "after_mb": after}
    await bench.close("idle")
    # Goal 1: the ramp.
    await ramp(bench, viewports, plan.ours_ramp, res.ours_ramp, goal=plan.ours_goal)
    # Goal 3: the same viewport clients, with and without one stuck whole-city client.
    n3 = plan.goal3_clients
    await bench.close("view", keep=n3)
    bench.open_failed = 0
    await bench.settle()
    # In a counterbalanced order (ABBA BAAB), so that slow spells of the machine fall on both
    # sides and a drift over the run does not (the 09:00 fleet grows, and ticks slow down
    # with it: in plain ABAB order every B came later than its A). Each window without is
    # as long as a stuck client's window will be (until it is dropped), so that both see
    # as many ticks (and as many of the server's slow ones).
    for i, kind in enumerate(plan.goal3_order, start=1):
        if kind == "A":
            res.calm.append(await bench.measure(f"no stuck client {i}", n3, calm_window(plan)))
            continue
        await bench.open("stuck", [bench.url()], stuck=True)
        row, line, took = await bench.until_dropped(f"one stuck client {i}", n3)
        res.stuck.append(row)
        res.stuck_lines.append(line)
        res.stuck_seconds.append(took)
        probe = await bench.gen.call("probe_stuck", within=30, wait_s=3)
        res.stuck_probes.append((probe.get("stuck") or [{}])[0])
    await run_flood(bench, res)
    # The storm: connects and disconnects while the same clients keep reading.
    storm_urls = [bench.url(v.query()) for v in viewports[: max(1, int(plan.storm_rate))]]
    work = asyncio.create_task(
        bench.gen.call(
            "storm",
            within=plan.storm_seconds + 120,
            urls=storm_urls,
            rate=plan.storm_rate,
            seconds=plan.storm_seconds,
            hold_ms=[0, 1000],
        )
    )
    sample = await sampled(pid, bench.gen.pid, work)
    reply = work.result()
    res.storm = reply["storm"]
    res.storm_row = Row("during storm", n3, reply["steady"], sample, bench.open_failed)
    bench.report(res.storm_row)
    # Goal 2: only whole-city clients, once the server has finished closing the others
    # (2,000 closing connections kept it 0.04 cores busier for about 8 s).
    await bench.close("view")
    await asyncio.sleep(plan.drain)
    await measure_city(bench, res.ours_city)


async def ramp(
    bench: Bench, viewports: Sequence[Viewport], steps: Sequence[int], rows: list[Row], *, goal: int
) -> None:
    """Viewport clients in growing numbers, a window at each step (appended to ``rows``):
    always up to ``goal`` clients, beyond it while the step before was sustained."""
    urls = [bench.url(v.query()) for v in viewports]
    opened = 0
    for n in steps:
        if n > goal and rows and not rows[-1].sustained:
            break
        await bench.open("view", urls[opened:n])
        opened = n
        await bench.settle()
        rows.append(await bench.measure(f"ramp {n}", n))


async def run_flood(bench: Bench, res: Results) -> None:
    """The viewport clients open now, quiet and while hostile connections flood the server
    with subscribes (reading nothing, reconnecting when closed), in turns: quiet, then each
    of ``plan.flooders``, each followed by a quiet window."""
    plan, n = bench.plan, bench.plan.goal3_clients
    res.quiet.append(await bench.measure("quiet 1", n))
    for i, attackers in enumerate(plan.flooders, start=2):
        stop = asyncio.Event()
        attack = asyncio.create_task(flood(bench.url(), attackers, stop))
        await asyncio.sleep(1)  # the flood under way before the window opens
        row = await bench.measure(f"{attackers} flooding", n)
        stop.set()
        stats = await asyncio.wait_for(attack, 30)
        res.flooded.append((row, stats))
        bench.say(f"  flood: {stats}")
        await asyncio.sleep(plan.settle)
        res.quiet.append(await bench.measure(f"quiet {i}", n))


async def run_flood_only(bench: Bench, viewports: list[Viewport], res: Results) -> None:
    """``--flood-only``: the goal 3 viewport clients, then :func:`run_flood`."""
    await bench.settle()
    await bench.open("view", [bench.url(v.query()) for v in viewports[: bench.plan.goal3_clients]])
    await bench.settle()
    await run_flood(bench, res)


async def measure_city(bench: Bench, rows: list[Row]) -> None:
    """Goal 2: only whole-city clients, in growing numbers."""
    bench.open_failed = 0
    opened = 0
    for n in bench.plan.city_clients:
        await bench.open("city", [bench.url()] * (n - opened))
        opened = n
        await bench.settle()
        rows.append(await bench.measure(f"city {n}", n))
    await bench.close("city")


async def run_baseline(bench: Bench, res: Results) -> None:
    """Whole city (goal 2), then the ramp until two steps in a row fail (goal 1).

    One failed step does not end the ramp: on a noisy machine the next, bigger one may
    pass, and the baseline is given that chance.
    """
    plan = bench.plan
    await bench.settle()
    res.base_zero = await bench.measure("no clients", 0, plan.window)
    await measure_city(bench, res.base_city)
    bench.open_failed = 0
    opened = 0
    for n in plan.baseline_ramp:
        await bench.open("ramp", [bench.url()] * (n - opened))
        opened = n
        await bench.settle()
        row = await bench.measure(f"ramp {n}", n)
        res.base_ramp.append(row)
        if len(res.base_ramp) >= 2 and not any(r.sustained for r in res.base_ramp[-2:]):
            break


def calm_window(plan: Plan) -> float:
    """Seconds of goal 3's window without a stuck client: about the stuck window's."""
    heartbeat = plan.heartbeat or 20.0
    return max(plan.window, 1.5 * heartbeat + 4)


async def rss_median_mb(pid: int, samples: int = 5) -> float:
    """The server's RSS in MiB, the median of a few readings 0.2 s apart."""
    values = []
    for _ in range(samples):
        values.append(proc_rss_mb(pid))
        await asyncio.sleep(0.2)
    return sorted(values)[len(values) // 2]


# The report.


def fmt_int(v: float) -> str:
    """``12,345``."""
    return f"{v:,.0f}"


def _p99_range(rows: Sequence[Row]) -> str:
    """The lowest and highest p99 of some windows, as "lo-hi"."""
    p99s = [r.p99 for r in rows]
    return f"{fmt_ms(min(p99s))}-{fmt_ms(max(p99s))}" if p99s else "-"


def fmt_ms(v: float | None) -> str:
    """Milliseconds, or '-' when there is no value."""
    return "-" if v is None else f"{v:,.0f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain text table, numbers right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = [
        "  ".join(
            h.rjust(w) if i else h.ljust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    return "\n".join(lines)


LOAD_HEADERS = (
    "server",
    "window",
    "clients",
    "frames/s",
    "MB/s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "first ms",
    "spread ms",
    "missed",
    "srv cores",
    "srv RSS MB",
    "gen cores",
    "other cores",
    "tries",
    "ok",
)


def load_row(server: str, row: Row) -> list[str]:
    """One line of a load table."""
    a, s, d = row.all, row.sample, row.all["delay_ms"]
    return [
        server,
        row.label,
        fmt_int(a["clients"]),
        fmt_int(a["frames_per_s"]),
        f"{a['bytes_per_s'] / 1e6:.1f}",
        fmt_ms(d["p50"]),
        fmt_ms(d["p99"]),
        fmt_ms(d["max"]),
        fmt_ms(row.ticks[0]),
        fmt_ms(row.ticks[1]),
        fmt_int(a["missed"]),
        f"{s.server_cpu:.2f}",
        f"{max(s.rss_mb):.0f}",
        f"{s.gen_cpu:.2f}",
        f"{s.other_cpu:.2f}",
        str(row.attempt + 1),
        "yes" if row.sustained else "NO",
    ]


def marginal_us(rows: Sequence[Row]) -> float:
    """Server CPU per extra delivery between the first and the last window, in us."""
    first, last = rows[0], rows[-1]
    cpu = last.sample.server_cpu - first.sample.server_cpu
    deliveries = last.all["frames_per_s"] - first.all["frames_per_s"]
    return cpu / deliveries * 1e6 if deliveries > 0 else float("nan")


def goal2_pair(pairs: Sequence[tuple[Row, Row]]) -> tuple[Row, Row] | None:
    """The (ours, baseline) windows goal 2 is judged on: the most whole-city clients the
    baseline sustained (p99 within the limit, nothing missed).

    Deliveries per CPU-second mix a fixed cost per tick (the simulation, and for
    bustrack the predictions and arrival boards the baseline does not have) with a
    cost per delivery; the goal is about the second (the same frame to many clients),
    which shows once there are many clients, up to as many as the baseline can serve.
    Every count's ratio is printed beside it.
    """
    good = [(o, b) for o, b in pairs if b.sustained]
    return max(good, key=lambda p: p[1].clients) if good else None


def best(rows: Sequence[Row]) -> Row | None:
    """The biggest step that was sustained."""
    good = [r for r in rows if r.sustained]
    return max(good, key=lambda r: r.clients) if good else None


def verdict(ok: bool) -> str:
    """MET or NOT MET."""
    return "MET" if ok else "NOT MET"


def report(
    res: Results, plan: Plan, noise: Noise, argv: Sequence[str], say: Callable[[str], None]
) -> None:
    """Print every table and the goals' ratios."""
    say(f"# bustrack /ws load benchmark ({'quick' if plan is QUICK else 'full'} run)")
    say("")
    say(f"command:   {shlex.join(['.venv/bin/python', 'bench/ws_load.py', *argv])}")
    say(f"when:      {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    say(
        f"machine:   {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {node_version()}, RLIMIT_NOFILE "
        f"{resource.getrlimit(resource.RLIMIT_NOFILE)[0]}"
    )
    say(f"tree:      {git_state()}")
    say(f"priority:  nice {os.getpriority(os.PRIO_PROCESS, 0)} (servers and generator)")
    say(f"ours:      {res.commands.get('ours', '?')}")
    say(f"baseline:  {res.commands.get('baseline', '?')}")
    n_ours, n_base = res.fleet.get("ours") or 0, res.fleet.get("baseline") or 0
    alike = abs(n_ours - n_base) <= 0.03 * max(n_ours, n_base, 1)  # 09:00: +25 buses/s
    alike = alike or "baseline" not in res.fleet  # --flood-only runs no baseline
    say(
        f"fleet:     {n_ours} vehicles (ours), {n_base} (baseline) at their first tick "
        "(service time 09:00 plus startup; the fleet grows over the run), 1 tick/s"
        + ("" if alike else "  WARNING: the fleets differ (is the simulation set up alike?)")
    )
    say(
        "load:      one Node process (bench/loadgen.mjs + wsclient.mjs); ours: 80 % phone "
        "boxes (0.02 x 0.04 deg), 15 % district boxes (0.067 x 0.13 deg), 5 % whole city "
        "(no subscription); baseline: the whole fleet for everybody; the clients "
        + (
            "offer permessage-deflate, as browsers do (bustrack accepts it, the baseline "
            "declines it)"
            if res.deflate
            else "offer no compression (--deflate: offer it, as browsers do)"
        )
    )
    say(
        "delay:     frame arrival at the generator - frame ts (same clock); missed: resync "
        "snapshots + ticks skipped, by clients that kept reading"
    )
    say(
        "ticks:     first ms: median delay of a tick's first frame (the tick's computation "
        "before any send); spread ms: median time from a tick's first to its last frame "
        "(the fan-out)"
    )
    say(
        "cores:     CPU-seconds per second from /proc (srv: the server; gen: the generator; "
        "other: the rest of the machine minus (soft)irqs = other people's work); a window "
        f"with other > {noise.limit:g} is measured again, at most {noise.retries} more "
        "times, and the quietest kept (tries)"
    )
    say("")
    if not res.ours_ramp:  # --flood-only
        report_flood(res, plan, say)
        return
    say(f"## Ramp: the most clients with p99 <= {P99_LIMIT_MS:.0f} ms and nothing missed")
    say("")
    rows = [load_row("ours", r) for r in res.ours_ramp]
    rows += [load_row("baseline", r) for r in res.base_ramp]
    say(table(LOAD_HEADERS, rows))
    say("")
    ours_best, base_best = best(res.ours_ramp), best(res.base_ramp)
    top = res.ours_ramp[-1] if res.ours_ramp else None
    ours_n = ours_best.clients if ours_best else 0
    base_n = base_best.clients if base_best else 0
    ratio = ours_n / base_n if base_n else float("inf")
    goal_n = plan.ours_goal
    ok1 = ours_n >= goal_n and ratio >= 10
    say(
        f"Goal 1: ours sustains {fmt_int(ours_n)} viewport clients"
        + (f" (p99 {fmt_ms(ours_best.p99)} ms)" if ours_best else "")
        + f", the baseline {fmt_int(base_n)}"
        + (f" (p99 {fmt_ms(base_best.p99)} ms)" if base_best else "")
        + f": {ratio:.0f}x (goal: {fmt_int(goal_n)} at p99 <= 250 ms, nothing missed, "
        f">= 10x) -- {verdict(ok1)}"
    )
    if top is not None and not top.sustained:
        say(
            f"        at {fmt_int(top.clients)}: p99 {fmt_ms(top.p99)} ms "
            f"({top.p99 / P99_LIMIT_MS:.2f}x the limit), {top.missed} missed; a tick's first "
            f"frame after {fmt_ms(top.ticks[0])} ms, its fan-out {fmt_ms(top.ticks[1])} ms "
            f"(medians); other work on the machine: {top.sample.other_cpu:.2f} cores"
        )
    say("")
    counts = ", ".join(map(fmt_int, plan.city_clients))
    say(f"## Goal 2: the same frame to every client ({counts} whole-city clients)")
    say("")
    g2 = [("ours", r) for r in [res.ours_zero, *res.ours_city]]
    g2 += [("baseline", r) for r in [res.base_zero, *res.base_city]]
    headers = (
        "server",
        "clients",
        "frame KB",
        "deliveries/s",
        "srv cores",
        "deliveries/CPU-s",
        "MB/s",
        "p50 ms",
        "p99 ms",
        "missed",
        "other cores",
    )
    rows = []
    for name, r in g2:
        if r is None:
            continue
        a = r.all
        rows.append(
            [
                name,
                fmt_int(r.clients),
                f"{a['bytes'] / max(1, a['frames']) / 1000:.0f}" if a["frames"] else "-",
                fmt_int(a["frames_per_s"]),
                f"{r.sample.server_cpu:.3f}",
                fmt_int(r.deliveries_per_cpu_s) if r.clients else "-",
                f"{a['bytes_per_s'] / 1e6:.1f}",
                fmt_ms(a["delay_ms"]["p50"]),
                fmt_ms(a["delay_ms"]["p99"]),
                fmt_int(a["missed"]),
                f"{r.sample.other_cpu:.2f}",
            ]
        )
    say(table(headers, rows))
    if res.ours_city and res.base_city:
        pairs = list(zip(res.ours_city, res.base_city, strict=False))
        judged = goal2_pair(pairs)
        say("")
        if judged is None:
            say("Goal 2: the baseline sustained none of these counts -- NOT MEASURED")
        else:
            ours, base = judged
            r2 = ours.deliveries_per_cpu_s / base.deliveries_per_cpu_s
            say(
                f"Goal 2: deliveries per server CPU-second at {fmt_int(ours.clients)} whole-city "
                f"clients (the most the baseline sustained here), ours / baseline = {r2:.2f}x "
                f"(goal >= 1.5x) -- {verdict(r2 >= 1.5)}"
            )
        for o, b in pairs:
            if (o, b) == judged:
                continue
            say(
                f"        at {fmt_int(o.clients)} clients: "
                f"{o.deliveries_per_cpu_s / b.deliveries_per_cpu_s:.2f}x"
                f"{'' if b.sustained else ' (the baseline did not sustain it)'}"
            )
        if res.ours_zero and res.base_zero:
            say(
                f"        the ticks alone (no clients) cost {res.ours_zero.sample.server_cpu:.3f} "
                f"cores (ours) and {res.base_zero.sample.server_cpu:.3f} (baseline)"
            )
        if len(res.ours_city) > 1 and len(res.base_city) > 1:
            cost = [marginal_us(rows_) for rows_ in (res.ours_city, res.base_city)]
            shown = [f"{c:.0f} us" if c > 0 else "n/a (within the noise)" for c in cost]
            say(
                f"        one more delivery costs {shown[0]} of server CPU (ours) and "
                f"{shown[1]} (baseline), from the first to the last of these windows"
            )
    say("")
    say(
        f"## Goal 3: one whole-city client stops reading ({plan.goal3_clients} viewport "
        f"clients, --stuck-timeout {plan.stuck_timeout:g})"
    )
    say("")
    if res.calm and res.stuck:
        turns = sorted([*res.calm, *res.stuck], key=lambda r: int(r.label.rsplit(" ", 1)[1]))
        rows = [load_row("ours", r) for r in turns]
        if res.storm_row is not None:
            rows.append(load_row("ours", res.storm_row))
        say(table(LOAD_HEADERS, rows))
        say("")
        calm_p99 = statistics.median(r.p99 for r in res.calm)
        stuck_p99 = statistics.median(r.p99 for r in res.stuck)
        change = stuck_p99 / calm_p99 - 1 if calm_p99 else float("inf")
        missed = sum(r.missed for r in res.stuck)
        dropped = all(res.stuck_lines)
        rss_calm = max(max(r.sample.rss_mb) for r in res.calm)
        rss_stuck = max(max(r.sample.rss_mb) for r in res.stuck)
        ok3 = change < 0.10 and missed == 0 and dropped
        # Without the stuck client, nothing should go wrong: if something did, or other work
        # loaded the machine during any window, the comparison says little.
        other = max(r.sample.other_cpu for r in [*res.calm, *res.stuck])
        calm_missed = sum(r.missed for r in res.calm)
        disturbed = calm_missed > 0 or other > noise.limit
        rounds = f" (medians of {len(res.calm)} turns)" if len(res.calm) > 1 else ""
        say(
            f"Goal 3: p99 {fmt_ms(calm_p99)} ms without, {fmt_ms(stuck_p99)} ms with "
            f"the stuck client{rounds}: {change:+.1%} (goal < +10 %), "
            f"{missed} frames missed by the others; dropped: "
            f"{'yes' if dropped else 'NO'} -- "
            + (
                f"{verdict(ok3)}"
                if not disturbed
                else f"INCONCLUSIVE ({verdict(ok3)} as measured, but other work used up to "
                f"{other:.2f} cores during these windows, and {calm_missed} frames were "
                "missed without the stuck client)"
            )
        )
        if len(res.calm) > 1:
            say(
                f"        each turn's p99: {_p99_range(res.calm)} ms without, "
                f"{_p99_range(res.stuck)} ms with it"
            )
        say(
            f"        server RSS max {rss_calm:.0f} MB without, {rss_stuck:.0f} MB while it "
            f"was stuck ({rss_stuck - rss_calm:+.1f} MB)"
        )
        for line, took, probe in zip(
            res.stuck_lines, res.stuck_seconds, res.stuck_probes, strict=True
        ):
            if line:
                say(
                    f"        the server dropped it {took:.0f} s after it stopped reading: "
                    f"{line.strip()}"
                )
            else:
                say(f"        the server had not dropped it after {plan.stuck_wait:.0f} s")
            say(f"        after resuming its socket, the stuck client saw: {probe}")
    report_flood(res, plan, say)
    say("")
    say("## Memory per idle connection")
    say("")
    if res.idle:
        i = res.idle
        per = (i["after_mb"] - i["before_mb"]) * 1024 / i["clients"]
        say(
            f"server RSS {i['before_mb']:.1f} MB with 0 clients, {i['after_mb']:.1f} MB with "
            f"{fmt_int(i['clients'])} clients on an empty (ocean) box: {per:.1f} KiB per "
            "idle connection"
        )
    say("")
    say("## Connect/disconnect storm")
    say("")
    if res.storm and res.storm_row:
        s = res.storm
        h = s["handshake_ms"]
        say(
            f"{fmt_int(s['attempted'])} connects in {s['launch_seconds']:.1f} s "
            f"({s['connects_per_s']:.0f}/s opened, {s['disconnects_per_s']:.0f}/s closed; "
            f"each left after 0-1 s, half with a close handshake, half by dropping TCP): "
            f"{fmt_int(s['opened'])} opened, {fmt_int(s['failed'])} failed {s['errors'] or ''}, "
            f"{fmt_int(s['got_snapshot'])} got their snapshot; handshake p50 "
            f"{fmt_ms(h['p50'])} ms, p99 {fmt_ms(h['p99'])} ms"
        )
        r = res.storm_row
        say(
            f"steady {fmt_int(r.all['clients'])} clients during the storm: p99 "
            f"{fmt_ms(r.p99)} ms (before: {fmt_ms(res.calm[-1].p99 if res.calm else None)} ms), "
            f"{r.missed} frames missed, {r.stats['closes']} closed -- "
            f"{'survived' if r.missed == 0 and r.stats['closes'] == 0 else 'HURT'}"
        )


def git_state() -> str:
    """The commit measured, and whether bustrack/ had uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "bustrack"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "?"
    return f"{head}" + (" + uncommitted changes in bustrack/" if dirty else "")


def node_version() -> str:
    """``Node v20.x``."""
    try:
        done = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=10)
    except OSError:
        return "Node ?"
    return f"Node {done.stdout.strip()}"


# Running.


def dump(res: Results, path: Path) -> None:
    """Write every window's figures as JSON (for a closer look than the tables)."""
    path.write_text(json.dumps(dataclasses.asdict(res), indent=1, default=str))


def raise_nofile() -> None:
    """Raise the open-files limit to the hard limit (the servers inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    """Stop the server however the block ends."""
    try:
        yield server
    finally:
        server.stop()


async def bench_server(
    server: Server, plan: Plan, noise: Noise, work: Callable[[Bench], Any], deflate: bool
) -> None:
    """Start ``server`` and a generator, run ``work``, stop both."""
    with running(server):
        await server.start()
        gen = await LoadGen.start(deflate=deflate)
        try:
            await work(Bench(server, gen, plan, noise))
        finally:
            await gen.stop()


def report_flood(res: Results, plan: Plan, say: Callable[[str], None]) -> None:
    """The flood scenario's table and figures."""
    say("")
    say(
        f"## Flood: hostile connections subscribing to the whole world as fast as they can, "
        f"reading nothing ({plan.goal3_clients} viewport clients)"
    )
    say("")
    if res.quiet and res.flooded:
        rows = [load_row("ours", r) for r in res.quiet[:1]]
        for (row, _), quiet in zip(res.flooded, res.quiet[1:], strict=False):
            rows += [load_row("ours", row), load_row("ours", quiet)]
        say(table(LOAD_HEADERS, rows))
        say("")
        quiet_p99 = statistics.median(r.p99 for r in res.quiet)
        quiet_rss = max(max(r.sample.rss_mb) for r in res.quiet)
        for row, st in res.flooded:
            grown = max(row.sample.rss_mb) - min(res.quiet[0].sample.rss_mb)
            say(
                f"{row.label}: p99 {fmt_ms(row.p99)} ms vs {fmt_ms(quiet_p99)} ms quiet "
                f"({row.p99 / quiet_p99:.2f}x), {row.missed} frames missed, server RSS max "
                f"{max(row.sample.rss_mb):.0f} MB ({grown:+.0f} MB on the first quiet window's "
                f"least); attackers: {fmt_int(st.connections)} connections, "
                f"{fmt_int(st.sent)} messages sent, {st.closed_1008} closed with 1008, "
                f"{st.closed_other} otherwise, {st.refused} refused"
            )
        say(f"        quiet windows: p99 {_p99_range(res.quiet)} ms, RSS max {quiet_rss:.0f} MB")


def ours_flags(plan: Plan, port: int) -> list[str]:
    """bustrack's flags in every run: the port, 09:00, the plan's timeouts, no caps."""
    return [
        "--port",
        str(port),
        "--start-time",
        "09:00",
        "--stuck-timeout",
        f"{plan.stuck_timeout:g}",
        # Every load client is on 127.0.0.1: lift the per-address and total caps.
        "--max-connections-per-ip",
        "1000000",
        "--max-connections",
        "1000000",
        *(["--heartbeat", f"{plan.heartbeat:g}"] if plan.heartbeat else []),
    ]


def ours_server(name: str, plan: Plan, log_dir: Path) -> Server:
    """bustrack as one process (``python -m bustrack.web``), on a free port."""
    port = free_port()
    return Server(
        name, [sys.executable, "-m", "bustrack.web", *ours_flags(plan, port)], port, log_dir
    )


async def run(
    plan: Plan, noise: Noise, log_dir: Path, deflate: bool = False, *, flood_only: bool = False
) -> Results:
    """Run both servers one after the other and collect the figures."""
    res = Results(deflate=deflate)
    py = sys.executable
    ours = ours_server("ours", plan, log_dir)
    base_port = free_port()
    base = Server(
        "baseline",
        [
            py,
            str(BENCH_DIR / "baseline_server.py"),
            "--port",
            str(base_port),
            "--start-time",
            "09:00",
        ],
        base_port,
        log_dir,
    )
    res.commands = {"ours": ours.command, "baseline": base.command.replace(str(ROOT) + "/", "")}
    n = max(*plan.ours_ramp, plan.goal3_clients)
    viewports = make_viewports(Path(DEFAULT_GTFS), n)
    print("bustrack:", file=sys.stderr)
    if flood_only:
        await bench_server(ours, plan, noise, lambda b: run_flood_only(b, viewports, res), deflate)
        res.fleet["ours"] = fleet_size(ours)
        return res
    await bench_server(ours, plan, noise, lambda b: run_ours(b, viewports, res), deflate)
    res.fleet["ours"] = fleet_size(ours)
    print("baseline:", file=sys.stderr)
    await bench_server(base, plan, noise, lambda b: run_baseline(b, res), deflate)
    res.fleet["baseline"] = fleet_size(base)
    return res


# --workers: one process, then web processes beside a feeder through Redis, in one run.

REDIS_SERVER = "/usr/bin/redis-server"
# No snapshots; the ingest stream's durability as docs/scaling.md asks (fsync every write).
REDIS_FLAGS = "--bind 127.0.0.1 --save '' --appendonly yes --appendfsync always --daemonize no"
FLEET_KEY = "bustrack:latest:fleet"
BUSY_MACHINE = 1.8  # cores of 2 busy: the machine, not one process, is the limit


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (from /proc/PID/task/*/children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def role_of(pid: int) -> str:
    """``feeder`` or ``web`` (the last ``--role`` of the process's command line)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return "?"
    roles = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--role"]
    return roles[-1] if roles else "?"


class Cluster(Server):
    """A redis-server, and bustrack's ``--workers`` supervisor of ``workers`` web processes
    and one feeder on one port, started and stopped as one."""

    def __init__(self, workers: int, plan: Plan, log_dir: Path) -> None:
        """Describe both (on free ports; Redis's files in ``log_dir``)."""
        rport, port = free_port(), free_port()
        rdir = log_dir / f"redis-{workers}"
        rdir.mkdir(parents=True, exist_ok=True)
        self.redis = Server(
            f"redis-{workers}",
            [REDIS_SERVER, "--port", str(rport), "--dir", str(rdir), *shlex.split(REDIS_FLAGS)],
            rport,
            log_dir,
        )
        self.workers = workers
        flags = [*ours_flags(plan, port), "--redis", f"redis://127.0.0.1:{rport}/0"]
        argv = [sys.executable, "-m", "bustrack.web", *flags, "--workers", str(workers)]
        super().__init__(f"workers-{workers}", argv, port, log_dir)

    @property
    def command(self) -> str:
        """The supervisor's command line."""
        return shlex.join(["python", *self.argv[1:]])

    async def start(self, within: float = 180.0) -> None:
        """Start Redis, then the supervisor; wait until every web process listens and the
        feeder's first tick is in Redis."""
        await self.redis.start()
        await super().start(within)
        deadline = time.monotonic() + within
        serving = f"serving on http://127.0.0.1:{self.port}/"
        while time.monotonic() < deadline:
            webs = self.log().count(serving)
            if webs >= self.workers and self.message().get("bytes"):
                return
            await asyncio.sleep(0.5)
        raise RuntimeError(f"{self.name}: web processes or the feeder not up:\n{self.log()}")

    def stop(self) -> None:
        """Stop the supervisor (it stops its processes), then Redis."""
        super().stop()
        self.redis.stop()

    def processes(self) -> dict[str, int]:
        """The supervisor, its feeder and web processes, and redis-server, by name."""
        found = {"supervisor": self.pid}
        webs = 0
        for child in sorted(children(self.pid)):
            role = role_of(child)
            if role == "web":
                webs += 1
                found[f"web {webs}"] = child
            else:
                found[role] = child
        found["redis"] = self.redis.pid
        return found

    def message(self) -> dict[str, int]:
        """The latest fleet message in Redis: its bytes (``redis-cli STRLEN``), channels and
        the snapshot and update parts' bytes (empty before the first tick)."""
        done = subprocess.run(
            ["redis-cli", "-p", str(self.redis.port), "STRLEN", FLEET_KEY],
            capture_output=True,
            text=True,
            timeout=10,
        )
        size = int(done.stdout.strip() or 0)
        if not size:
            return {}
        import redis  # only this mode needs it

        from bustrack.broker.message import FleetMessage, decode

        client = redis.Redis(port=self.redis.port)
        try:
            msg = decode(bytes(client.get(FLEET_KEY) or b""))  # type: ignore[arg-type]
        finally:
            client.close()
        if not isinstance(msg, FleetMessage):
            return {"bytes": size}
        return {
            "bytes": size,
            "channels": len(set(msg.snapshot) | set(msg.update)),
            "snapshot_bytes": sum(map(len, msg.snapshot.values())),
            "update_bytes": sum(map(len, msg.update.values())),
        }


@dataclass
class Config:
    """One configuration of ``--workers`` mode and what its ramp measured."""

    name: str
    command: str
    redis_command: str = ""
    zero: Row | None = None  # no clients: the ticks' own cost
    ramp: list[Row] = field(default_factory=list)
    fleet: int | None = None
    message: dict[str, int] = field(default_factory=dict)  # at the end of the ramp


async def ramp_config(bench: Bench, cfg: Config, viewports: Sequence[Viewport]) -> None:
    """The ticks with nobody connected, then the viewport ramp until a step fails."""
    await bench.settle()
    cfg.zero = await bench.measure("no clients", 0)
    await ramp(bench, viewports, bench.plan.workers_ramp, cfg.ramp, goal=0)
    if isinstance(bench.server, Cluster):
        cfg.message = bench.server.message()


async def run_workers(
    plan: Plan, noise: Noise, log_dir: Path, deflate: bool, workers: Sequence[int]
) -> list[Config]:
    """``--workers``: ramp one process, then each count of web processes beside a feeder
    and a redis-server, one after the other, with the same viewports."""
    viewports = make_viewports(Path(DEFAULT_GTFS), max(plan.workers_ramp))
    servers: list[tuple[str, Server]] = [("1 process", ours_server("ours", plan, log_dir))]
    servers += [(f"{n} web + feeder", Cluster(n, plan, log_dir)) for n in workers]
    configs = []
    for name, server in servers:
        cfg = Config(name, server.command)
        if isinstance(server, Cluster):
            cfg.redis_command = shlex.join(server.redis.argv)
        print(f"{name}:", file=sys.stderr)
        await bench_server(
            server,
            plan,
            noise,
            functools.partial(ramp_config, cfg=cfg, viewports=viewports),
            deflate,
        )
        cfg.fleet = fleet_size(server)
        configs.append(cfg)
    return configs


def parts_of(row: Row) -> dict[str, float]:
    """Cores of each of the server's processes in a window (one process: ``server``)."""
    return row.sample.parts or {"server": row.sample.server_cpu}


def web_cores(row: Row) -> float:
    """Cores of the processes that serve clients (the web processes, or the one server)."""
    return sum(v for k, v in parts_of(row).items() if k == "server" or k.startswith("web"))


def report_workers(
    configs: Sequence[Config],
    plan: Plan,
    deflate: bool,
    argv: Sequence[str],
    say: Callable[[str], None],
) -> None:
    """The ``--workers`` tables: each configuration's ramp with every process's CPU."""
    say(
        "# bustrack /ws: 1 process vs web processes + feeder on Redis "
        f"({'quick' if plan is QUICK else 'full'} run)"
    )
    say("")
    say(f"command:   {shlex.join(['.venv/bin/python', 'bench/ws_load.py', *argv])}")
    say(f"when:      {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    say(
        f"machine:   {os.cpu_count()} CPUs (the total below is of {os.cpu_count()}.0), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"{node_version()}, RLIMIT_NOFILE {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}"
    )
    say(f"tree:      {git_state()}")
    for cfg in configs:
        say(f"{cfg.name + ':':<19}{cfg.command}  ({cfg.fleet} vehicles at the first tick)")
        if cfg.redis_command:
            say(f"{'':19}{cfg.redis_command}")
    say(
        "load:      one Node process (bench/loadgen.mjs), viewports as in the ramp above "
        "(80 % phone, 15 % district, 5 % whole city), the clients "
        + ("offer permessage-deflate" if deflate else "offer no compression")
    )
    say(
        "cores:     CPU-seconds per second from /proc of each process (the supervisor's "
        "children from /proc/PID/task/*/children), gen: the generator, irq: (soft)irqs "
        "(loopback traffic), total: the whole machine, other: total - the rest"
    )
    say("")
    say(f"## Ramp: the most viewport clients with p99 <= {P99_LIMIT_MS:.0f} ms and nothing missed")
    say("")
    names = ["server", "feeder"]
    for cfg in configs:
        for row in [cfg.zero, *cfg.ramp]:
            if row is not None:
                names += [n for n in parts_of(row) if n not in names]
    names = [n for n in names if n not in ("redis", "supervisor")] + [
        n for n in ("redis", "supervisor") if n in names
    ]
    headers = [
        "config",
        "clients",
        "p50 ms",
        "p99 ms",
        "missed",
        "ok",
        *names,
        "gen",
        "irq",
        "total",
        "other",
    ]
    rows = []
    for cfg in configs:
        for row in [cfg.zero, *cfg.ramp]:
            if row is None:
                continue
            parts = parts_of(row)
            s, d = row.sample, row.all["delay_ms"]
            rows.append(
                [
                    cfg.name,
                    fmt_int(row.clients),
                    fmt_ms(d["p50"]),
                    fmt_ms(d["p99"]),
                    fmt_int(row.missed),
                    ("yes" if row.sustained else "NO") if row.clients else "-",
                    *(f"{parts[n]:.2f}" if n in parts else "-" for n in names),
                    f"{s.gen_cpu:.2f}",
                    f"{s.irq_cpu:.2f}",
                    f"{s.machine_cpu:.2f}",
                    f"{s.other_cpu:.2f}",
                ]
            )
    say(table(headers, rows))
    say("")
    for cfg in configs:
        good = best(cfg.ramp)
        failed = next((r for r in cfg.ramp if not r.sustained), None)
        line = f"{cfg.name}: sustains {fmt_int(good.clients if good else 0)} viewport clients"
        if good:
            line += (
                f" (p99 {fmt_ms(good.p99)} ms, machine {good.sample.machine_cpu:.2f} of "
                f"{os.cpu_count()}.0 cores)"
            )
        say(line)
        if failed is not None:
            say(
                f"        at {fmt_int(failed.clients)}: p99 {fmt_ms(failed.p99)} ms, "
                f"{failed.missed} missed; {limit_of(failed)}"
            )
        elif cfg.ramp:
            say(
                f"        the ramp's last step ({fmt_int(cfg.ramp[-1].clients)}) passed: "
                "more steps are needed"
            )
    say("")
    say("## Per-client and per-tick costs (for docs/scaling.md)")
    say("")
    for cfg in configs:
        zero, good = cfg.zero, best(cfg.ramp)
        if zero is None:
            continue
        zparts = parts_of(zero)
        bits = []
        if "feeder" in zparts:
            bits.append(f"feeder {zparts['feeder']:.3f} CPU-s per tick (1 tick/s, no clients)")
        if "redis" in zparts:
            bits.append(f"redis-server {zparts['redis']:.3f} cores with no clients")
        bits.append(f"serving processes {web_cores(zero):.3f} cores with no clients")
        if good is not None and good.clients:
            per = (web_cores(good) - web_cores(zero)) / good.clients
            bits.append(
                f"{per * 1e6:.0f} us of serving CPU per client per second "
                f"(at {fmt_int(good.clients)}, minus the idle ticks)"
            )
            bits.append(
                f"generator {good.sample.gen_cpu / good.clients * 1e6:.0f} us per client per second"
            )
        say(f"{cfg.name}: " + "; ".join(bits))
        if cfg.message:
            m = cfg.message
            say(
                f"        fleet message (redis-cli STRLEN {FLEET_KEY}): "
                f"{fmt_int(m['bytes'])} bytes, {m.get('channels', '?')} channels, snapshot "
                f"parts {fmt_int(m.get('snapshot_bytes', 0))}, update parts "
                f"{fmt_int(m.get('update_bytes', 0))} bytes"
            )


def limit_of(row: Row) -> str:
    """What held a failed window back, from its CPU figures."""
    s = row.sample
    top_name, top = max(parts_of(row).items(), key=lambda kv: kv[1])
    if s.machine_cpu >= BUSY_MACHINE:
        return (
            f"the machine was busy {s.machine_cpu:.2f} of {os.cpu_count()}.0 cores (generator "
            f"{s.gen_cpu:.2f}, irq {s.irq_cpu:.2f}, busiest process {top_name} {top:.2f}): "
            "the 2-core box, not the design, is the limit"
        )
    if top >= 0.9:
        return f"{top_name} used {top:.2f} cores: one Python process's core is the limit"
    return (
        f"the machine was {s.machine_cpu:.2f} of {os.cpu_count()}.0 busy and no process near a "
        f"core: not CPU; a tick's first frame came {fmt_ms(row.ticks[0])} ms after its ts and "
        f"its fan-out took {fmt_ms(row.ticks[1])} ms (medians): the path from the tick to "
        "the sockets (with Redis: the feeder deflating every channel, then publishing) "
        "sets the delay"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a 1-2 minute smoke run")
    parser.add_argument(
        "--deflate",
        action="store_true",
        help="the clients offer permessage-deflate, as browsers do (the baseline declines it)",
    )
    parser.add_argument(
        "--logs",
        default="",
        help="keep the servers' logs and every window's figures (ws_load.json) in this folder",
    )
    parser.add_argument(
        "--noise-limit",
        type=float,
        default=0.3,
        help="cores other processes may use before a window is measured again (0.3)",
    )
    parser.add_argument(
        "--noise-retries",
        type=int,
        default=None,
        help="how many times a noisy window is measured again (1; 0 with --quick)",
    )
    parser.add_argument(
        "--flood-only",
        action="store_true",
        help="only the flood scenario (quiet and flooded windows in one run, bustrack only)",
    )
    parser.add_argument(
        "--workers",
        action="append",
        default=[],
        help="e.g. 1,2: ramp the one process, then each count of web processes beside a feeder "
        "and a redis-server (bustrack's --workers supervisor), in one run; CPU of every process",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run both servers and the generator at this nice value (e.g. -10, as root) so "
        "that other work on a shared machine disturbs them less; 0 (default) leaves it",
    )
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    plan = QUICK if args.quick else FULL
    retries = args.noise_retries if args.noise_retries is not None else (0 if args.quick else 1)
    noise = Noise(args.noise_limit, max(0, min(retries, 5)))
    raise_nofile()
    if args.nice:
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)  # the servers and the generator inherit it
    started = time.monotonic()
    workers = [int(n) for w in args.workers for n in w.split(",") if n.strip()]
    if any(n < 1 for n in workers):
        parser.error("--workers takes counts of web processes, 1 or more")
    with tempfile.TemporaryDirectory(prefix="ws_load-") as tmp:
        log_dir = Path(args.logs) if args.logs else Path(tmp)
        log_dir.mkdir(parents=True, exist_ok=True)
        if workers:
            configs = asyncio.run(run_workers(plan, noise, log_dir, args.deflate, workers))
            if args.logs:
                (log_dir / "ws_load.json").write_text(
                    json.dumps([dataclasses.asdict(c) for c in configs], indent=1, default=str)
                )
            report_workers(configs, plan, args.deflate, argv, print)
            print(f"\n(run took {time.monotonic() - started:.0f} s)")
            return 0
        res = asyncio.run(run(plan, noise, log_dir, args.deflate, flood_only=args.flood_only))
        if args.logs:
            dump(res, log_dir / "ws_load.json")
    report(res, plan, noise, argv, print)
    print(f"\n(run took {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
