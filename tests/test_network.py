from __future__ import annotations

import math
from array import array
from itertools import pairwise

import pytest

from bustrack.geo import cumulative_distances
from bustrack.gtfs.model import Feed, Route, Shape, Stop
from bustrack.network import (
    DECIMALS,
    TOLERANCE_M,
    build_network,
    fold,
    natural_key,
    simplify,
)
from bustrack.palette import PALETTE
from tests.feeds import STOPS, make_feed, make_trip
from tests.gtfs.fixtures import build

TIMES = [("08:00:00", "08:00:00"), ("08:05:00", "08:05:00"), ("08:10:00", "08:10:00")]


# Text.


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Chhatrapati Shivaji Maharaj Terminus(CSMT)", "chhatrapati shivaji maharaj terminus csmt"),
        ("Église  Saint-Ñoño", "eglise saint nono"),
        ("A ⇆ B", "a b"),
        ("  10AS ", "10as"),
        ("Straße_7", "strasse 7"),
        ("!!!", ""),
    ],
)
def test_fold_drops_case_accents_and_punctuation(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_natural_key_orders_numbers_by_value() -> None:
    labels = ["10", "A1", "2", "10A", "100", "1AS", "9"]
    assert sorted(labels, key=natural_key) == ["1AS", "2", "9", "10", "10A", "100", "A1"]


# Geometry.


def _east(n: int, step_deg: float = 0.0001, lat: float = 18.95) -> list[tuple[float, float]]:
    return [(lat, 72.8 + k * step_deg) for k in range(n)]


def _distance_to_line(p: tuple[float, float], line: list[tuple[float, float]]) -> float:
    """Metres from p to the nearest point of line, on a local flat projection."""
    ky = 6_371_008.8 * math.pi / 180
    kx = ky * math.cos(math.radians(p[0]))
    best = math.inf
    for a, b in pairwise(line):
        ax, ay = (a[1] - p[1]) * kx, (a[0] - p[0]) * ky
        bx, by = (b[1] - p[1]) * kx, (b[0] - p[0]) * ky
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


def test_simplify_keeps_the_ends_of_a_straight_line_only() -> None:
    points = _east(50)
    assert simplify(points) == [points[0], points[-1]]
    assert simplify(points[:2]) == points[:2]
    assert simplify(points[:1]) == points[:1]


def test_simplify_keeps_bends_larger_than_the_tolerance() -> None:
    # An L: east 1 km, then north 1 km, with points every ~10 m.
    east = _east(100)
    north = [(18.95 + k * 0.0001, east[-1][1]) for k in range(1, 100)]
    points = east + north
    kept = simplify(points)
    assert kept == [points[0], east[-1], points[-1]]


def test_simplify_drops_wiggles_smaller_than_the_tolerance() -> None:
    wiggly = [(lat + (0.00002 if k % 2 else 0.0), lon) for k, (lat, lon) in enumerate(_east(40))]
    assert len(simplify(wiggly)) == 2  # 2 m wiggles
    zigzag = [(lat + (0.0002 if k % 2 else 0.0), lon) for k, (lat, lon) in enumerate(_east(40))]
    assert len(simplify(zigzag)) == 40  # 22 m zigzags: all kept


def test_simplify_keeps_the_turn_of_an_out_and_back_line() -> None:
    out = _east(30, step_deg=0.001)
    points = out + out[-2::-1]
    assert simplify(points) == [points[0], out[-1], points[-1]]


def test_every_point_stays_within_the_tolerance_of_the_simplified_line() -> None:
    points = [
        (18.95 + 0.002 * math.sin(k / 40) + 0.00001 * (k % 3), 72.8 + k * 0.0003)
        for k in range(300)
    ]
    kept = simplify(points)
    assert 2 < len(kept) < len(points) / 4
    assert max(_distance_to_line(p, kept) for p in points) <= TOLERANCE_M * 1.05


# The network of small feeds.


def _serving_feed() -> Feed:
    """R1 "7": A-B-C, back, and a short working A-B; R2 "Night Special": C-B; R3 no trips."""
    trips = [
        make_trip("T1", TIMES),
        make_trip("T2", TIMES, ("C", "B", "A")),
        make_trip("T3", TIMES[:2], ("A", "B")),
        make_trip("N1", TIMES[:2], ("C", "B"), route_id="R2"),
    ]
    feed = make_feed(trips)
    feed.routes["R3"] = Route("R3", "AG", "10", "Depot run", 3)
    return feed


def test_reversed_and_partial_stop_patterns_give_one_line() -> None:
    network = build_network(_serving_feed())
    r1 = network.route("R1")
    assert r1 is not None
    assert r1.lines == (((18.95, 72.8), (18.95, 72.82)),)  # A-B-C, simplified
    assert r1.bbox == (72.8, 18.95, 72.82, 18.95)


def test_routes_are_sorted_by_label_with_their_colours() -> None:
    network = build_network(_serving_feed())
    assert [r.label for r in network.routes] == ["7", "10", "Night Special"]
    night = network.route("R2")
    assert night is not None and (night.color, night.text_color) == ("#ffee00", "#000000")
    seven = network.route("R1")
    assert seven is not None and seven.color in PALETTE
    idle = network.route("R3")
    assert idle is not None and idle.lines == () and idle.bbox is None


def test_stops_know_their_routes_sorted_by_label() -> None:
    network = build_network(_serving_feed())
    by_id = {s.stop_id: s for s in network.stops}
    assert by_id["A"].route_ids == ("R1",)
    assert by_id["C"].route_ids == ("R1", "R2")
    assert (by_id["B"].name, by_id["B"].lat, by_id["B"].lon) == ("Bravo", 18.95, 72.81)
    assert network.bbox == (72.8, 18.95, 72.82, 18.95)


def test_shapes_are_the_lines_when_trips_have_them() -> None:
    feed = build("shapes-dist")
    network = build_network(feed)
    (line,) = network.routes[0].lines
    shape = feed.shapes["S1"]
    assert line[0] == (shape.lats[0], shape.lons[0])
    assert line[-1] == (shape.lats[-1], shape.lons[-1])
    assert len(line) == 2  # the shape runs straight east


def test_lines_are_rounded_and_shared_shapes_drawn_once() -> None:
    lats = array("d", [18.9500004, 18.9510004, 18.9500004])
    lons = array("d", [72.8000004, 72.8050004, 72.8100004])
    shape = Shape("S", lats, lons, array("d", cumulative_distances(lats, lons)))
    trips = [make_trip(f"T{k}", TIMES, shape_id="S") for k in range(3)]
    network = build_network(make_feed(trips, shapes={"S": shape}))
    route = network.route("R1")
    assert route is not None
    assert route.lines == (((18.95, 72.8), (18.951, 72.805), (18.95, 72.81)),)
    for point in route.lines[0]:
        assert all(round(v, DECIMALS) == v for v in point)


def test_stops_in_a_box_and_a_spread_sample_when_truncated() -> None:
    stops = {
        f"S{k:03d}": Stop(f"S{k:03d}", f"Stop {k}", 18.9, 72.8 + k * 0.001) for k in range(100)
    }
    stops.update(STOPS)
    trips = [make_trip("T1", TIMES)]
    network = build_network(make_feed(trips, stops=stops))
    inside, truncated = network.stops_in((72.8095, 18.8, 72.8405, 18.91), 100)
    assert [s.stop_id for s in inside] == [f"S{k:03d}" for k in range(10, 41)]
    assert truncated is False
    sample, truncated = network.stops_in((72.7, 18.8, 72.9, 18.91), 10)
    assert truncated is True
    assert [s.stop_id for s in sample] == [f"S{k:03d}" for k in range(0, 100, 10)]
    everything, truncated = network.stops_in(None, 1000)
    assert len(everything) == 103 and not truncated


def test_map_stops_are_stops_and_what_trips_stop_at() -> None:
    feed = build("stations")  # trip T3 stops at station STA
    network = build_network(feed)
    assert sorted(s.stop_id for s in network.stops) == ["A", "B", "B2", "C", "STA"]
    station = next(s for s in network.stops if s.stop_id == "STA")
    assert station.route_ids == ("R1",)
    assert next(s for s in network.stops if s.stop_id == "B2").route_ids == ()


# Search.


def _search_feed() -> Feed:
    stops = {
        "A": Stop("A", "Ernakulam South", 9.9690, 76.2895),
        "A2": Stop("A2", "Ernakulam South", 9.9693, 76.2899),  # other side of the road
        "A3": Stop("A3", "Ernakulam South", 10.10, 76.35),  # same name, elsewhere
        "B": Stop("B", "Fort Kochi Beach", 9.9658, 76.2421),
        "C": Stop("C", "Kaloor Stadium", 9.9975, 76.2980),
        "D": Stop("D", "Thevara Junction", 9.9420, 76.2950),
    }
    feed = make_feed(
        [make_trip("T1", TIMES, ("A", "B", "C"), route_id="R7", stops=stops)], stops=stops
    )
    feed.routes = {
        "R7": Route("R7", "AG", "7", "Vyttila Hub - Fort Kochi", 3),
        "R70": Route("R70", "AG", "70", "Aluva - Kaloor", 3),
        "R17": Route("R17", "AG", "17", "Edappally - Ernakulam South", 3),
        "RC": Route("RC", "AG", "C7", "Café Circle", 3),
    }
    return feed


def test_route_number_exact_match_comes_before_prefix_and_names() -> None:
    network = build_network(_search_feed())
    routes, _ = network.search("7")
    assert [r.route_id for r in routes] == ["R7", "R70"]  # exact, then prefix; not 17 or C7
    routes, _ = network.search("70")
    assert [r.route_id for r in routes] == ["R70"]
    routes, _ = network.search("kochi")  # a word of the name
    assert [r.route_id for r in routes] == ["R7"]


def test_matches_inside_words_need_three_characters() -> None:
    network = build_network(_search_feed())
    assert [r.route_id for r in network.search("afe")[0]] == ["RC"]
    assert network.search("af") == ([], [])
    assert [s.stop_id for s in network.search("adium")[1]] == ["C"]


def test_search_ignores_case_accents_and_word_order() -> None:
    network = build_network(_search_feed())
    assert [r.route_id for r in network.search("CAFE")[0]] == ["RC"]
    assert [r.route_id for r in network.search("kochi fort")[0]] == ["R7"]
    assert [s.stop_id for s in network.search("kochi fort")[1]] == ["B"]
    assert [s.name for s in network.search("stadium")[1]] == ["Kaloor Stadium"]
    assert network.search("   ") == ([], [])
    assert network.search("xyz") == ([], [])


def test_stops_starting_with_the_query_come_first_and_nearby_twins_once() -> None:
    network = build_network(_search_feed())
    routes, stops = network.search("ernakulam")
    assert [r.route_id for r in routes] == ["R17"]
    assert [s.stop_id for s in stops] == ["A", "A3"]  # A2 is A's twin across the road
    _, stops = network.search("south")
    assert [s.stop_id for s in stops] == ["A", "A3"]
    _, stops = network.search("th")
    assert stops[0].stop_id == "D"  # "Thevara" starts with it


def test_search_limits_its_answers() -> None:
    network = build_network(_search_feed())
    routes, stops = network.search("k")
    assert [r.route_id for r in routes] == ["R7", "R70"]
    assert [s.stop_id for s in stops] == ["C", "B"]  # "Kaloor ..." starts with it
    assert network.search("k", limit=1) == (routes[:1], stops[:1])


# The bundled feed.


def test_mumbai_network(mumbai_feed: Feed) -> None:
    network = build_network(mumbai_feed)
    assert len(network.routes) == 419
    assert len(network.stops) == 4694
    assert all(r.lines for r in network.routes)
    assert all(len(line) >= 2 for r in network.routes for line in r.lines)
    church = next(s for s in network.stops if s.stop_id == "BEST_01001")
    assert church.name == "Afghan Church"
    assert "BEST_3AS" in church.route_ids
    labels = [network.route(r).label for r in church.route_ids]  # type: ignore[union-attr]
    assert labels == sorted(labels, key=natural_key)
    routes, stops = network.search("afghan church")
    assert [s.stop_id for s in stops] == ["BEST_01001"]
    routes, _ = network.search("1as")
    assert routes[0].route_id == "BEST_1AS"
