import pytest

from bustrack.wire.channels import (
    ALL,
    MAX_TILES,
    Subscription,
    channels_for,
    parse_bbox,
    tile_place,
    tile_xy,
    tiles_covering,
    vehicle_channels,
)


def test_tile_xy_matches_the_slippy_map_formula() -> None:
    # Zoom 0 is one tile; at zoom 1 the four quadrants.
    assert tile_xy(19.0, 72.8, 0) == (0, 0)
    assert tile_xy(19.0, 72.8, 1) == (1, 0)
    assert tile_xy(-19.0, -72.8, 1) == (0, 1)
    # Gateway of India at zoom 14: x = floor(252.8347 / 360 * 2**14) = 11506, and
    # y = floor((1 - asinh(tan(18.922°)) / pi) / 2 * 2**14) = floor(7314.9) = 7314.
    x, y = tile_xy(18.9220, 72.8347, 14)
    assert (x, y) == (11506, 7314)


def test_vehicle_channels_cover_all_route_and_two_tile_zooms() -> None:
    chans = vehicle_channels(18.9220, 72.8347, "BEST_1")
    assert chans == (ALL, "r/BEST_1", "14/11506/7314", "12/2876/1828")


@pytest.mark.parametrize("lat, lon", [(18.9220, 72.8347), (19.2, 72.95), (-33.87, 151.21)])
def test_a_tile_place_holds_its_tile_and_ends_at_its_edges(lat: float, lon: float) -> None:
    place = tile_place(lat, lon)
    assert place.holds(lat, lon)
    assert place.channels == vehicle_channels(lat, lon, "R")[2:]
    eps = 1e-9
    inside = [
        (place.south + eps, place.west),
        (place.north, place.east - eps),
        ((place.south + place.north) / 2, (place.west + place.east) / 2),
    ]
    outside = [
        (place.south, lon),
        (place.north + eps, lon),
        (lat, place.west - eps),
        (lat, place.east),
    ]
    for p in inside:
        assert place.holds(*p) and tile_place(*p).channels == place.channels, p
    for p in outside:
        assert not place.holds(*p), p
        assert tile_place(*p).channels[0] != place.channels[0], p


def test_small_box_gets_its_fine_tiles() -> None:
    # A phone's view around the Gateway of India, with a margin: a few zoom-14 tiles.
    sub = Subscription((72.82, 18.91, 72.85, 18.935))
    chans = channels_for(sub)
    assert 1 <= len(chans) <= MAX_TILES
    assert all(c.startswith("14/") for c in chans)
    assert "14/11506/7314" in chans
    assert chans == tuple(sorted(chans))


def test_wider_box_gets_coarser_tiles_and_a_city_gets_all() -> None:
    medium = channels_for(Subscription((72.80, 18.90, 72.95, 19.02)))
    assert all(c.startswith("12/") for c in medium)
    assert 1 <= len(medium) <= MAX_TILES
    city = channels_for(Subscription((72.0, 18.0, 74.0, 20.0)))
    assert city == (ALL,)


def test_routes_win_over_the_box_and_nothing_means_all() -> None:
    sub = Subscription((72.82, 18.91, 72.85, 18.935), ("B", "A", "B"))
    assert channels_for(sub) == ("r/A", "r/B")
    assert channels_for(Subscription()) == (ALL,)


def test_tiles_covering_includes_both_corners() -> None:
    tiles = tiles_covering((72.82, 18.91, 72.85, 18.935), 14)
    assert tile_xy(18.935, 72.82, 14) in tiles
    assert tile_xy(18.91, 72.85, 14) in tiles


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([1, 2, 3], "bbox must be"),
        ([1, 2, "3", 4], "bbox must be"),
        ([True, 2, 3, 4], "bbox must be"),
        ([73.0, 18.0, 72.0, 19.0], "west < east"),
        ([72.0, 19.0, 73.0, 18.0], "south < north"),
        ([72.0, -95.0, 73.0, 18.0], "south < north"),
        ([float("nan"), 18.0, 73.0, 19.0], "finite"),
    ],
)
def test_bad_boxes_are_explained(raw: list[object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_bbox(raw)
