import ast
import dataclasses
import datetime as dt
import inspect
from pathlib import Path

import pytest

from bustrack.gtfs.model import Frequency, Stop, Trip
from bustrack.live import predictions
from bustrack.live.predictions import Arrival, Predictor, PredictorConfig
from bustrack.sources.simulation import Timetable, Vehicle, locate_vehicles, true_stop_times
from bustrack.sources.traffic import TrafficModel, Zone
from tests.feeds import STOPS, at, hms, make_feed, make_trip

DAY = dt.date(2026, 11, 27)
LINE = {
    **STOPS,
    "D": Stop("D", "Delta", 18.95, 72.83),
    "E": Stop("E", "Echo", 18.95, 72.84),
}
FIVE = ("A", "B", "C", "D", "E")
# 4 min between stops, 10 s dwells: no slack to speak of.
TIGHT = [
    ("10:00:00", "10:00:00"),
    ("10:04:00", "10:04:10"),
    ("10:08:10", "10:08:20"),
    ("10:12:20", "10:12:30"),
    ("10:16:30", "10:16:30"),
]
# The same, with a 2-min layover at B.
LAYOVER = [
    ("10:00:00", "10:00:00"),
    ("10:04:00", "10:06:00"),
    ("10:10:00", "10:10:10"),
    ("10:14:10", "10:14:20"),
    ("10:18:20", "10:18:20"),
]


def line_trip(times: list[tuple[str, str]], trip_id: str = "T1") -> Trip:
    return make_trip(trip_id, times, FIVE, stops=LINE)


def predictor(*trips: Trip, config: PredictorConfig | None = None, **kw) -> Predictor:  # type: ignore[no-untyped-def]
    return Predictor(make_feed(list(trips), stops=LINE, **kw), config)


def ts(time_of_day: str) -> float:
    return at(DAY, time_of_day).timestamp()


def report(trip: Trip, when: str, distance: float, next_stop: int, run_start: str = "") -> Vehicle:
    """What an AVL unit on ``trip`` sends at ``when`` (service time)."""
    start = hms(run_start) if run_start else trip.start
    vid = f"{trip.trip_id}@{start}" if run_start else trip.trip_id
    return Vehicle(
        vid, trip.trip_id, trip.route_id, trip.headsign, 0.0, 0.0, 0.0, distance, next_stop,
        service_day=DAY, run_start=start, timestamp=ts(when),
    )  # fmt: skip


def between(trip: Trip, k: int, f: float) -> tuple[float, int]:
    """Distance ``f`` of the way from stop ``k`` to stop ``k + 1``, and the next stop."""
    d = trip.distances
    return d[k] + f * (d[k + 1] - d[k]), k + 1


def observe(p: Predictor, when: str, *vehicles: Vehicle) -> None:
    p.observe(list(vehicles), ts(when))


def late_by(p: Predictor, vehicle_id: str) -> dict[str, float]:
    return {e.stop_id: e.eta_ts - e.scheduled_ts for e in p.predict(vehicle_id)}


def test_a_bus_on_time_is_predicted_on_time() -> None:
    t = line_trip(TIGHT)
    p = predictor(t)
    observe(p, "10:02:00", report(t, "10:02:00", *between(t, 0, 0.5)))
    etas = p.predict("T1")
    assert [e.stop_id for e in etas] == ["B", "C", "D", "E"]
    for e in etas:
        assert e.eta_ts == pytest.approx(e.scheduled_ts, abs=1.0)
    assert p.deviation("T1") == pytest.approx(0.0, abs=1.0)


def test_a_late_bus_stays_late_at_every_stop_ahead() -> None:
    t = line_trip(TIGHT)
    p = predictor(t)
    # At 10:05 the bus is where it should have been at 10:02: 3 min late.
    observe(p, "10:05:00", report(t, "10:05:00", *between(t, 0, 0.5)))
    assert p.deviation("T1") == pytest.approx(180.0, abs=1.0)
    late = late_by(p, "T1")
    for stop in "BCDE":
        assert late[stop] == pytest.approx(180.0, abs=15.0)
    # It cannot be sooner than on time at each stop, and the spread grows further ahead.
    sigmas = [e.uncertainty_s for e in p.predict("T1")]
    assert sigmas == sorted(sigmas) and sigmas[-1] > sigmas[0]


def test_slack_in_the_timetable_absorbs_delay() -> None:
    t = line_trip(LAYOVER)
    p = predictor(t)
    observe(p, "10:05:00", report(t, "10:05:00", *between(t, 0, 0.5)))  # 3 min late
    late = late_by(p, "T1")
    assert late["B"] == pytest.approx(180.0, abs=15.0)
    # The 2-min layover at B absorbs all but a minute (plus its boarding time) of the delay...
    assert 60.0 <= late["C"] <= 90.0
    # ...and the rest is carried on.
    assert late["D"] == pytest.approx(late["C"], abs=15.0)
    assert late["E"] == pytest.approx(late["C"], abs=15.0)


def test_an_early_bus_waits_at_its_scheduled_departure() -> None:
    t = line_trip(LAYOVER)
    p = predictor(t)
    observe(p, "10:01:00", report(t, "10:01:00", *between(t, 0, 0.5)))  # 1 min early
    late = late_by(p, "T1")
    assert late["B"] == pytest.approx(-60.0, abs=15.0)
    assert late["C"] == pytest.approx(0.0, abs=1.0)


def test_a_bus_crawling_along_its_segment_is_expected_to_keep_crawling() -> None:
    t = line_trip(TIGHT)
    p = predictor(t)
    observe(p, "10:00:00", report(t, "10:00:00", t.distances[0], 0))  # leaves A on time
    observe(p, "10:04:00", report(t, "10:04:00", *between(t, 0, 0.5)))  # half way in 4 min
    assert p.deviation("T1") == pytest.approx(120.0, abs=1.0)
    # Carried forward, the delay would say 10:06 at B; the crawl so far says later.
    assert p.predict("T1")[0].eta_ts > ts("10:06:30")


def test_without_the_slack_rule_delay_would_be_carried_unchanged() -> None:
    # The same report on the tight timetable keeps 3 min at C: the layover made the difference.
    t = line_trip(TIGHT)
    p = predictor(t)
    observe(p, "10:05:00", report(t, "10:05:00", *between(t, 0, 0.5)))
    assert late_by(p, "T1")["C"] > 150.0


def drive(p: Predictor, t: Trip, run_start: str, paces: list[float], until: float) -> None:
    """Report a run every 5 s, each segment taking ``pace`` times its scheduled time."""
    start = hms(run_start)
    shift = start - t.start
    # The run's actual times: on time at its first stop, dwelling as scheduled.
    arr = [float(t.arrivals[0] + shift)]
    dep = [float(t.departures[0] + shift)]
    for k, pace in enumerate(paces):
        arr.append(dep[k] + pace * (t.arrivals[k + 1] - t.departures[k]))
        dep.append(arr[-1] + (t.departures[k + 1] - t.arrivals[k + 1]))
    clock = dep[0]
    while clock <= min(until, arr[-1]):
        k = max(i for i in range(len(dep)) if dep[i] <= clock) if clock >= dep[0] else 0
        if k == len(dep) - 1 or clock < arr[k + 1]:
            f = (clock - dep[k]) / (arr[k + 1] - dep[k]) if k < len(dep) - 1 else 1.0
            d, n = between(t, k, f) if k < len(dep) - 1 else (t.distances[-1], k)
        else:
            d, n = t.distances[k + 1], k + 1
        moment = at(DAY, "00:00:00") + dt.timedelta(seconds=clock)
        v = report(t, "00:00:00", d, n, run_start)
        p.observe([dataclasses.replace(v, timestamp=moment.timestamp())], moment.timestamp())
        clock += 5.0


def test_a_slow_segment_seen_on_the_previous_bus_delays_the_next() -> None:
    t = line_trip(TIGHT)
    freq = {"T1": (Frequency("T1", hms("10:00:00"), hms("11:00:00"), 600),)}
    learnt = predictor(t, frequencies=freq)
    fresh = predictor(t, frequencies=freq)
    # The 10:00 bus takes twice its time from C to D (a jam), the rest on time.
    drive(learnt, t, "10:00:00", [1.0, 1.0, 2.0, 1.0], until=hms("10:21:00"))
    # The 10:10 bus has just left A, on time; both predictors see only it.
    v = report(t, "10:10:30", *between(t, 0, 0.1), run_start="10:10:00")
    for p in (learnt, fresh):
        p.observe([v], ts("10:10:30"))
    before = {e.stop_id: e.eta_ts for e in fresh.predict(v.vehicle_id)}
    after = {e.stop_id: e.eta_ts for e in learnt.predict(v.vehicle_id)}
    # Segment C->D (240 s scheduled) took 240 s more: most of it is expected again...
    jam = (after["D"] - after["C"]) - (before["D"] - before["C"])
    assert 0.5 * 240 < jam <= 240
    # ...and much less of it on the segments that were on time.
    for a, b in (("B", "C"), ("D", "E")):
        assert (after[b] - after[a]) - (before[b] - before[a]) < 0.5 * jam


def test_a_stop_with_no_bus_coming_shows_scheduled_times() -> None:
    t = line_trip(TIGHT)
    freq = {"T1": (Frequency("T1", hms("10:00:00"), hms("12:00:00"), 900),)}
    p = predictor(t, frequencies=freq)
    p.observe([], ts("10:20:00"))
    board = p.arrivals_at("C", ts("10:20:00"), limit=3)
    # 10:15 + 8:10 = 10:23:10, then every 15 min. (The 10:00 run is overdue by more than
    # max_wait_s at its start, so presumed gone; the 10:15 run is 5 min late to start.)
    assert [a.live for a in board] == [False, False, False]
    assert [a.vehicle_id for a in board] == [None, None, None]
    assert [a.scheduled_ts for a in board] == [ts("10:23:10"), ts("10:38:10"), ts("10:53:10")]
    assert board[0].eta_ts == ts("10:28:10")  # if it left A now, the soonest it can come
    assert board[1].eta_ts == board[1].scheduled_ts
    assert board[0].run_start == hms("10:15:00") and board[0].service_day == DAY


def test_a_live_bus_replaces_its_scheduled_run_on_the_board() -> None:
    t = line_trip(TIGHT)
    freq = {"T1": (Frequency("T1", hms("10:00:00"), hms("12:00:00"), 900),)}
    p = predictor(t, frequencies=freq)
    late = report(t, "10:22:00", *between(t, 0, 0.5), run_start="10:15:00")  # 5 min late
    passed = report(t, "10:22:00", *between(t, 2, 0.5), run_start="10:00:00")  # past C
    p.observe([late, passed], ts("10:22:00"))
    board = p.arrivals_at("C", ts("10:22:00"), limit=2)
    assert board[0].live and board[0].vehicle_id == late.vehicle_id
    assert board[0].eta_ts == pytest.approx(ts("10:28:10"), abs=20.0)
    assert board[0].uncertainty_s > 0
    assert not board[1].live and board[1].run_start == hms("10:30:00")
    assert all(a.run_start != hms("10:00:00") for a in p.arrivals_at("C", ts("10:22:00")))


def test_a_finished_run_does_not_come_back_as_scheduled() -> None:
    t = line_trip(TIGHT)
    freq = {"T1": (Frequency("T1", hms("10:00:00"), hms("12:00:00"), 900),)}
    p = predictor(t, frequencies=freq, config=PredictorConfig(max_wait_s=3600))
    late = report(t, "10:22:00", *between(t, 0, 0.5), run_start="10:15:00")
    p.observe([late], ts("10:22:00"))
    p.observe([], ts("10:40:00"))  # it has finished
    assert p.vehicles() == []
    board = p.arrivals_at("C", ts("10:40:00"))
    starts = [a.run_start for a in board]
    # The 10:00 run was never seen: overdue, but still awaited (max_wait_s is an hour).
    assert hms("10:00:00") in starts and hms("10:30:00") in starts
    assert hms("10:15:00") not in starts


def test_the_board_is_sorted_limited_and_windowed() -> None:
    trips = [line_trip(TIGHT, f"T{i}") for i in range(1, 4)]
    freq = {
        f"T{i}": (Frequency(f"T{i}", hms("10:00:00") + 120 * i, hms("13:00:00"), 600),)
        for i in range(1, 4)
    }
    p = predictor(*trips, frequencies=freq)
    board = p.arrivals_at("B", ts("10:00:00"), limit=5, within_s=1800)
    assert len(board) == 5
    assert [a.eta_ts for a in board] == sorted(a.eta_ts for a in board)
    assert all(isinstance(a, Arrival) for a in board)
    assert all(a.eta_ts <= ts("10:30:00") for a in p.arrivals_at("B", ts("10:00:00"), 100, 1800))


def test_predictions_beat_the_timetable_on_a_simulated_line() -> None:
    # A line every 4 min through a slow zone, with late starts: the predictor, fed only
    # the simulator's reports, must do far better than the timetable 5 min ahead.
    t = line_trip(TIGHT)
    freq = {"T1": (Frequency("T1", hms("07:00:00"), hms("10:00:00"), 240),)}
    feed = make_feed([t], frequencies=freq, stops=LINE)
    zone = Zone("cd", 18.95, 72.824, 18.95, 72.826, 200.0, 1.0)
    tt = Timetable(feed, traffic=TrafficModel(zones=(zone,)))
    p = Predictor(feed)
    errors: dict[str, list[float]] = {"schedule": [], "predictor": []}
    within_sigma = []
    for second in range(hms("07:00:00"), hms("10:00:00"), 5):
        moment = at(DAY, "00:00:00") + dt.timedelta(seconds=second)
        vehicles = locate_vehicles(tt, moment)
        p.observe(vehicles, moment.timestamp())
        if second % 60 or second < hms("07:30:00"):
            continue
        for v in vehicles:
            truth = true_stop_times(tt, v.trip_id, DAY, v.run_start)
            for e in p.predict(v.vehicle_id):
                actual = at(DAY, "00:00:00").timestamp() + truth.arrivals[e.stop_index]
                horizon = actual - moment.timestamp()
                if 240 <= horizon <= 360:
                    errors["schedule"].append(abs(e.scheduled_ts - actual))
                    errors["predictor"].append(abs(e.eta_ts - actual))
                if 60 <= horizon <= 900:
                    within_sigma.append(abs(e.eta_ts - actual) <= e.uncertainty_s)
    mae = {k: sum(v) / len(v) for k, v in errors.items()}
    assert len(errors["predictor"]) > 100
    assert mae["predictor"] < 0.3 * mae["schedule"]
    assert mae["predictor"] < 40.0
    # One sigma is one sigma: about two predictions in three fall within it.
    assert 0.55 < sum(within_sigma) / len(within_sigma) < 0.75


def test_the_predictor_cannot_see_the_truth() -> None:
    # None of its modules imports the simulator or the traffic model...
    modules = sorted(Path(predictions.__file__).parent.glob("*.py"))
    assert len(modules) > 1  # the package's modules, not only its __init__
    imported = set()
    for module in modules:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
    outside = {m for m in imported if m.startswith("bustrack") and m != "bustrack.live.predictions"}
    assert {m for m in outside if not m.startswith("bustrack.live.predictions.")} <= {
        "bustrack.gtfs.model",
        "bustrack.gtfs.service",
    }
    # ...and learns only from the schedule and the reports it is fed.
    assert list(inspect.signature(Predictor).parameters) == ["feed", "config"]
    assert list(inspect.signature(Predictor.observe).parameters) == ["self", "vehicles", "now_ts"]


def test_finished_buses_are_forgotten() -> None:
    t = line_trip(TIGHT)
    p = predictor(t)
    observe(p, "10:02:00", report(t, "10:02:00", *between(t, 0, 0.5)))
    assert p.vehicles() == ["T1"]
    observe(p, "10:20:00")
    assert p.vehicles() == []
    assert p.predict("T1") == []
    assert p.deviation("T1") is None
