"""GTFS-realtime VehiclePositions in, from messages built with the bindings."""

from __future__ import annotations

import pytest
from google.transit import gtfs_realtime_pb2 as rt

from bustrack.sources.checks import Limits
from bustrack.sources.feed_message import FeedDecodeError
from bustrack.sources.gtfsrt_in import read_vehicle_positions
from bustrack.sources.report import Report
from tests.feeds import make_feed, make_trip

NOW = 1_800_000_000.0
FEED = make_feed([make_trip("T1", [("09:00:00", "09:00:00"), ("09:10:00", "09:10:00")])])
LIMITS = Limits(bbox=(72.7, 18.8, 73.1, 19.3))


def message(*vehicles: dict[str, object], header_ts: float = NOW) -> bytes:
    """A FeedMessage with one entity per dict: id, lat, lon, ts, trip, route, bearing..."""
    msg = rt.FeedMessage()
    msg.header.gtfs_realtime_version = "2.0"
    msg.header.timestamp = int(header_ts)
    for i, v in enumerate(vehicles):
        e = msg.entity.add()
        e.id = f"e{i}"
        vp = e.vehicle
        vp.vehicle.id = str(v.get("id", f"v{i}"))
        if "lat" in v:
            vp.position.latitude = float(v["lat"])  # type: ignore[arg-type]
            vp.position.longitude = float(v["lon"])  # type: ignore[arg-type]
        if "bearing" in v:
            vp.position.bearing = float(v["bearing"])  # type: ignore[arg-type]
        if "ts" in v:
            vp.timestamp = int(v["ts"])  # type: ignore[call-overload]
        if "trip" in v:
            vp.trip.trip_id = str(v["trip"])
        if "route" in v:
            vp.trip.route_id = str(v["route"])
        if "occupancy" in v:
            vp.occupancy_status = rt.VehiclePosition.OccupancyStatus.Value(str(v["occupancy"]))
    return msg.SerializeToString()


def read(data: bytes, last: dict[str, Report] | None = None) -> tuple[list[Report], object]:
    known = last or {}
    return read_vehicle_positions(data, NOW, FEED, known.get, LIMITS)


def test_vehicles_are_matched_by_trip_then_route_and_kept_unmatched() -> None:
    data = message(
        {"id": "a", "lat": 18.95, "lon": 72.83, "ts": NOW - 5, "trip": "T1", "bearing": 90,
         "occupancy": "STANDING_ROOM_ONLY"},
        {"id": "b", "lat": 18.95, "lon": 72.84, "ts": NOW - 5, "route": "R1"},
        {"id": "c", "lat": 18.95, "lon": 72.85, "ts": NOW - 5, "trip": "X", "route": "RX"},
    )  # fmt: skip
    reports, counts = read_vehicle_positions(data, NOW, FEED, {}.get, LIMITS)
    by = {r.device: r for r in reports}
    assert (by["a"].trip_id, by["a"].route_id, by["a"].bearing) == ("T1", "R1", 90.0)
    assert by["a"].occupancy == "STANDING_ROOM_ONLY"
    assert (by["b"].trip_id, by["b"].route_id) == ("", "R1")
    assert (by["c"].trip_id, by["c"].route_id) == ("", "")  # shown, unmatched
    assert counts.accepted == 3 and counts.unmatched == 1
    assert by["b"].bearing is None  # derived later from the move


def test_duplicates_repeats_and_missing_fields_are_counted() -> None:
    last = {"r": Report("r", NOW - 10, 18.95, 72.83)}
    data = message(
        {"id": "d", "lat": 18.95, "lon": 72.83, "ts": NOW - 9},
        {"id": "d", "lat": 18.95, "lon": 72.8301, "ts": NOW - 4},  # the newer wins
        {"id": "r", "lat": 18.95, "lon": 72.83, "ts": NOW - 10},  # repeated
        {"id": "n"},  # no position
        {"id": "h", "lat": 18.95, "lon": 72.83},  # no timestamp: the header's
        header_ts=NOW - 2,
    )
    reports, counts = read_vehicle_positions(data, NOW, FEED, last.get, LIMITS)
    by = {r.device: r for r in reports}
    assert by["d"].ts == NOW - 4 and by["h"].ts == NOW - 2 and "r" not in by
    assert (counts.duplicates, counts.repeated, counts.no_position) == (1, 1, 1)
    assert "1 duplicates" in counts.summary() and "1 no position" in counts.summary()


def test_future_old_and_far_away_positions_are_refused_by_rule() -> None:
    data = message(
        {"id": "f", "lat": 18.95, "lon": 72.83, "ts": NOW + 3600},
        {"id": "o", "lat": 18.95, "lon": 72.83, "ts": NOW - 30 * 86400},
        {"id": "x", "lat": 28.6, "lon": 77.2, "ts": NOW},  # Delhi
        {"id": "z", "lat": 0, "lon": 0, "ts": NOW},
        {"id": "ok", "lat": 18.95, "lon": 72.83, "ts": NOW},
    )
    reports, counts = read_vehicle_positions(data, NOW, FEED, {}.get, LIMITS)
    assert [r.device for r in reports] == ["ok"]
    assert dict(counts.refused) == {"future": 1, "old": 1, "area": 1, "no_fix": 1}
    assert "1 refused (area)" in counts.summary()


@pytest.mark.parametrize("data", [b"\xff\xfe garbage", message({"id": "a"})[:-3] + b"\x0a"])
def test_a_malformed_or_truncated_message_is_an_error(data: bytes) -> None:
    with pytest.raises(FeedDecodeError, match="not a GTFS-realtime message"):
        read_vehicle_positions(data, NOW, FEED, {}.get, LIMITS)


def test_several_feeds_are_told_apart_by_prefix() -> None:
    data = message({"id": "a", "lat": 18.95, "lon": 72.83, "ts": NOW})
    reports, _ = read_vehicle_positions(data, NOW, FEED, {}.get, LIMITS, prefix="1:")
    assert reports[0].device == "1:a"
