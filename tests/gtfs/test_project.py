from __future__ import annotations

import random
from array import array

import pytest

from bustrack.geo import cumulative_distances, haversine_m
from bustrack.gtfs.model import Shape
from bustrack.gtfs.project import ShapeIndex, project_stops


def shape(lats: list[float], lons: list[float]) -> Shape:
    return Shape(
        "S", array("d", lats), array("d", lons), array("d", cumulative_distances(lats, lons))
    )


def test_stops_on_a_straight_shape_land_at_their_distance() -> None:
    s = shape([18.95] * 5, [72.80, 72.805, 72.81, 72.815, 72.82])
    got = project_stops(ShapeIndex(s), [(18.9501, 72.80), (18.9501, 72.81), (18.9499, 72.8175)])
    assert got == pytest.approx(
        [0.0, s.distances[2], haversine_m(18.95, 72.80, 18.95, 72.8175)], abs=1.0
    )


def test_a_stop_passed_twice_is_placed_on_the_right_pass() -> None:
    lons = [72.80, 72.81, 72.82, 72.81, 72.80]
    s = shape([18.95, 18.95, 18.95, 18.95005, 18.95005], lons)
    stops = [(18.95, 72.80), (18.95, 72.81), (18.95, 72.82), (18.95, 72.81), (18.95, 72.80)]
    assert project_stops(ShapeIndex(s), stops) == pytest.approx(list(s.distances), abs=1.0)


def test_a_stop_behind_the_previous_one_stays_in_place() -> None:
    s = shape([18.95] * 3, [72.80, 72.81, 72.82])
    got = project_stops(ShapeIndex(s), [(18.95, 72.815), (18.95, 72.805), (18.95, 72.82)])
    assert got[1] == got[0]
    assert got == sorted(got)
    assert got[2] == pytest.approx(s.distances[2], abs=1.0)


def test_a_far_away_stop_is_still_placed() -> None:
    s = shape([18.95] * 2, [72.80, 72.82])
    got = project_stops(ShapeIndex(s), [(18.97, 72.81)])  # about 2.2 km north
    assert got == pytest.approx([s.distances[1] / 2], abs=2.0)


def test_grid_search_finds_the_same_nearest_pass_as_brute_force() -> None:
    rng = random.Random(7)
    lats, lons = [18.95], [72.80]
    for _ in range(400):  # a wandering 20 km path
        lats.append(lats[-1] + rng.uniform(-0.0004, 0.0006))
        lons.append(lons[-1] + rng.uniform(-0.0004, 0.0006))
    s = shape(lats, lons)
    index = ShapeIndex(s)
    coarse = ShapeIndex(s, cell=1e9)  # one cell: every segment is examined
    for _ in range(50):
        lat = rng.uniform(min(lats), max(lats))
        lon = rng.uniform(min(lons), max(lons))
        best = min(d for _, d in index.candidates(lat, lon))
        assert best == pytest.approx(min(d for _, d in coarse.candidates(lat, lon)), abs=1e-6)


def test_no_points_no_positions() -> None:
    assert project_stops(ShapeIndex(shape([18.95, 18.95], [72.8, 72.81])), []) == []
