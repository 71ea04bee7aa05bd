"""Frame times of the page with 3,000 buses in view: the canvas renderer next to DOM markers.

Run from the repository root::

    .venv/bin/python -m bench.page_fps                 # about two minutes
    .venv/bin/python -m bench.page_fps --seconds 5     # a quick look
    .venv/bin/python -m bench.page_fps --no-clusters   # every bus drawn, none counted
    git worktree add /tmp/base <commit>                 # then, against that commit's page:
    .venv/bin/python -m bench.page_fps --against /tmp/base --renderers canvas --repeat 2

For each renderer it starts the server as a user does (``python -m bustrack.web --port P
--start-time 09:00``: the bundled Mumbai feed, about 3,100 buses on the road, the same
fleet for both), opens the page in Debian's Chromium (Playwright) at the opening whole-city
zoom, where every bus is in view (counted per area, ``frontend/src/busClusters.js``, below
zoom 12; with ``--no-clusters`` the page draws them one by one, as the DOM markers do),
waits for the first snapshot and a few updates, and then measures frame times with a
``requestAnimationFrame`` loop in the page (``performance.now()`` deltas) for
``--seconds``, in three scenarios:

- ``live``: the map stands still while the buses move (one update a second);
- ``pan``: the map is also dragged back and forth, one mouse move per frame (synthetic
  mouse events handled by Leaflet's own drag), so the map moves every frame and the canvas
  redraws every bus every frame.
- ``zoom``: the map zooms in by one level and out again, animated, every half second
  (during Leaflet's zoom animation the canvas is CSS-scaled with the map, as Leaflet's own
  renderers are, and redrawn once at the new zoom when it ends).

The renderers are the page's default (one canvas, ``frontend/src/busCanvasLayer.js``) and
``?markers=dom`` (one Leaflet DOM marker per bus, ``frontend/src/busDomLayer.js``: the page's
previous renderer, the baseline). Long tasks (over 50 ms, from a ``PerformanceObserver``) are
counted too.

With ``--against DIR`` (another checkout of the repository, e.g. a ``git worktree`` of an
earlier commit, its ``frontend/node_modules`` linked or installed) the same measurements are
taken of that checkout's server and page too, alternating with this tree's (``--repeat``
rounds), and the table gives their fps side by side: a ratio measured in the same command,
on the same busy machine.

Chromium runs headless with ``--disable-gpu``: it rasterizes and composites in software, on
this machine's CPUs, beside the server. The goal (from the issue) is 50 fps or more.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Route, sync_playwright

__all__ = ["Measurement", "main", "measure", "server"]

ROOT = Path(__file__).resolve().parents[1]
# Debian's Chromium with the browser tests' flags (Playwright cannot download its own here).
sys.path.insert(0, str(ROOT))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

RENDERERS = ("canvas", "dom")
SCENARIOS = ("live", "pan", "zoom")

# Runs in the page: frame times over `seconds`, dragging the map 6 px a frame if `drag`,
# zooming in and out every 30 frames if `zoom`.
MEASURE = """async ({seconds, drag, zoom}) => {
    const b = window.bustrack;
    const longTasks = [];
    let observer = null;
    if (PerformanceObserver.supportedEntryTypes.includes('longtask')) {
        observer = new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) { longTasks.push(entry.duration); }
        });
        observer.observe({type: 'longtask'});
    }
    const updates = b.frameCounts().updates;
    let moves = 0;
    const onMove = () => { moves += 1; };
    b.map.on('move', onMove);
    const inView = b.shownMarkerCount();
    const deltas = [];
    const start = performance.now();
    let last = start;
    const box = b.map.getContainer().getBoundingClientRect();
    const mouse = (type, x, target) => target.dispatchEvent(new MouseEvent(type, {
        bubbles: true, cancelable: true, clientX: x, clientY: box.top + box.height / 2,
        button: 0, buttons: type === 'mouseup' ? 0 : 1}));
    let x = box.left + box.width / 2;
    if (drag) { mouse('mousedown', x, b.map.getContainer()); }
    let step = 0;
    const zoom0 = b.map.getZoom();
    await new Promise((resolve) => {
        const frame = (now) => {
            deltas.push(now - last);
            last = now;
            if (drag) {
                // Half a second each way, so that the city stays in view.
                x += Math.floor(step / 30) % 2 ? -6 : 6;
                step += 1;
                mouse('mousemove', x, document);
            }
            if (zoom && step++ % 30 === 0) {
                b.map.setZoom(b.map.getZoom() === zoom0 ? zoom0 + 1 : zoom0);
            }
            if (now - start < seconds * 1000) { requestAnimationFrame(frame); } else { resolve(); }
        };
        requestAnimationFrame((now) => { last = now; requestAnimationFrame(frame); });
    });
    if (drag) { mouse('mouseup', x, document); }
    if (zoom) { b.map.setZoom(zoom0, {animate: false}); }
    observer?.disconnect();
    b.map.off('move', onMove);
    return {
        deltas, longTasks, inView, vehicles: b.vehicleCount(),
        updates: b.frameCounts().updates - updates, zoom: b.map.getZoom(),
        renderer: b.busRenderer(), moves,
    };
}"""


@dataclass(frozen=True, slots=True)
class Measurement:
    """Frame times of one renderer in one scenario."""

    renderer: str
    scenario: str
    zoom: float
    vehicles: int
    in_view: int
    updates: int
    map_moves: int
    deltas_ms: list[float]
    long_tasks_ms: list[float]
    tree: str = "this tree"

    def percentile(self, p: float) -> float:
        """Return the ``p``-th percentile frame time in ms (nearest rank)."""
        ordered = sorted(self.deltas_ms)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank]

    @property
    def fps(self) -> float:
        """Frames per second over the whole measurement."""
        return 1000 * len(self.deltas_ms) / sum(self.deltas_ms)


@contextmanager
def server(*args: str, root: Path = ROOT) -> Iterator[str]:
    """Run ``python -m bustrack.web --port <free port> *args`` in checkout ``root`` for the
    block; yield its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bustrack.web", "--port", str(port), *args],
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"the server did not start: {log.read().decode()}")
                try:
                    with urllib.request.urlopen(url + "/", timeout=1):
                        break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def _offline(route: Route) -> None:
    # Map tiles would come from the internet: the page works without them.
    if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1")):
        route.continue_()
    else:
        route.abort()


def measure(
    browser: Browser,
    url: str,
    renderer: str,
    scenario: str,
    *,
    seconds: float,
    width: int,
    height: int,
    warmup: float,
    zoom: int | None = None,
    tree: str = "this tree",
    clusters: bool = True,
) -> Measurement:
    """Open the page with ``renderer`` and measure ``scenario`` for ``seconds``."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.route("**/*", _offline)
        page.goto(url + ("/?markers=dom" if renderer == "dom" else "/"))
        page.wait_for_function(
            """() => window.bustrack && window.bustrack.frameCounts().snapshots > 0
                && window.bustrack.frameCounts().updates >= 2""",
            timeout=60_000,
        )
        if not clusters:
            page.evaluate("() => { window.bustrack.buses.options.clusterBelowZoom = 0; }")
        if zoom is not None:
            page.evaluate("(z) => { window.bustrack.map.setZoom(z, {animate: false}); }", zoom)
        page.wait_for_timeout(warmup * 1000)
        result: dict[str, Any] = page.evaluate(
            MEASURE, {"seconds": seconds, "drag": scenario == "pan", "zoom": scenario == "zoom"}
        )
        assert result["renderer"] == renderer, result["renderer"]
        page.unroute_all(behavior="ignoreErrors")
    finally:
        context.close()
    return Measurement(
        renderer=renderer,
        scenario=scenario,
        zoom=result["zoom"],
        vehicles=result["vehicles"],
        in_view=result["inView"],
        updates=result["updates"],
        map_moves=result["moves"],
        deltas_ms=result["deltas"],
        long_tasks_ms=result["longTasks"],
        tree=tree,
    )


def _table(results: list[Measurement]) -> str:
    head = (
        f"{'tree':<9} {'scenario':<8} {'renderer':<8} {'in view':>7} {'frames':>6} {'p50 ms':>7} "
        f"{'p90 ms':>7} {'p99 ms':>7} {'fps':>6} {'fps@p90':>7} {'long tasks':>14}"
    )
    lines = [head, "-" * len(head)]
    for m in results:
        long = f"{len(m.long_tasks_ms)} ({sum(m.long_tasks_ms):.0f} ms)"
        lines.append(
            f"{m.tree:<9} {m.scenario:<8} {m.renderer:<8} {m.in_view:>7} {len(m.deltas_ms):>6} "
            f"{m.percentile(50):>7.1f} {m.percentile(90):>7.1f} {m.percentile(99):>7.1f} "
            f"{m.fps:>6.1f} {1000 / m.percentile(90):>7.1f} {long:>14}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, measure every renderer in every scenario, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured per scenario")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--start-time", default="09:00", help="service time the server runs")
    parser.add_argument(
        "--zoom", type=int, default=None, help="zoom to measure at (default: the opening zoom)"
    )
    parser.add_argument(
        "--no-clusters",
        dest="clusters",
        action="store_false",
        help="draw every bus at every zoom (the canvas layer's clusterBelowZoom set to 0)",
    )
    parser.add_argument("--renderers", nargs="+", choices=RENDERERS, default=list(RENDERERS))
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument(
        "--against",
        type=Path,
        default=None,
        help="another checkout (e.g. a git worktree of an earlier commit) measured alike",
    )
    parser.add_argument("--repeat", type=int, default=1, help="rounds (alternating trees)")
    args = parser.parse_args(argv)
    trees = [("this tree", ROOT)] + ([("baseline", args.against.resolve())] if args.against else [])

    results: list[Measurement] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print(
            f"Chromium {browser.version}, headless, --disable-gpu: software rendering; "
            f"{platform.machine()}, {_cpus()} CPUs (the server runs beside it); "
            f"viewport {args.width}x{args.height}, "
            + ("opening zoom" if args.zoom is None else f"zoom {args.zoom}")
            + ("" if args.clusters else ", no clusters"),
            flush=True,
        )
        rounds = [
            (tree, renderer)
            for _ in range(args.repeat)
            for tree in trees
            for renderer in args.renderers
        ]
        try:
            for (tree, root), renderer in rounds:
                # A fresh server per renderer: both see the same fleet at the same time of day.
                with server("--start-time", args.start_time, root=root) as url:
                    for scenario in args.scenarios:
                        m = measure(
                            browser,
                            url,
                            renderer,
                            scenario,
                            seconds=args.seconds,
                            width=args.width,
                            height=args.height,
                            warmup=args.warmup,
                            zoom=args.zoom,
                            tree=tree,
                            clusters=args.clusters,
                        )
                        results.append(m)
                        print(
                            f"  {tree}: {renderer}/{scenario}: {m.vehicles} buses, "
                            f"{m.in_view} in view at zoom {m.zoom:g}, {m.updates} updates applied, "
                            f"{len(m.deltas_ms)} frames, {m.map_moves} map moves",
                            flush=True,
                        )
        finally:
            browser.close()

    print()
    print(_table(results))
    for renderer in args.renderers:
        for scenario in args.scenarios:
            fps = {
                tree: statistics.median(
                    m.fps
                    for m in results
                    if (m.tree, m.renderer, m.scenario) == (tree, renderer, scenario)
                )
                for tree, _ in trees
            }
            if len(fps) == 2:
                print(
                    f"{renderer}/{scenario}: {fps['this tree']:.1f} fps vs baseline "
                    f"{fps['baseline']:.1f} ({fps['this tree'] / fps['baseline']:.2f}x, "
                    f"median of {args.repeat})"
                )
    by_key = {(m.renderer, m.scenario): m for m in results if m.tree == "this tree"}
    for scenario in args.scenarios:
        canvas, dom = by_key.get(("canvas", scenario)), by_key.get(("dom", scenario))
        if canvas and dom:
            print(
                f"{scenario}: canvas/dom fps {canvas.fps / dom.fps:.1f}x; "
                f"p90 frame time dom/canvas {dom.percentile(90) / canvas.percentile(90):.1f}x; "
                f"median frame {statistics.median(canvas.deltas_ms):.1f} ms vs "
                f"{statistics.median(dom.deltas_ms):.1f} ms"
            )
    print("Goal: 50 fps or more with 3,000 buses in view (software rendering, see above).")


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    main()
