"""A feed's network as the map shows it: route lines, stops with their routes, search.

Pure: no I/O, no clock. :func:`build_network` indexes a
:class:`~bustrack.gtfs.model.Feed` once; the JSON API (:mod:`bustrack.web.api`,
described in ``docs/api.md``) answers every request from the result.

- **Route lines**: one polyline per distinct path the route's trips run along: the
  shape when the trip has one, else its stops in order. A line that is another
  line reversed, or a stop pattern that runs along part of a longer one of the
  same route (a short working), is left out: the map would draw it twice. Lines
  are simplified (Douglas-Peucker, :data:`TOLERANCE_M`) and rounded to
  :data:`DECIMALS` decimals.
- **Stops**: stops and platforms (location type 0) and anything trips stop at,
  each with the routes serving it, sorted by label. Box queries cost a binary
  search on longitude; when more stops match than asked for, an evenly spread
  sample is returned.
- **Search**: route numbers and names, stop names, ranked by :mod:`bustrack.search`
  (abbreviations, spelling variants and typos; an exact route number first, then
  stops whose name matches, then routes). Stops of the same name within
  :data:`SAME_PLACE_M` (the two sides of a road) are given once.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bustrack.geo import haversine_m
from bustrack.gtfs.model import Feed, Route, Stop, Trip
from bustrack.palette import route_color, text_color_for
from bustrack.search import MIN_INSIDE, SearchIndex, fold

__all__ = [
    "DECIMALS",
    "MIN_INSIDE",
    "SAME_PLACE_M",
    "TOLERANCE_M",
    "BBox",
    "Network",
    "NetworkRoute",
    "NetworkStop",
    "build_network",
    "fold",
    "natural_key",
    "simplify",
]

TOLERANCE_M = 5.0
DECIMALS = 5
SAME_PLACE_M = 1000.0
_M_PER_DEG = 6_371_008.8 * math.pi / 180

BBox = tuple[float, float, float, float]  # west, south, east, north
Point = tuple[float, float]  # lat, lon


@dataclass(frozen=True, slots=True)
class NetworkRoute:
    """A route as the map draws it. ``lines`` are ``[lat, lon]`` polylines."""

    route_id: str
    label: str
    short_name: str
    long_name: str
    color: str
    text_color: str
    route_type: int
    bbox: BBox | None
    lines: tuple[tuple[Point, ...], ...]


@dataclass(frozen=True, slots=True)
class NetworkStop:
    """A stop as the map shows it, with the ids of the routes serving it."""

    stop_id: str
    name: str
    lat: float
    lon: float
    route_ids: tuple[str, ...]


# Text.


def natural_key(label: str) -> tuple[tuple[int, int | str], ...]:
    """Return a sort key ordering numbers by value: ``"2" < "10" < "10A" < "A1"``."""
    parts = re.findall(r"\d+|\D+", label.casefold())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


# Geometry.


def simplify(points: Sequence[Point], tolerance_m: float = TOLERANCE_M) -> list[Point]:
    """Return ``points`` without the points that stray less than ``tolerance_m`` from the line.

    Douglas-Peucker on a local equirectangular projection (exact enough within a
    city), after dropping points closer than the tolerance to the previous kept
    one. The first and last points are always kept.
    """
    n = len(points)
    if n <= 2:
        return list(points)
    lat0 = math.radians(sum(p[0] for p in points) / n)
    kx, ky = _M_PER_DEG * math.cos(lat0), _M_PER_DEG
    xs = [p[1] * kx for p in points]
    ys = [p[0] * ky for p in points]
    # Radial pass: cheap, removes the dense runs.
    near = tolerance_m * tolerance_m
    kept = [0]
    for i in range(1, n - 1):
        j = kept[-1]
        if (xs[i] - xs[j]) ** 2 + (ys[i] - ys[j]) ** 2 > near:
            kept.append(i)
    kept.append(n - 1)
    # Douglas-Peucker on what is left, with an explicit stack.
    keep = [False] * len(kept)
    keep[0] = keep[-1] = True
    stack = [(0, len(kept) - 1)]
    while stack:
        first, last = stack.pop()
        ax, ay = xs[kept[first]], ys[kept[first]]
        bx, by = xs[kept[last]], ys[kept[last]]
        dx, dy = bx - ax, by - ay
        seg = dx * dx + dy * dy
        worst, at = near, -1
        for k in range(first + 1, last):
            px, py = xs[kept[k]], ys[kept[k]]
            t = 0.0 if seg == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / seg))
            ex, ey = ax + t * dx - px, ay + t * dy - py
            d = ex * ex + ey * ey
            if d > worst:
                worst, at = d, k
        if at >= 0:
            keep[at] = True
            stack.append((first, at))
            stack.append((at, last))
    return [points[kept[k]] for k in range(len(kept)) if keep[k]]


def _rounded(points: Iterable[Point]) -> tuple[Point, ...]:
    """Round to :data:`DECIMALS` and drop points equal to the one before."""
    out: list[Point] = []
    for lat, lon in points:
        p = (round(lat, DECIMALS), round(lon, DECIMALS))
        if not out or out[-1] != p:
            out.append(p)
    return tuple(out)


def _bbox(points: Iterable[Point]) -> BBox | None:
    lats: list[float] = []
    lons: list[float] = []
    for lat, lon in points:
        lats.append(lat)
        lons.append(lon)
    if not lats:
        return None
    return (min(lons), min(lats), max(lons), max(lats))


def _contains_run(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    """Whether ``shorter`` appears in ``longer`` as consecutive items."""
    n = len(shorter)
    first = shorter[0]
    return any(
        longer[i] == first and longer[i : i + n] == shorter for i in range(len(longer) - n + 1)
    )


# Building.


def _route_lines(
    feed: Feed, trips_by_route: Mapping[str, list[Trip]]
) -> dict[str, list[tuple[Point, ...]]]:
    """Return each route's distinct, simplified lines."""
    simplified_shapes: dict[str, tuple[Point, ...]] = {}
    lines: dict[str, list[tuple[Point, ...]]] = {}
    for route_id, trips in trips_by_route.items():
        shape_ids: dict[str, None] = {}
        patterns: dict[tuple[str, ...], None] = {}
        for trip in trips:
            if trip.shape_id is not None and trip.shape_id in feed.shapes:
                shape_ids[trip.shape_id] = None
            else:
                patterns[trip.stop_ids] = None
        kept_patterns: list[tuple[str, ...]] = []
        for pattern in sorted(patterns, key=len, reverse=True):
            backwards = pattern[::-1]
            if any(
                _contains_run(other, pattern) or _contains_run(other, backwards)
                for other in kept_patterns
            ):
                continue
            kept_patterns.append(pattern)
        candidates: list[tuple[Point, ...]] = []
        for shape_id in shape_ids:
            found = simplified_shapes.get(shape_id)
            if found is None:
                shape = feed.shapes[shape_id]
                found = _rounded(simplify(list(zip(shape.lats, shape.lons, strict=True))))
                simplified_shapes[shape_id] = found
            candidates.append(found)
        for pattern in kept_patterns:
            stops = [feed.stops[s] for s in pattern]
            candidates.append(_rounded(simplify([(s.lat, s.lon) for s in stops])))
        seen: set[tuple[Point, ...]] = set()
        route_lines: list[tuple[Point, ...]] = []
        for line in candidates:
            if len(line) < 2 or line in seen or line[::-1] in seen:
                continue
            seen.add(line)
            route_lines.append(line)
        lines[route_id] = route_lines
    return lines


def _network_route(route: Route, lines: list[tuple[Point, ...]]) -> NetworkRoute:
    return NetworkRoute(
        route_id=route.route_id,
        label=route.label,
        short_name=route.short_name,
        long_name=route.long_name,
        color=route_color(route),
        text_color=text_color_for(route),
        route_type=route.route_type,
        bbox=_bbox(p for line in lines for p in line),
        lines=tuple(lines),
    )


def build_network(feed: Feed) -> Network:
    """Index ``feed`` for the map: route lines, stops with their routes, search."""
    trips_by_route: dict[str, list[Trip]] = {}
    for trip in feed.trips.values():
        trips_by_route.setdefault(trip.route_id, []).append(trip)
    lines = _route_lines(feed, trips_by_route)
    routes = sorted(
        (_network_route(route, lines.get(route_id, [])) for route_id, route in feed.routes.items()),
        key=lambda r: (natural_key(r.label), r.route_id),
    )
    order = {r.route_id: k for k, r in enumerate(routes)}
    serving: dict[str, set[str]] = {}
    for route_id, trips in trips_by_route.items():
        patterns = {id(t.stop_ids): t.stop_ids for t in trips}
        for pattern in patterns.values():
            for stop_id in pattern:
                serving.setdefault(stop_id, set()).add(route_id)
    stops = [
        NetworkStop(
            stop.stop_id,
            stop.name,
            round(stop.lat, DECIMALS),
            round(stop.lon, DECIMALS),
            tuple(sorted(serving.get(stop.stop_id, ()), key=order.__getitem__)),
        )
        for stop in feed.stops.values()
        if stop.location_type == 0 or stop.stop_id in serving
    ]
    return Network(routes, stops)


def _stop_bbox(stops: Iterable[Stop | NetworkStop]) -> BBox | None:
    return _bbox((s.lat, s.lon) for s in stops)


class Network:
    """A feed indexed for the map. Build it with :func:`build_network`.

    Attributes:
        routes: every route, sorted by label (numbers by value).
        stops: the stops, sorted by longitude.
        bbox: ``(west, south, east, north)`` of the stops, or None without stops.
    """

    def __init__(self, routes: Sequence[NetworkRoute], stops: Sequence[NetworkStop]) -> None:
        self.routes = tuple(routes)
        self.stops = tuple(sorted(stops, key=lambda s: (s.lon, s.lat, s.stop_id)))
        self.bbox = _stop_bbox(self.stops)
        self._lons = [s.lon for s in self.stops]
        self._routes_by_id = {r.route_id: r for r in self.routes}
        self._index = SearchIndex(
            [r.short_name for r in self.routes],
            [r.long_name for r in self.routes],
            [s.name for s in self.stops],
            [len(s.route_ids) for s in self.stops],
        )

    def route(self, route_id: str) -> NetworkRoute | None:
        """Return the route ``route_id``, or None."""
        return self._routes_by_id.get(route_id)

    def stops_in(self, bbox: BBox | None, limit: int) -> tuple[list[NetworkStop], bool]:
        """Return at most ``limit`` stops inside ``bbox`` (all when None), and whether more matched.

        When more match, the stops returned are an evenly spread sample of them (in
        longitude order), not the westernmost ones.
        """
        if bbox is None:
            found: Sequence[NetworkStop] = self.stops
        else:
            west, south, east, north = bbox
            lo, hi = bisect_left(self._lons, west), bisect_right(self._lons, east)
            found = [s for s in self.stops[lo:hi] if south <= s.lat <= north]
        if len(found) <= limit:
            return list(found), False
        step = len(found) / limit
        return [found[int(k * step)] for k in range(limit)], True

    def search(self, query: str, limit: int = 10) -> tuple[list[NetworkRoute], list[NetworkStop]]:
        """Return the routes and stops matching ``query``, best first, at most ``limit`` each."""
        routes, stops = self.search_ranked(query, limit)
        return [r for r, _ in routes], [s for s, _ in stops]

    def search_ranked(
        self, query: str, limit: int = 10
    ) -> tuple[list[tuple[NetworkRoute, int]], list[tuple[NetworkStop, int]]]:
        """Like :meth:`search`, each result with its rank (:data:`bustrack.search.RANKS`)."""
        route_matches, stop_matches = self._index.search(query)
        routes = [(self.routes[m.index], m.rank) for m in route_matches[:limit]]
        kept: list[tuple[NetworkStop, int]] = []
        for m in stop_matches:
            stop = self.stops[m.index]
            if any(
                fold(stop.name) == fold(other.name)
                and haversine_m(stop.lat, stop.lon, other.lat, other.lon) < SAME_PLACE_M
                for other, _ in kept
            ):
                continue
            kept.append((stop, m.rank))
            if len(kept) == limit:
                break
        return routes, kept
