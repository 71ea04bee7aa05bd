from __future__ import annotations

from typing import Any

import pytest

from bustrack.sources.checks import Limits, Refused, check_report
from bustrack.sources.report import Report

NOW = 1_800_000_000.0
GOOD: dict[str, Any] = {"device": "bus-1", "lat": 19.07, "lon": 72.88, "ts": NOW - 5}


def test_a_good_report_passes_with_every_field() -> None:
    raw = {**GOOD, "speed": 8.5, "bearing": 270, "accuracy": 6, "trip_id": "T1",
           "route_id": "R1", "occupancy": "few_seats_available", "direction_id": 1}  # fmt: skip
    r = check_report(raw, NOW)
    assert r == Report("bus-1", NOW - 5, 19.07, 72.88, 8.5, 270.0, 6.0, "T1", "R1",
                       "FEW_SEATS_AVAILABLE", 1)  # fmt: skip
    assert check_report({**GOOD, "direction_id": "0"}, NOW).direction_id == 0  # a query's text
    assert check_report(GOOD, NOW).direction_id is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"lat": 95}, "lat 95 is outside -90..90"),
        ({"lon": "nan"}, "lon must be a finite number"),
        ({"lat": float("inf")}, "lat must be a finite number"),
        ({"lat": True}, "lat must be a number"),
        ({"lat": "north"}, "lat 'north' is not a number"),
        ({"lon": None}, "lon is missing"),
        ({"device": ""}, "device is missing"),
        ({"device": "x" * 65}, "device must be at most 64"),
        ({"ts": NOW + 3600}, "ts is 3600 s in the future"),
        ({"ts": NOW - 30 * 86400}, "ts is 30.0 days old"),
        ({"lat": 0, "lon": 0}, "no position"),
        ({"speed": -3}, "speed -3 is outside"),
        ({"bearing": 400}, "bearing 400 is outside"),
        ({"occupancy": "PACKED"}, "occupancy 'PACKED' is not one of"),
        ({"direction_id": 2}, "direction_id must be 0 or 1"),
        ({"direction_id": True}, "direction_id must be 0 or 1"),
        ({"direction_id": [0]}, "direction_id must be 0 or 1"),
    ],
)
def test_bad_reports_are_refused_with_a_reason(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(Refused, match=reason.replace("(", r"\(").replace(".", r"\.")):
        check_report({**GOOD, **change}, NOW)


def test_a_report_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(Refused, match="JSON object"):
        check_report([1, 2], NOW)  # type: ignore[arg-type]


def test_a_gps_jump_from_the_last_report_is_refused() -> None:
    last = check_report(GOOD, NOW)
    # 5 km in 10 s: 1,800 km/h.
    with pytest.raises(Refused, match=r"moved 5\.\d km in 10 s \(\d+ km/h\).*GPS jump"):
        check_report({**GOOD, "lat": 19.07 + 0.045, "ts": NOW + 5}, NOW + 5, last)
    # 400 m in 60 s is a bus.
    ok = check_report({**GOOD, "lat": 19.07 + 0.0036, "ts": NOW + 55}, NOW + 55, last)
    assert ok.lat > last.lat


def test_outside_the_feed_area_is_refused() -> None:
    limits = Limits(bbox=(72.7, 18.8, 73.1, 19.3))
    check_report(GOOD, NOW, limits=limits)
    with pytest.raises(Refused, match="outside this feed's area"):
        check_report({**GOOD, "lat": 28.6, "lon": 77.2}, NOW, limits=limits)  # Delhi
