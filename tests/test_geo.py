import math

import pytest

from bustrack.geo import (
    bearing_deg,
    cumulative_distances,
    haversine_m,
    point_along,
    segment_bearings,
)


def test_haversine_one_degree_of_latitude_is_about_111_km() -> None:
    assert haversine_m(18.0, 72.8, 19.0, 72.8) == pytest.approx(111_195, rel=1e-3)


def test_haversine_is_zero_for_the_same_point() -> None:
    assert haversine_m(18.95, 72.8, 18.95, 72.8) == 0.0


@pytest.mark.parametrize(
    ("lat2", "lon2", "expected"),
    [(19.0, 72.8, 0.0), (18.95, 72.9, 90.0), (18.9, 72.8, 180.0), (18.95, 72.7, 270.0)],
)
def test_bearing_points_the_right_way(lat2: float, lon2: float, expected: float) -> None:
    assert bearing_deg(18.95, 72.8, lat2, lon2) == pytest.approx(expected, abs=0.1)


def test_cumulative_distances_add_up() -> None:
    d = cumulative_distances([18.0, 18.0, 18.0], [72.0, 72.01, 72.03])
    assert d[0] == 0.0
    assert d[2] == pytest.approx(3 * d[1], rel=1e-6)


def test_point_along_interpolates_and_clamps() -> None:
    lats, lons = [18.0, 18.0, 18.1], [72.0, 72.1, 72.1]
    dist = cumulative_distances(lats, lons)
    lat, lon, b = point_along(lats, lons, dist, dist[1] / 2)
    assert (lat, lon) == pytest.approx((18.0, 72.05), abs=1e-9)
    assert b == pytest.approx(90.0, abs=0.1)
    lat, lon, b = point_along(lats, lons, dist, dist[1] + (dist[2] - dist[1]) / 4)
    assert lat == pytest.approx(18.025) and lon == pytest.approx(72.1)
    assert b == pytest.approx(0.0, abs=0.1)
    assert point_along(lats, lons, dist, -5.0)[:2] == (18.0, 72.0)
    assert point_along(lats, lons, dist, dist[-1] + 100)[:2] == pytest.approx((18.1, 72.1))


def test_point_along_skips_zero_length_segments_for_the_bearing() -> None:
    lats, lons = [18.0, 18.0, 18.0], [72.0, 72.0, 72.1]
    dist = cumulative_distances(lats, lons)
    _, _, b = point_along(lats, lons, dist, 0.0)
    assert not math.isnan(b)
    assert b == pytest.approx(90.0, abs=0.1)


def test_point_along_with_kept_bearings_gives_the_same_answers() -> None:
    # Zero-length segments at the start, the middle and the end.
    lats = [18.0, 18.0, 18.01, 18.01, 18.02, 18.03, 18.03]
    lons = [72.0, 72.0, 72.0, 72.0, 72.01, 72.01, 72.01]
    dist = cumulative_distances(lats, lons)
    bearings = segment_bearings(lats, lons)
    assert len(bearings) == len(lats) - 1
    for d in [-10.0, 0.0, 1.0, dist[2], dist[2] + 0.5, dist[4] - 1, dist[-1], dist[-1] + 50]:
        assert point_along(lats, lons, dist, d, bearings) == point_along(lats, lons, dist, d)
