"""Synthetic GTFS feeds of any size, shaped like a real city's, for the load benchmark.

:func:`write_feed` writes a feed of about ``rows`` ``stop_times.txt`` rows into a
folder. It is deterministic (seeded) and has what real feeds have: a grid of
stops around a city centre (names with commas, so quoted), routes running both
ways with 15 to 45 stops, road shapes with ``shape_dist_traveled`` (metres) on
half of the routes, routes run by ``frequencies.txt`` (one in eight), trips with
only every fourth stop timed (the rest interpolated), weekday/Sunday calendars
with holidays in ``calendar_dates.txt``, and late trips running past 24:00.
"""

from __future__ import annotations

import contextlib
import math
import random
from itertools import pairwise
from pathlib import Path
from typing import TextIO

__all__ = ["write_feed"]

CENTRE = (12.9716, 77.5946)  # Bengaluru
STOP_SPACING_DEG = 0.004  # about 450 m
SHAPE_POINTS_PER_GAP = 8
EARTH_RADIUS_M = 6_371_008.8
MOVES = ((0, 1), (1, 0), (0, -1), (-1, 0))

Point = tuple[float, float]


def _hms(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    return f"{h:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _metres(a: Point, b: Point) -> float:
    lat = math.radians((a[0] + b[0]) / 2)
    dy = math.radians(b[0] - a[0])
    dx = math.radians(b[1] - a[1]) * math.cos(lat)
    return EARTH_RADIUS_M * math.hypot(dx, dy)


def _write_fixed_files(folder: Path) -> None:
    (folder / "agency.txt").write_text(
        "agency_id,agency_name,agency_url,agency_timezone\n"
        "SYN,Synthetic Transport,https://example.org,Asia/Kolkata\n",
        encoding="utf-8",
    )
    (folder / "calendar.txt").write_text(
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "WK,1,1,1,1,1,1,0,20250101,20351231\n"
        "SU,0,0,0,0,0,0,1,20250101,20351231\n",
        encoding="utf-8",
    )
    holidays = [
        f"{year}{month:02d}{day:02d}"
        for year in range(2025, 2036)
        for month, day in ((1, 26), (8, 15), (10, 2))
    ]
    (folder / "calendar_dates.txt").write_text(
        "service_id,date,exception_type\n"
        + "".join(f"WK,{day},2\nSU,{day},1\n" for day in holidays),
        encoding="utf-8",
    )


def _walk(rng: random.Random, side: int, length: int) -> list[int]:
    """Return a route's stops: a walk across the grid, mostly straight."""
    i, j = rng.randrange(side), rng.randrange(side)
    di, dj = rng.choice(MOVES)
    path = [i * side + j]
    while len(path) < length:
        if rng.random() < 0.2:
            di, dj = rng.choice(MOVES)
        if not (0 <= i + di < side and 0 <= j + dj < side):
            di, dj = -di, -dj
            continue
        i, j = i + di, j + dj
        path.append(i * side + j)
    return path


def _write_shape(
    out: TextIO, rng: random.Random, shape_id: str, points: list[Point], dists: list[float]
) -> None:
    """Write a road-like shape through ``points``, bending a little between them."""
    seq = 0
    for k, (lat, lon) in enumerate(points):
        seq += 1
        out.write(f"{shape_id},{lat:.6f},{lon:.6f},{seq},{dists[k]:.1f}\n")
        if k + 1 == len(points):
            break
        nlat, nlon = points[k + 1]
        for n in range(1, SHAPE_POINTS_PER_GAP):
            f = n / SHAPE_POINTS_PER_GAP
            bend = rng.uniform(-0.0002, 0.0002)
            seq += 1
            out.write(
                f"{shape_id},{lat + (nlat - lat) * f + bend:.6f},"
                f"{lon + (nlon - lon) * f - bend:.6f},{seq},"
                f"{dists[k] + (dists[k + 1] - dists[k]) * f:.1f}\n"
            )


def _trip_rows(
    trip_id: str,
    start: int,
    stops: list[int],
    dists: list[float],
    *,
    timed_every: int,
    shaped: bool,
) -> list[str]:
    """Return the stop_times rows of one trip (every ``timed_every``-th stop timed)."""
    rows = []
    t = start
    last = len(stops) - 1
    for k, stop in enumerate(stops):
        if k:
            t += max(30, round((dists[k] - dists[k - 1]) / 6.0))  # about 22 km/h
        timed = k % timed_every == 0 or k == last
        arrival = _hms(t) if timed else ""
        dwell = 20 if timed and 0 < k < last else 0
        departure = _hms(t + dwell) if timed else ""
        t += dwell
        dist = f"{dists[k]:.1f}" if shaped else ""
        rows.append(f"{trip_id},{arrival},{departure},S{stop},{k + 1},{dist}\n")
    return rows


def write_feed(folder: Path, rows: int, seed: int = 1) -> int:
    """Write a synthetic feed with about ``rows`` stop times into ``folder``.

    Args:
        folder: where to write the ``.txt`` files (created if needed).
        rows: the target number of ``stop_times.txt`` rows.
        seed: the random seed; the same seed and size give the same files.

    Returns:
        The number of ``stop_times.txt`` rows written: ``rows``, plus the rest of
        the last trip.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    _write_fixed_files(folder)
    side = max(6, round(math.sqrt(rows / 150)))  # stops on a side of the grid
    stops = [
        (
            CENTRE[0] + (i - side / 2) * STOP_SPACING_DEG + rng.uniform(-0.0008, 0.0008),
            CENTRE[1] + (j - side / 2) * STOP_SPACING_DEG + rng.uniform(-0.0008, 0.0008),
        )
        for i in range(side)
        for j in range(side)
    ]
    with (folder / "stops.txt").open("w", encoding="utf-8") as out:
        out.write("stop_id,stop_name,stop_lat,stop_lon,location_type\n")
        for k, (lat, lon) in enumerate(stops):
            out.write(f'S{k},"{k // side} Cross, {k % side} Main",{lat:.6f},{lon:.6f},0\n')

    with contextlib.ExitStack() as files:
        routes, trips, times, shapes, freqs = (
            files.enter_context((folder / name).open("w", encoding="utf-8"))
            for name in (
                "routes.txt",
                "trips.txt",
                "stop_times.txt",
                "shapes.txt",
                "frequencies.txt",
            )
        )
        routes.write("route_id,agency_id,route_short_name,route_long_name,route_type,route_color\n")
        trips.write("route_id,service_id,trip_id,trip_headsign,direction_id,shape_id\n")
        times.write(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\n"
        )
        shapes.write("shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence,shape_dist_traveled\n")
        freqs.write("trip_id,start_time,end_time,headway_secs\n")
        planned_routes = max(8, round(rows / 4200))  # about 70 trips each way a day
        budget = rows / planned_routes
        written = 0
        route = 0
        while written < rows:
            route += 1
            path = _walk(rng, side, rng.randint(15, 45))
            shaped = route % 2 == 0
            by_frequency = route % 8 == 3
            color = f"{rng.randrange(0x1000000):06X}" if route % 3 else ""
            name = f"Route {route} Circle - Depot {route % 17}"
            routes.write(f"R{route},SYN,{route},{name},3,{color}\n")
            first, last = 5 * 3600, 23 * 3600 + 1800
            runs = max(1, round(budget / (2 * len(path))))
            headway = max(300, (last - first) // runs // 60 * 60)
            for direction in (0, 1):
                pattern = path if direction == 0 else path[::-1]
                dists = [0.0]
                for a, b in pairwise(pattern):
                    dists.append(dists[-1] + _metres(stops[a], stops[b]) * 1.15)
                shape_id = f"SH{route}_{direction}" if shaped else ""
                if shaped:
                    _write_shape(shapes, rng, shape_id, [stops[s] for s in pattern], dists)
                starts = [first] if by_frequency else [first + k * headway for k in range(runs)]
                if route % 4 == 0:
                    starts[-1] = 24 * 3600 + 600  # a night bus, past midnight
                for n, start in enumerate(starts):
                    if written >= rows:
                        break
                    trip_id = f"R{route}_{direction}_{n}"
                    service = "SU" if n % 5 == 4 else "WK"
                    headsign = f"Depot {route % 17}" if direction == 0 else "Circle"
                    trips.write(f"R{route},{service},{trip_id},{headsign},{direction},{shape_id}\n")
                    lines = _trip_rows(
                        trip_id,
                        start,
                        pattern,
                        dists,
                        timed_every=4 if n % 4 == 1 else 1,
                        shaped=shaped,
                    )
                    times.write("".join(lines))
                    written += len(lines)
                    if by_frequency:
                        freqs.write(f"{trip_id},{_hms(first)},{_hms(last)},{headway}\n")
    return written
