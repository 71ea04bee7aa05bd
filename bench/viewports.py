"""Where the load generator's clients look: realistic map views over the bundled feed.

Pure apart from reading the feed's CSV files. Most clients are phones looking at a few
streets around a busy stop (stops drawn with a weight of how many buses pass them a
day), some look at a whole district, a few at the whole city (no subscription).

Each box is what the page itself subscribes to: its view plus a margin of half the view
on every side (``frontend/src/subscription.js``), sent as the /ws URL's ``bbox=w,s,e,n``
(docs/protocol.md).
"""

from __future__ import annotations

import csv
import itertools
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bustrack.wire.channels import BBox

__all__ = [
    "MEDIUM_VIEW",
    "OCEAN_BOX",
    "PHONE_VIEW",
    "Viewport",
    "make_viewports",
    "stop_weights",
]

# A phone in portrait at zoom 16 sees about 0.01 degree of longitude by 0.02 of latitude.
PHONE_VIEW = (0.01, 0.02)
# At zoom 14, half that scale; with the page's margin its box (0.067 by 0.13 degree) is what
# a phone shows at zoom 13: a district.
MEDIUM_VIEW = (0.0335, 0.065)
PAGE_MARGIN = 0.5  # frontend/src/subscription.js pads the view by half of it on every side
JITTER = 0.003  # degrees around the drawn stop, so that views are not all centred on stops
# Arabian Sea, west of Mumbai: no bus ever enters it (for idle connections).
OCEAN_BOX: BBox = (72.60, 18.90, 72.61, 18.92)


@dataclass(frozen=True, slots=True)
class Viewport:
    """One client's view: a kind and its subscription box (None: the whole city)."""

    kind: str  # "phone", "medium" or "city"
    bbox: BBox | None

    def query(self) -> str:
        """Return the /ws URL query carrying the subscription (empty for the whole city)."""
        if self.bbox is None:
            return ""
        return "?bbox=" + ",".join(f"{v:.5f}" for v in self.bbox)


def _seconds(hms: str) -> int:
    h, m, s = (int(x) for x in hms.split(":"))
    return h * 3600 + m * 60 + s


def stop_weights(feed_dir: Path) -> list[tuple[float, float, float]]:
    """Return ``(lat, lon, weight)`` of every stop, weighted by the buses passing it a day.

    A trip listed in ``frequencies.txt`` runs once per headway within each window; any
    other trip runs once.
    """
    runs: Counter[str] = Counter()
    with (feed_dir / "frequencies.txt").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            span = _seconds(row["end_time"]) - _seconds(row["start_time"])
            runs[row["trip_id"]] += span // int(row["headway_secs"]) + 1
    passes: Counter[str] = Counter()
    with (feed_dir / "stop_times.txt").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            passes[row["stop_id"]] += runs.get(row["trip_id"], 1)
    out = []
    with (feed_dir / "stops.txt").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            weight = passes.get(row["stop_id"], 0)
            if weight:
                out.append((float(row["stop_lat"]), float(row["stop_lon"]), float(weight)))
    return out


def _box(lat: float, lon: float, view: tuple[float, float]) -> BBox:
    width, height = view[0] * (1 + 2 * PAGE_MARGIN), view[1] * (1 + 2 * PAGE_MARGIN)
    return (lon - width / 2, lat - height / 2, lon + width / 2, lat + height / 2)


def make_viewports(
    feed_dir: Path,
    n: int,
    *,
    medium: float = 0.15,
    city: float = 0.05,
    seed: int = 1,
) -> list[Viewport]:
    """Return ``n`` viewports, shuffled: phones, ``medium`` of districts, ``city`` of the city.

    Every prefix of the list has about the same mix, so a ramp can use its first k.
    Deterministic for a given ``seed``.
    """
    rng = random.Random(seed)
    stops = stop_weights(feed_dir)
    points = [(lat, lon) for lat, lon, _ in stops]
    cumulative = list(itertools.accumulate(w for _, _, w in stops))
    out = []
    for _ in range(n):
        r = rng.random()
        if r < city:
            out.append(Viewport("city", None))
            continue
        lat, lon = rng.choices(points, cum_weights=cumulative)[0]
        lat += rng.uniform(-JITTER, JITTER)
        lon += rng.uniform(-JITTER, JITTER)
        kind, view = ("medium", MEDIUM_VIEW) if r < city + medium else ("phone", PHONE_VIEW)
        out.append(Viewport(kind, _box(lat, lon, view)))
    return out
