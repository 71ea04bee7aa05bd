"""Benchmark of arrival predictions on a simulated service period, with baselines.

Runs a feed (the bundled Mumbai BEST feed by default) with simulated traffic
faster than real time: every ``--step`` seconds from ``--start`` (after a
``--warmup``) to ``--end`` the fleet's reports go to the predictors, and every
``--sample`` seconds every bus's predictions for the stops ahead are scored
against the simulator's true arrival times (looked up here, by the referee, with
:func:`bustrack.sources.simulation.true_stop_times`; the predictors never see them).

A prediction made ``h`` minutes before the true arrival counts in the horizon
bucket ``h`` ± 20 %, for h = 2, 5, 10 and 20. Methods compared:

- ``schedule``: the timetable's time, as if nothing were known;
- ``carried``: the bus's current delay carried forward unchanged to every stop;
- ``slack rule``: OneBusAway's rule alone (delay carried forward, absorbed by the
  timetable's slack; no history), i.e. the predictor with ``history=False``;
- ``predictor``: :class:`bustrack.live.predictions.Predictor` as the app uses it.

Then the per-tick cost at 1 report a second: the simulator, ``observe``,
``predict_all`` and a stop board (``arrivals_at``) for 100 busy stops.

    .venv/bin/python bench/predictions.py            # 06:00-12:00, 2 to 4 min
    .venv/bin/python bench/predictions.py --start 08:30 --end 09:30   # the morning peak
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
import time
from array import array
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bustrack.gtfs import load_feed, service_day_start
from bustrack.live.clock import parse_service_time
from bustrack.live.predictions import Predictor, PredictorConfig
from bustrack.settings import DEFAULT_GTFS
from bustrack.sources.simulation import Timetable, locate_vehicles, true_stop_times
from bustrack.sources.traffic import RunTimes, TrafficModel

HORIZONS_MIN = (2, 5, 10, 20)
TOLERANCE = 0.2
METHODS = ("schedule", "carried", "slack rule", "predictor")


def _bucket(horizon_s: float) -> int | None:
    for h in HORIZONS_MIN:
        if abs(horizon_s - 60 * h) <= TOLERANCE * 60 * h:
            return h
    return None


def _sampled(vehicle_id: str, fraction: float) -> bool:
    if fraction >= 1.0:
        return True
    digest = hashlib.blake2b(vehicle_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32 < fraction


def _p90(values: Sequence[float]) -> float:
    if not values:
        return math.nan
    s = sorted(values)
    return s[min(len(s) - 1, math.ceil(0.9 * len(s)) - 1)]


def main() -> None:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gtfs", type=Path, default=DEFAULT_GTFS)
    parser.add_argument("--date", default="2026-11-27", help="service date (a Friday)")
    parser.add_argument("--start", default="06:00", help="first scored service time")
    parser.add_argument("--end", default="12:00", help="last scored service time")
    parser.add_argument("--warmup", type=float, default=30.0, help="minutes run before --start")
    parser.add_argument("--step", type=float, default=30.0, help="seconds between reports")
    parser.add_argument("--sample", type=float, default=120.0, help="seconds between scorings")
    parser.add_argument("--fraction", type=float, default=1.0, help="share of buses scored")
    parser.add_argument("--seed", type=int, default=1, help="traffic seed")
    parser.add_argument("--cost-seconds", type=int, default=60, help="1-Hz ticks timed")
    args = parser.parse_args()

    t0 = time.perf_counter()
    feed = load_feed(args.gtfs)
    timetable = Timetable(feed, traffic=TrafficModel.for_feed(feed, seed=args.seed))
    predictor = Predictor(feed)
    slack_rule = Predictor(feed, PredictorConfig(history=False))
    day = dt.date.fromisoformat(args.date)
    day_start = service_day_start(day, feed.timezone)
    day_ts = day_start.timestamp()
    start, end = parse_service_time(args.start), parse_service_time(args.end)
    first = start - int(args.warmup * 60)
    print(
        f"feed {args.gtfs.name}: {len(feed.trips)} trips; service {args.date} "
        f"{args.start}-{args.end} (+{args.warmup:g} min warm-up), reports every "
        f"{args.step:g} s, scored every {args.sample:g} s, {args.fraction:.0%} of buses"
    )

    errors = {m: {h: array("d") for h in HORIZONS_MIN} for m in METHODS}
    covered: Counter[int] = Counter()
    truths: dict[tuple[str, int], RunTimes] = {}
    observe_s = 0.0  # CPU time
    steps = 0
    fleet_sizes: list[int] = []
    t = float(first)
    next_sample = float(start)
    while t <= end:
        moment = day_start + dt.timedelta(seconds=t)
        now = day_ts + t
        vehicles = locate_vehicles(timetable, moment)
        c0 = time.process_time()
        predictor.observe(vehicles, now)
        observe_s += time.process_time() - c0
        slack_rule.observe(vehicles, now)
        steps += 1
        if t >= next_sample:
            next_sample += args.sample
            fleet_sizes.append(len(vehicles))
            for v in vehicles:
                if not _sampled(v.vehicle_id, args.fraction):
                    continue
                key = (v.trip_id, v.run_start)
                truth = truths.get(key)
                if truth is None:
                    truth = truths[key] = true_stop_times(timetable, v.trip_id, day, v.run_start)
                delay = predictor.deviation(v.vehicle_id) or 0.0
                rule = {e.stop_index: e.eta_ts for e in slack_rule.predict(v.vehicle_id)}
                for e in predictor.predict(v.vehicle_id):
                    actual = day_ts + truth.arrivals[e.stop_index]
                    h = _bucket(actual - now)
                    if h is None:
                        continue
                    errors["schedule"][h].append(e.scheduled_ts - actual)
                    errors["carried"][h].append(e.scheduled_ts + delay - actual)
                    errors["slack rule"][h].append(rule[e.stop_index] - actual)
                    errors["predictor"][h].append(e.eta_ts - actual)
                    if abs(e.eta_ts - actual) <= e.uncertainty_s:
                        covered[h] += 1
        t += args.step
    run_s = time.perf_counter() - t0

    print(
        f"\n{steps} steps, {len(fleet_sizes)} scorings, {max(fleet_sizes, default=0)} buses "
        f"at most, in {run_s:.0f} s ({(end - first) / run_s:.0f}x real time)\n"
    )
    header = "| method | " + " | ".join(f"{h} min MAE / p90 (s)" for h in HORIZONS_MIN) + " |"
    print(header)
    print("|---|" + "---|" * len(HORIZONS_MIN))
    for m in METHODS:
        cells = []
        for h in HORIZONS_MIN:
            errs = [abs(x) for x in errors[m][h]]
            mae = sum(errs) / len(errs) if errs else math.nan
            cells.append(f"{mae:.0f} / {_p90(errs):.0f}")
        print(f"| {m} | " + " | ".join(cells) + " |")
    counts = [len(errors["predictor"][h]) for h in HORIZONS_MIN]
    print("| predictions scored | " + " | ".join(f"{n}" for n in counts) + " |")
    bias = [sum(errors["predictor"][h]) / max(1, len(errors["predictor"][h])) for h in HORIZONS_MIN]
    print("| predictor bias (s) | " + " | ".join(f"{b:+.0f}" for b in bias) + " |")
    cover = [covered[h] / max(1, n) for h, n in zip(HORIZONS_MIN, counts, strict=True)]
    print("| within ±1 sigma | " + " | ".join(f"{c:.0%}" for c in cover) + " |")
    mae10 = {m: sum(abs(x) for x in errors[m][10]) / max(1, len(errors[m][10])) for m in METHODS}
    print(
        f"\n10-min horizon: predictor MAE {mae10['predictor']:.0f} s "
        f"(goal < 60 s), {mae10['predictor'] / mae10['schedule']:.0%} of schedule-only "
        f"(goal <= 50 %)"
    )
    print(f"observe() at {args.step:g}-s reports: {1000 * observe_s / steps:.1f} ms CPU per call")
    _tick_costs(timetable, predictor, day_start, end, args.cost_seconds)


def _tick_costs(
    timetable: Timetable, predictor: Predictor, day_start: dt.datetime, t0: int, seconds: int
) -> None:
    """Time one report a second for ``seconds`` s from service time ``t0``."""
    served = Counter(s for trip in timetable.feed.trips.values() for s in trip.stop_ids)
    busy = [s for s, _ in served.most_common(100)]
    locate = observe = refresh = predict = board = 0.0
    etas = size = 0
    for i in range(seconds):
        moment = day_start + dt.timedelta(seconds=t0 + 1 + i)
        now = moment.timestamp()
        c0 = time.process_time()
        vehicles = locate_vehicles(timetable, moment)
        c1 = time.process_time()
        predictor.observe(vehicles, now)
        c2 = time.process_time()
        etas += predictor.refresh()
        c3 = time.process_time()
        predictor.predict_all()
        c4 = time.process_time()
        for stop in busy:
            predictor.arrivals_at(stop, now)
        c5 = time.process_time()
        locate += c1 - c0
        observe += c2 - c1
        refresh += c3 - c2
        predict += c4 - c3
        board += c5 - c4
        size += len(vehicles)
    rows = [
        ("simulator: locate_vehicles with traffic", locate),
        ("Predictor.observe", observe),
        (f"Predictor.refresh: {etas // seconds} ETAs", refresh),
        ("Predictor.predict_all: them as Eta tuples", predict),
        ("Predictor.arrivals_at x 100 busiest stops", board),
    ]
    print(
        f"\nCPU per 1-s tick, {size / seconds:.0f} buses, mean of {seconds} ticks "
        "(process time, one core):"
    )
    for name, total in rows:
        print(f"  {name:<44} {1000 * total / seconds:6.1f} ms")


if __name__ == "__main__":
    main()
