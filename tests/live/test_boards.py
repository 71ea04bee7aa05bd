import dataclasses
import gc
import weakref

import orjson
import pytest

from bustrack.geo import haversine_m
from bustrack.live.boards import BoardContext, Boards, speed_kmh, speed_mps
from bustrack.live.glance import ETA_STEP_MS, GLANCE_ROWS, encode_glance_stop
from bustrack.live.occupancy import simulated_load, status_of_load
from bustrack.live.predictions import Predictor
from bustrack.sources.simulation import Vehicle
from bustrack.wire.protocol import route_infos
from tests.feeds import make_feed
from tests.live.test_predictions import LINE, TIGHT, between, line_trip, report, ts

SHIFT = 3600.0  # the simulation runs an hour behind the real clock


def context(vehicles: list[Vehicle], when: str, stale_after: float = 60.0) -> BoardContext:
    trip = line_trip(TIGHT)
    feed = make_feed([trip], stops=LINE)
    p = Predictor(feed)
    p.observe(vehicles, ts(when))
    return BoardContext(
        feed=feed,
        predictor=p,
        routes=route_infos(feed),
        vehicles={v.vehicle_id: v for v in vehicles},
        now=ts(when),
        shift=SHIFT,
        ts_ms=round((ts(when) + SHIFT) * 1000),
        stale_after=stale_after,
    )


def arrivals(ctx: BoardContext, stop: str) -> dict:  # type: ignore[type-arg]
    frame = Boards(ctx, {}).frame("arrivals", stop)
    data: dict = orjson.loads(frame[frame.index(b"{") :])  # type: ignore[type-arg]
    return data


def test_a_late_bus_is_on_the_stop_board_live_in_real_time() -> None:
    t = line_trip(TIGHT)
    ctx = context([report(t, "10:05:00", *between(t, 0, 0.5))], "10:05:00")  # 3 min late
    board = arrivals(ctx, "D")
    assert board["type"] == "arrivals" and board["ts"] == ctx.ts_ms
    assert board["stop"]["id"] == "D" and board["stop"]["name"] == "Delta"
    (a,) = board["arrivals"]
    assert a["live"] and not a["no_signal"]
    assert a["vehicle"] == "T1" and a["route"] == "7" and a["headsign"] == "To Echo"
    # Times are real (shifted) milliseconds; the bus is about 3 min behind its timetable.
    assert a["scheduled"] == round((ts("10:12:20") + SHIFT) * 1000)
    assert a["eta"] - a["scheduled"] == pytest.approx(180_000, abs=20_000)
    assert a["uncertainty"] > 0


def test_a_silent_bus_falls_back_to_its_timetable() -> None:
    t = line_trip(TIGHT)
    last = report(t, "10:05:00", *between(t, 0, 0.5))
    ctx = context([last], "10:06:30", stale_after=60.0)  # 90 s without a report
    (a,) = arrivals(ctx, "D")["arrivals"]
    assert not a["live"] and a["no_signal"]
    assert a["uncertainty"] is None
    assert a["eta"] == a["scheduled"]


def test_a_stop_with_no_bus_coming_shows_scheduled_runs() -> None:
    ctx = context([], "09:50:00")
    (a,) = arrivals(ctx, "C")["arrivals"]
    assert a["vehicle"] is None and not a["live"]
    assert a["eta"] == a["scheduled"] == round((ts("10:08:10") + SHIFT) * 1000)


def test_vehicle_details_next_stop_delay_and_speed() -> None:
    t = line_trip(TIGHT)
    before = report(t, "10:04:50", *between(t, 0, 0.45))
    now = report(t, "10:05:00", *between(t, 0, 0.5))
    ctx = context([now], "10:05:00")
    frame = Boards(ctx, {"T1": before}).frame("vehicle", "T1")
    data = orjson.loads(frame[frame.index(b"{") :])
    assert data["active"] and not data["stale"]
    assert data["next_stop"]["id"] == "B" and data["next_stop"]["name"] == "Bravo"
    assert data["delay"] == pytest.approx(180, abs=5)
    expected = (now.distance - before.distance) / 10 * 3.6
    assert data["speed_kmh"] == pytest.approx(expected, abs=0.1)
    assert data["reported"] == round((now.timestamp + SHIFT) * 1000)
    gone = Boards(ctx, {}).frame("vehicle", "nope")
    assert orjson.loads(gone[gone.index(b"{") :])["active"] is False


def test_speed_needs_two_reports_of_the_same_run() -> None:
    t = line_trip(TIGHT)
    a = report(t, "10:01:00", *between(t, 0, 0.2))
    b = report(t, "10:01:10", *between(t, 0, 0.3))
    assert speed_kmh(None, b) is None
    assert speed_kmh(b, b) is None
    assert speed_kmh(a, dataclasses.replace(b, vehicle_id="other")) is None
    assert speed_kmh(a, b) == pytest.approx((b.distance - a.distance) / 10 * 3.6)


def test_a_units_own_speed_wins_and_an_unplaced_bus_moves_as_the_crow_flies() -> None:
    t = line_trip(TIGHT)
    a = report(t, "10:01:00", *between(t, 0, 0.2))
    b = report(t, "10:01:10", *between(t, 0, 0.3))
    assert speed_mps(None, dataclasses.replace(b, speed=7.5)) == 7.5
    assert speed_kmh(a, dataclasses.replace(b, speed=7.5)) == pytest.approx(27.0)
    # A real bus not placed on a trip (distance 0, no next stop): its straight-line move.
    off_a = dataclasses.replace(a, trip_id="", distance=0.0, next_stop=-1, lat=18.95, lon=72.8)
    off_b = dataclasses.replace(off_a, timestamp=a.timestamp + 10, lat=18.951)
    metres = haversine_m(18.95, 72.8, 18.951, 72.8)
    assert speed_mps(off_a, off_b) == pytest.approx(metres / 10)


def test_frames_are_built_once_per_tick() -> None:
    t = line_trip(TIGHT)
    boards = Boards(context([report(t, "10:05:00", *between(t, 0, 0.5))], "10:05:00"), {})
    assert boards.frame("arrivals", "D") is boards.frame("arrivals", "D")
    with pytest.raises(ValueError, match="unknown board kind"):
        boards.frame("weather", "D")


def _vehicle_frame(ctx: BoardContext, vid: str) -> dict:  # type: ignore[type-arg]
    frame = Boards(ctx, {}).frame("vehicle", vid)
    data: dict = orjson.loads(frame[frame.index(b"{") :])  # type: ignore[type-arg]
    return data


def test_occupancy_is_the_sources_or_the_simulations_and_none_when_stale() -> None:
    t = line_trip(TIGHT)
    sim = report(t, "10:05:00", *between(t, 0, 0.5))
    ctx = context([sim], "10:05:00")
    expected = status_of_load(simulated_load("T1", 10 + 5 / 60, sim.distance / t.distances[-1]))
    assert _vehicle_frame(ctx, "T1")["occupancy"] == expected
    (a,) = arrivals(ctx, "D")["arrivals"]
    assert a["occupancy"] == expected  # the coming bus's, on the stop's board
    reported = dataclasses.replace(sim, occupancy="FULL")
    assert _vehicle_frame(context([reported], "10:05:00"), "T1")["occupancy"] == "FULL"
    real = dataclasses.replace(sim, vehicle_id="dev/bus-1")  # a real bus that says nothing
    assert _vehicle_frame(context([real], "10:05:00"), "dev/bus-1")["occupancy"] is None
    stale = context([sim], "10:07:00", stale_after=60.0)
    assert _vehicle_frame(stale, "T1")["occupancy"] is None


def _glance(frame: bytes) -> dict:  # type: ignore[type-arg]
    data: dict = orjson.loads(frame[frame.index(b"{") :])  # type: ignore[type-arg]
    return data


def test_a_glance_is_the_first_arrivals_of_each_stop_compact_and_rounded() -> None:
    t = line_trip(TIGHT)
    ctx = context([report(t, "10:05:00", *between(t, 0, 0.5))], "10:05:00")
    boards = Boards(ctx, {})
    content, frame = boards.glance(("C", "D"))
    data = _glance(frame)
    assert data["type"] == "glance" and data["ts"] == ctx.ts_ms
    assert orjson.loads(content) == data["stops"]
    assert sorted(data["stops"]) == ["C", "D"]
    for stop, rows in data["stops"].items():
        full = arrivals(ctx, stop)["arrivals"][:GLANCE_ROWS]
        assert len(rows) == len(full) >= 1
        for row, a in zip(rows, full, strict=True):
            assert set(row) == {"route", "color", "headsign", "eta", "live", "trip"}
            assert (row["route"], row["color"], row["headsign"], row["live"], row["trip"]) == (
                a["route"],
                a["color"],
                a["headsign"],
                a["live"],
                a["trip"],
            )
            assert row["eta"] % ETA_STEP_MS == 0 and abs(row["eta"] - a["eta"]) <= ETA_STEP_MS / 2
    assert data["stops"]["D"][0]["live"]  # the late bus, predicted from its reports


def test_a_glance_keeps_at_most_three_rows_and_leaves_out_unknown_stops() -> None:
    rows = [
        {
            "route": "7",
            "color": "#123456",
            "headsign": "X",
            "eta": 60_000 * i + 14_999,
            "live": i == 0,
            "trip": f"T{i}",
        }
        for i in range(5)
    ]
    part = orjson.loads(encode_glance_stop(rows))
    assert [r["eta"] for r in part] == [0, 60_000, 120_000]  # the half minute nearest
    assert part[0] == {
        "route": "7",
        "color": "#123456",
        "headsign": "X",
        "eta": 0,
        "live": True,
        "trip": "T0",
    }
    boards = Boards(context([], "09:50:00"), {})
    _, frame = boards.glance(("A", "NOPE"))
    assert list(_glance(frame)["stops"]) == ["A"]
    with pytest.raises(LookupError):
        boards.glance(("NOPE",))


def test_a_stops_rows_are_computed_once_per_tick_for_every_board_and_client() -> None:
    t = line_trip(TIGHT)
    boards = Boards(context([report(t, "10:05:00", *between(t, 0, 0.5))], "10:05:00"), {})
    rows = boards.arrival_rows("D")
    assert boards.arrival_rows("D") is rows
    assert boards.payload("glance", "D") is boards.payload("glance", "D")
    # The glance frame of a set of stops is built once, whoever asks.
    assert boards.glance(("C", "D")) is boards.glance(("C", "D"))
    board = arrivals_of(boards, "D")
    assert board["arrivals"] == rows  # the arrivals board shows the same rows
    # A glance with no bus coming at a stop: an empty list for it.
    assert orjson.loads(encode_glance_stop([])) == []


def test_a_ticks_boards_are_freed_as_soon_as_the_next_replaces_them() -> None:
    # The server turns automatic garbage collection off (bustrack/web/collector.py): boards
    # in a reference cycle would stay until a full collection, every tick's (it happened:
    # the ingest fuzz's server grew by 63 MB instead of 10-20).
    t = line_trip(TIGHT)
    boards = Boards(context([report(t, "10:05:00", *between(t, 0, 0.5))], "10:05:00"), {})
    boards.glance(("C", "D"))
    boards.frame("arrivals", "D")
    boards.frame("vehicle", t.trip_id)
    gone = weakref.ref(boards)
    gc.disable()
    try:
        del boards
        assert gone() is None, gc.get_referrers(gone())
    finally:
        gc.enable()


def arrivals_of(boards: Boards, stop: str) -> dict:  # type: ignore[type-arg]
    frame = boards.frame("arrivals", stop)
    data: dict = orjson.loads(frame[frame.index(b"{") :])  # type: ignore[type-arg]
    return data
