"""The tick as a pure step (TickEngine): no app, no socket, no machine clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from pytest import approx

from bustrack.live.clock import plan_clock
from bustrack.live.devices import LiveDevices
from bustrack.live.feed_updates import FeedUpdates
from bustrack.live.fleet import Fleet
from bustrack.live.frames import TickFrames
from bustrack.live.predictions import Predictor
from bustrack.live.tick import TickEngine
from bustrack.sources.avl import DropoutModel, silence
from bustrack.sources.report import Report
from bustrack.sources.simulation import Timetable
from bustrack.sources.trip_updates_in import FeedTrip
from bustrack.wire.channels import ALL
from bustrack.wire.protocol import route_infos
from tests.feeds import STOPS, at, hms, make_feed, make_trip

DAY = dt.date(2026, 6, 16)  # a Tuesday, inside the test feed's calendar
# The real moment of the first tick: the afternoon, with the simulation pinned to 09:03.
REAL = at(DAY, "14:00:00").astimezone(dt.UTC)
DROP_AFTER = 120.0
STALE_AFTER = 60.0
PINNED_NOTE = "Simulation pinned to service time 09:03:00 (--start-time)."


def engine(
    source: str = "sim",
    updates: FeedUpdates | None = None,
    dropouts: DropoutModel | None = None,
) -> TickEngine:
    """An engine on two trips: T1 runs 09:00-09:10 (under way at 09:03), T2 at 10:00."""
    t1 = [("09:00:00", "09:00:00"), ("09:05:00", "09:05:30"), ("09:10:00", "09:10:00")]
    t2 = [("10:00:00", "10:00:00"), ("10:05:00", "10:05:30"), ("10:10:00", "10:10:00")]
    feed = make_feed([make_trip("T1", t1), make_trip("T2", t2)])
    timetable = Timetable(feed, dropouts=dropouts)
    return TickEngine(
        timetable=timetable,
        plan=plan_clock(timetable, REAL, "09:03", DAY.isoformat()),
        frames=TickFrames(Fleet()),
        live=LiveDevices(timetable),
        predictor=Predictor(feed),
        routes=route_infos(feed),
        feed=feed,
        source=source,
        drop_after=DROP_AFTER,
        stale_after=STALE_AFTER,
        updates=updates,
    )


def device(name: str, age: float) -> Report:
    """A report from device ``name`` at stop B, taken ``age`` seconds before REAL."""
    return Report(name, REAL.timestamp() - age, STOPS["B"].lat, STOPS["B"].lon)


def payload(frame: bytes) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(frame[frame.index(b"{") :])
    return data


def test_the_buses_running_at_the_pinned_moment_are_in_the_fleet() -> None:
    e = engine()
    tick = e.move_fleet(REAL)
    assert [v.vehicle_id for v in tick.vehicles] == ["T1"]  # T2 has not left yet
    assert list(e.fleet.entries) == ["T1"]
    (t1,) = tick.vehicles
    assert STOPS["A"].lon < t1.lon < STOPS["B"].lon  # between A and B at 09:03
    assert tick.now == at(DAY, "09:03:00").timestamp()
    assert tick.now + tick.shift == REAL.timestamp()
    assert tick.ts_ms == int(REAL.timestamp() * 1000) == e.fleet.ts_ms
    assert tick.before == {}


def test_without_the_simulation_only_the_real_buses_are_shown() -> None:
    e = engine(source="none")
    tick = e.move_fleet(REAL, [device("bus-1", 5)])
    assert [v.vehicle_id for v in tick.vehicles] == ["dev/bus-1"]


def test_a_report_older_than_drop_after_is_dropped_and_a_recent_one_shows() -> None:
    e = engine()
    e.move_fleet(REAL, [device("old", DROP_AFTER + 10), device("new", 5)])
    assert "dev/new" in e.fleet.entries
    assert "dev/old" not in e.fleet.entries
    assert e.live.last_of("old") is None and e.live.last_of("new") is not None


def test_reports_handed_to_the_live_devices_between_ticks_show_too() -> None:
    e = engine()
    e.live.accept(device("bus-2", 3))  # as ingest and the GTFS-realtime polls do
    e.move_fleet(REAL)
    assert set(e.fleet.entries) == {"T1", "dev/bus-2"}


def test_a_simulated_unit_silent_for_longer_than_drop_after_leaves_the_map() -> None:
    model = DropoutModel(rate=1.0, min_s=3600, max_s=3600)  # T1's unit: silent to the end
    gap = silence(model, "T1", DAY, hms("09:00:00"), hms("09:00:00"), hms("09:10:00"))
    assert gap is not None and hms("09:02:00") < gap[0] < hms("09:03:00")
    e = engine(dropouts=model)
    e.move_fleet(REAL)  # 09:03, silent for under a minute: shown, greyed from its last report
    since = REAL.timestamp() - (hms("09:03:00") - gap[0])
    assert e.fleet.entries["T1"].reported == round(since)
    e.move_fleet(REAL + dt.timedelta(seconds=90))  # silent for over DROP_AFTER
    assert "T1" not in e.fleet.entries
    (part,) = payload(e.frames.frame("update", ALL))["parts"]
    assert len(part["l"]) == 1  # it left


def test_a_silent_bus_is_marked_with_its_real_report_time() -> None:
    e = engine()
    e.move_fleet(REAL, [device("quiet", 5), device("fresh", 0.5)])
    entries = e.fleet.entries
    assert entries["dev/quiet"].reported == round(REAL.timestamp() - 5)
    assert entries["dev/fresh"].reported == 0  # reported within the second
    assert entries["T1"].reported == 0  # the simulated unit reports every tick
    snap = payload(e.frames.frame("snapshot", ALL))
    records = {r[1]: r for r in snap["parts"][0]["e"]}
    assert records["dev/quiet"][-1] == round(REAL.timestamp() - 5)


def test_the_clock_record_is_the_pinned_service_time() -> None:
    e = engine()
    e.move_fleet(REAL)
    assert e.fleet.clock == {"service_time": "09:03:00", "mode": "fixed", "note": PINNED_NOTE}
    e.move_fleet(REAL + dt.timedelta(seconds=75))
    assert e.fleet.clock["service_time"] == "09:04:15"


def test_the_boards_are_built_once_the_predictor_has_seen_the_tick() -> None:
    e = engine()
    tick = e.move_fleet(REAL)
    assert e.frames.boards is None  # the fleet's frames go out before any board
    assert e.predictor.vehicles() == []
    boards = e.move_boards(tick)
    assert e.frames.boards is boards
    assert e.predictor.vehicles() == ["T1"]
    board = payload(e.frames.frame("arrivals", "C"))
    assert board["ts"] == tick.ts_ms
    rows = {r["trip"]: r for r in board["arrivals"]}
    assert list(rows) == ["T1", "T2"]
    row = rows["T1"]
    assert row["vehicle"] == "T1" and row["live"] and not row["no_signal"]
    assert rows["T2"]["vehicle"] is None and not rows["T2"]["live"]  # not under way: timetable
    # Real milliseconds: T1 is due at C at 09:10 service time, 14:07 real time.
    assert row["scheduled"] == round((at(DAY, "09:10:00").timestamp() + tick.shift) * 1000)
    bus = payload(e.frames.frame("vehicle", "T1"))
    assert bus["active"] and bus["next_stop"]["id"] == "B" and bus["next_stop"]["eta"]


def test_a_second_step_gives_an_update_after_the_snapshot() -> None:
    e = engine()
    frames = e.step(REAL)
    assert frames is e.frames and frames.boards is not None
    snap = payload(frames.frame("snapshot", ALL))
    assert snap["type"] == "snapshot" and snap["ts"] == int(REAL.timestamp() * 1000)
    (t1,) = snap["parts"][0]["e"]
    n, lon = t1[0], t1[7]
    first_boards = frames.boards
    later = REAL + dt.timedelta(seconds=10)
    frames = e.step(later)
    assert frames.boards is not first_boards
    update = payload(frames.frame("update", ALL))
    assert update["type"] == "update" and update["ts"] == int(later.timestamp() * 1000)
    (part,) = update["parts"]
    ((moved_n, _, moved_lon, _),) = part["m"]
    assert moved_n == n and moved_lon > lon  # T1 moved east, under the same number
    assert "e" not in part or part["e"] == []
    # The next tick knows this one's buses (the boards' speeds come from them).
    before = e.move_fleet(later + dt.timedelta(seconds=1)).before
    assert before["T1"].lon * 1e5 == approx(moved_lon, abs=0.5)


def test_trip_updates_in_reach_the_boards() -> None:
    updates = FeedUpdates()
    canceled = FeedTrip("T1", DAY, -1, REAL.timestamp(), {}, canceled=True)
    updates.replace("https://feed.example/trip-updates", [canceled], REAL.timestamp())
    e = engine(updates=updates)
    e.step(REAL)
    trips = [r["trip"] for r in payload(e.frames.frame("arrivals", "C"))["arrivals"]]
    assert trips == ["T2"]  # T1's run is canceled
    trips = [r["trip"] for r in payload(engine().step(REAL).frame("arrivals", "C"))["arrivals"]]
    assert trips == ["T1", "T2"]
