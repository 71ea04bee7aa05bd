from __future__ import annotations

import pytest

from bustrack.sources.checks import Refused
from bustrack.sources.osmand import KNOT_MS, from_json, from_query


def test_the_query_form_with_speed_in_knots() -> None:
    raw = from_query({"id": "ph-1", "lat": "19.1", "lon": "72.9", "timestamp": "1800000000",
                      "speed": "10", "bearing": "90", "accuracy": "12"})  # fmt: skip
    assert raw["device"] == "ph-1" and raw["ts"] == 1800000000.0
    assert raw["speed"] == pytest.approx(10 * KNOT_MS)
    assert (raw["bearing"], raw["accuracy"]) == ("90", "12")


def test_timestamps_in_milliseconds_and_iso() -> None:
    assert from_query({"timestamp": "1800000000123"})["ts"] == pytest.approx(1800000000.123)
    assert from_query({"timestamp": "2027-01-15T08:00:00Z"})["ts"] == 1800000000.0
    with pytest.raises(Refused, match="not Unix time or ISO 8601"):
        from_query({"timestamp": "yesterday"})


def test_the_json_form_of_traccar_client() -> None:
    body = {
        "device_id": "ph-2",
        "location": {
            "timestamp": "2027-01-15T08:00:00.000Z",
            "coords": {"latitude": 19.1, "longitude": 72.9, "speed": 5.0, "heading": -1,
                       "accuracy": 8},
        },
    }  # fmt: skip
    raw = from_json(body)
    assert raw["device"] == "ph-2" and (raw["lat"], raw["lon"]) == (19.1, 72.9)
    assert raw["speed"] == 5.0 and raw["bearing"] is None and raw["accuracy"] == 8
    assert raw["ts"] == 1800000000.0
    with pytest.raises(Refused, match="location is missing"):
        from_json({"device_id": "x"})
