"""The /ws viewport ramp of ``bench/ws_load.py``, this tree's server against another checkout's,
alternating in one command: is a change in the sustained client count the code's or the
machine's?

Run from the repository root::

    git worktree add /tmp/base <commit> && npm ci --prefix /tmp/base/frontend
    .venv/bin/python bench/ws_ramp_against.py --against /tmp/base            # 2 turns each
    .venv/bin/python bench/ws_ramp_against.py --against /tmp/base --turns 3 --steps 5000,10000

Each turn starts one tree's server as ``bench/ws_load.py`` does (``python -m bustrack.web
--start-time 09:00``, the bundled Mumbai feed, the same ~3,000 buses; flags the other tree
does not know are left out), with this tree's load generator and viewports, and ramps its
viewport clients up the steps while each is sustained (p99 delay <= 250 ms, nothing missed).
The turns alternate (this tree, the other, this tree, ...), so slow spells of the machine fall
on both. Prints every window, then the most clients each tree sustained in each turn.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from bench import ws_load  # noqa: E402


def _known_flags(root: Path, flags: list[str]) -> list[str]:
    """``flags`` without the options ``root``'s server does not have (with their values)."""
    helptext = subprocess.run(
        [sys.executable, "-m", "bustrack.web", "--help"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    out: list[str] = []
    i = 0
    while i < len(flags):
        flag = flags[i]
        takes_value = i + 1 < len(flags) and not flags[i + 1].startswith("--")
        if flag.startswith("--") and flag not in helptext:
            i += 2 if takes_value else 1
            continue
        out.append(flag)
        i += 1
    return out


async def _turn(name: str, root: Path, steps: tuple[int, ...], log_dir: Path) -> list[ws_load.Row]:
    """One tree's ramp; its rows."""
    ws_load.ROOT = root  # the server runs in that checkout (python -m bustrack.web there)
    plan = ws_load.FULL
    port = ws_load.free_port()
    flags = _known_flags(root, ws_load.ours_flags(plan, port))
    server = ws_load.Server(name, [sys.executable, "-m", "bustrack.web", *flags], port, log_dir)
    viewports = ws_load.make_viewports(Path(ws_load.DEFAULT_GTFS), max(steps))
    rows: list[ws_load.Row] = []

    async def work(bench: ws_load.Bench) -> None:
        await bench.settle()
        await ws_load.ramp(bench, viewports, steps, rows, goal=0)

    await ws_load.bench_server(server, plan, ws_load.Noise(0.3, 1), work, False)
    print(f"{name}: {ws_load.fleet_size(server)} buses", file=sys.stderr, flush=True)
    return rows


async def _run(against: Path, turns: int, steps: tuple[int, ...], log_dir: Path) -> None:
    here = BENCH_DIR.parent
    trees = [("this tree", here), ("against", against)]
    sustained: dict[str, list[int]] = {name: [] for name, _ in trees}
    table: list[list[str]] = []
    for turn in range(1, turns + 1):
        for name, root in trees:
            print(f"== {name} ({root}), turn {turn}", file=sys.stderr, flush=True)
            rows = await _turn(name, root, steps, log_dir)
            ok = [r.clients for r in rows if r.sustained]
            sustained[name].append(max(ok, default=0))
            table += [[str(turn), *ws_load.load_row(name, r)] for r in rows]
    print(ws_load.table(["turn", *ws_load.LOAD_HEADERS], table))
    print()
    for name, counts in sustained.items():
        print(f"{name}: sustained {', '.join(f'{n:,}' for n in counts)} viewport clients")
    ours = statistics.median(sustained["this tree"])
    theirs = statistics.median(sustained["against"])
    print(f"medians: {ours:,.0f} / {theirs:,.0f} = {ours / max(1, theirs):.2f}x")


def main() -> None:
    """Parse the arguments and run the turns."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, required=True, help="another checkout")
    parser.add_argument("--turns", type=int, default=2, help="turns of each tree (2)")
    parser.add_argument(
        "--steps", default="5000,7000,10000,12500,15000,17500", help="clients at each step"
    )
    parser.add_argument("--logs", type=Path, default=Path("/tmp/ws_ramp_against"))
    args = parser.parse_args()
    ws_load.raise_nofile()
    args.logs.mkdir(parents=True, exist_ok=True)
    steps = tuple(int(s) for s in args.steps.split(","))
    asyncio.run(_run(args.against.resolve(), args.turns, steps, args.logs))


if __name__ == "__main__":
    main()
