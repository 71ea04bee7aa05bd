from __future__ import annotations

import datetime as dt

import pytest

from bustrack.gtfs.errors import FeedError
from bustrack.gtfs.values import Cells, format_time, parse_color


@pytest.fixture
def cells() -> Cells:
    c = Cells("x.txt")
    c.line = 7
    return c


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:00:00", 0),
        ("8:05:09", 29109),
        ("08:05:09", 29109),
        ("25:10:00", 90600),
        (" 23:59:59 ", 86399),
        ("100:00:00", 360000),
    ],
)
def test_times(cells: Cells, text: str, seconds: int) -> None:
    assert cells.time(text, "t") == seconds


@pytest.mark.parametrize(
    "text", ["25:7:00", "12:60:00", "12:00:60", "12:00", "", "ab:cd:ef", "1:2:3"]
)
def test_bad_times(cells: Cells, text: str) -> None:
    with pytest.raises(FeedError) as caught:
        cells.time(text, "arrival_time")
    assert str(caught.value) == f"x.txt line 7: arrival_time '{text}' is not HH:MM:SS"


def test_format_time_round_trips(cells: Cells) -> None:
    for text in ("00:00:00", "08:05:09", "25:10:00"):
        assert format_time(cells.time(text, "t")) == text


def test_dates(cells: Cells) -> None:
    assert cells.date("20260229".replace("29", "28"), "d") == dt.date(2026, 2, 28)
    for bad in ("20260229", "2026-02-28", "260228", ""):
        with pytest.raises(FeedError, match=rf"^x\.txt line 7: d '{bad}' is not a YYYYMMDD date$"):
            cells.date(bad, "d")


def test_numbers_and_ranges(cells: Cells) -> None:
    assert cells.number("-18.5", "lat", -90, 90) == -18.5
    with pytest.raises(FeedError, match=r"lat 'nan' is out of range -90\.\.90$"):
        cells.number("nan", "lat", -90, 90)
    with pytest.raises(FeedError, match=r"lat '' is not a number$"):
        cells.number("", "lat")


def test_integers_and_choices(cells: Cells) -> None:
    assert cells.integer("12", "n") == 12
    with pytest.raises(FeedError, match=r"n '-1' must be at least 0$"):
        cells.integer("-1", "n")
    assert cells.choice("", "c", range(2), None) is None
    assert cells.choice(" 1 ", "c", range(2), None) == 1
    with pytest.raises(FeedError, match=r"c '1' is not 2$"):
        cells.choice("1", "c", range(2, 3), None)


def test_required(cells: Cells) -> None:
    assert cells.required("x", "f") == "x"
    with pytest.raises(FeedError) as caught:
        cells.required("", "stop_id")
    assert (str(caught.value), caught.value.field) == ("x.txt line 7: stop_id is empty", "stop_id")


@pytest.mark.parametrize(
    ("text", "color"),
    [
        ("FFAA00", "FFAA00"),
        ("ffaa00", "FFAA00"),
        (" 0a0B0c ", "0A0B0C"),
        ("#FFAA00", None),
        ("FFF", None),
        ("GGGGGG", None),
    ],
)
def test_colors(text: str, color: str | None) -> None:
    assert parse_color(text) == color
