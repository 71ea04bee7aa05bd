import dataclasses
import datetime as dt
import itertools
import statistics

import pytest

from bustrack.gtfs.model import Frequency, Stop
from bustrack.sources.simulation import Timetable, locate_vehicles, true_stop_times
from bustrack.sources.traffic import (
    MAX_BOARDING_S,
    Traffic,
    TrafficModel,
    Zone,
    default_zones,
)
from tests.feeds import STOPS, at, hms, make_feed, make_trip

DAY = dt.date(2026, 11, 27)

# Five stops due east along 18.95 N, about 1 km apart.
LINE = {
    **STOPS,
    "D": Stop("D", "Delta", 18.95, 72.83),
    "E": Stop("E", "Echo", 18.95, 72.84),
}
FIVE = ("A", "B", "C", "D", "E")
TIMES = [
    ("10:00:00", "10:00:00"),
    ("10:04:00", "10:04:20"),
    ("10:08:20", "10:08:40"),
    ("10:12:40", "10:13:00"),
    ("10:17:00", "10:17:00"),
]
# A slow zone around the segment from C to D only.
CD_ZONE = Zone("cd", 18.95, 72.824, 18.95, 72.826, 200.0, 1.0)


def trip(trip_id: str = "T1", route_id: str = "R1"):  # type: ignore[no-untyped-def]
    return make_trip(trip_id, TIMES, FIVE, stops=LINE, route_id=route_id)


def traffic(model: TrafficModel, *trips) -> Traffic:  # type: ignore[no-untyped-def]
    return Traffic(make_feed(list(trips) or [trip()], stops=LINE), model)


def runs(model: TrafficModel, starts: list[str], day: dt.date = DAY):  # type: ignore[no-untyped-def]
    t = trip()
    tr = traffic(model, t)
    return [tr.run_times(t, day, hms(s)) for s in starts]


def test_the_same_run_always_gets_the_same_times() -> None:
    model = TrafficModel(zones=(CD_ZONE,))
    t = trip()
    a = traffic(model, t).run_times(t, DAY, hms("10:00:00"))
    # A fresh Traffic (empty memo), asked after other runs, gives the very same times.
    other = traffic(model, t)
    other.run_times(t, DAY, hms("09:00:00"))
    b = other.run_times(t, DAY, hms("10:00:00"))
    assert (list(a.arrivals), list(a.departures)) == (list(b.arrivals), list(b.departures))


def test_runs_differ_by_start_date_and_seed() -> None:
    base = runs(TrafficModel(), ["10:00:00"])[0].arrivals
    assert runs(TrafficModel(), ["10:15:00"])[0].arrivals != base
    assert runs(TrafficModel(), ["10:00:00"], DAY + dt.timedelta(days=1))[0].arrivals != base
    assert runs(TrafficModel(seed=2), ["10:00:00"])[0].arrivals != base


def test_start_delays_are_skewed_between_zero_and_the_maximum() -> None:
    model = TrafficModel(max_start_delay_s=480.0)
    starts = [f"{h:02d}:{m:02d}:00" for h in range(6, 22) for m in range(0, 60, 5)]
    delays = [r.start_delay for r in runs(model, starts)]
    assert all(0.0 <= d <= 480.0 for d in delays)
    # Skewed: most runs are only a little late, a few very late.
    assert statistics.median(delays) < statistics.mean(delays) < 240.0
    assert max(delays) > 360.0
    for r, s in zip(runs(model, starts[:5]), starts[:5], strict=True):
        assert r.departures[0] == pytest.approx(hms(s) + r.start_delay)


def test_times_are_ordered_and_no_bus_leaves_early() -> None:
    sched = trip()
    starts = ["07:00:00", "09:45:00", "13:00:00"]
    for r, s in zip(runs(TrafficModel(), starts), starts, strict=True):
        shift = hms(s) - sched.start
        for k in range(len(FIVE)):
            assert r.arrivals[k] <= r.departures[k]
            assert r.departures[k] >= sched.departures[k] + shift  # held until due
            if k:
                assert r.arrivals[k] > r.departures[k - 1]
                assert r.departures[k] - r.arrivals[k] <= MAX_BOARDING_S


def test_an_early_bus_waits_for_its_scheduled_departure() -> None:
    fast = TrafficModel(free_flow=0.6, peaks=()).without_noise()
    sched = trip()
    held = runs(fast, ["10:00:00"])[0]
    assert held.arrivals[1] < sched.arrivals[1]  # early at B...
    assert list(held.departures[:4]) == [
        float(d) for d in sched.departures[:4]
    ]  # ...leaves on time
    free = runs(dataclasses.replace(fast, hold=False), ["10:00:00"])[0]
    assert free.departures[1] < sched.departures[1]
    assert free.arrivals[-1] < held.arrivals[-1]


def test_peaks_slow_every_run() -> None:
    quiet = TrafficModel().without_noise()
    dawn, peak = runs(quiet, ["06:00:00", "09:30:00"])
    dawn_run = dawn.arrivals[-1] - dawn.departures[0]
    peak_run = peak.arrivals[-1] - peak.departures[0]
    assert peak_run > 1.2 * dawn_run


def test_a_slow_zone_slows_every_bus_on_it_and_only_there() -> None:
    model = TrafficModel(zones=(CD_ZONE,)).without_noise()
    t1, t2 = trip("T1", "R1"), trip("T2", "R2")
    tr = traffic(model, t1, t2)
    for t in (t1, t2):
        times = tr.run_times(t, DAY, hms("10:00:00"))
        pace = [
            (times.arrivals[k + 1] - times.departures[k]) / (t.arrivals[k + 1] - t.departures[k])
            for k in range(4)
        ]
        # C->D (segment 2) is in the zone; the others are not.
        assert pace[2] > 1.3 * max(pace[0], pace[1], pace[3])
    without = traffic(TrafficModel().without_noise(), t1).run_times(t1, DAY, hms("10:00:00"))
    with_zone = tr.run_times(t1, DAY, hms("10:00:00"))
    assert with_zone.arrivals[2] == pytest.approx(without.arrivals[2])  # A->C unaffected
    assert with_zone.arrivals[3] > without.arrivals[3] + 60


def test_a_zone_varies_smoothly_through_the_day() -> None:
    model = TrafficModel(zones=(CD_ZONE,)).without_noise()
    t = trip()
    tr = traffic(model, t)
    factors = [tr.segment_factor(t, 2, DAY, s) for s in range(hms("06:00:00"), hms("22:00:00"), 60)]
    steps = [abs(b - a) for a, b in itertools.pairwise(factors)]
    assert max(steps) < 0.05  # a minute later it is nearly the same...
    assert max(factors) - min(factors) > 0.5  # ...but over the day it changes a lot


def test_dwell_times_depend_on_the_stop() -> None:
    model = TrafficModel(stop_sigma=0.8)
    starts = [f"{h:02d}:{m:02d}:00" for h in (6, 7, 13, 14) for m in range(0, 60, 6)]
    dwells = {s: [] for s in "BCD"}  # type: ignore[var-annotated]
    for r in runs(dataclasses.replace(model, hold=False), starts):
        for k, s in enumerate("BCD", start=1):
            dwells[s].append(r.departures[k] - r.arrivals[k])
    tr = traffic(model)
    by_busyness = sorted("BCD", key=tr.busyness)
    by_dwell = sorted("BCD", key=lambda s: statistics.mean(dwells[s]))
    assert by_dwell == by_busyness
    assert statistics.mean(dwells[by_dwell[-1]]) > 1.5 * statistics.mean(dwells[by_dwell[0]])


def test_default_zones_are_deterministic_and_spread_out() -> None:
    stops = {
        f"S{i}": Stop(f"S{i}", f"Stop {i}", 18.90 + 0.01 * (i // 10), 72.80 + 0.01 * (i % 10))
        for i in range(100)
    }
    trips = [
        make_trip(
            f"T{r}",
            [("10:00:00", "10:00:00")] * 10,
            tuple(f"S{r * 10 + c}" for c in range(10)),
            stops=stops,
        )
        for r in range(10)
    ]
    feed = make_feed(trips, stops=stops)
    zones = default_zones(feed, seed=3, count=4)
    assert zones == default_zones(feed, seed=3, count=4)
    assert zones != default_zones(feed, seed=4, count=4)
    assert len(zones) == 4
    for i, a in enumerate(zones):
        for b in zones[i + 1 :]:
            assert a.weight(b.lat1, b.lon1) == 0.0 or a.radius_m > 1000  # 3 km apart


def test_simulated_buses_move_on_their_actual_times() -> None:
    model = TrafficModel(zones=(CD_ZONE,))
    freq = {"T1": (Frequency("T1", hms("09:00:00"), hms("11:00:00"), 600),)}
    tt = Timetable(make_feed([trip()], frequencies=freq, stops=LINE), traffic=model)
    start = hms("10:00:00")
    truth = true_stop_times(tt, "T1", DAY, start)
    assert truth.start_delay > 0
    vid = f"T1@{start}"

    def where(seconds: float):  # type: ignore[no-untyped-def]
        moment = at(DAY, "00:00:00") + dt.timedelta(seconds=seconds)
        return {v.vehicle_id: v for v in locate_vehicles(tt, moment)}.get(vid)

    assert where(start + 1) is None or truth.start_delay < 1  # not yet left
    v = where(truth.departures[0] + 1)
    assert v is not None and v.next_stop == 1 and v.run_start == start and v.service_day == DAY
    mid = (truth.arrivals[2] + truth.departures[2]) / 2
    v = where(mid)
    assert v is not None and (v.lat, v.lon) == pytest.approx((LINE["C"].lat, LINE["C"].lon))
    assert v.timestamp == pytest.approx(at(DAY, "00:00:00").timestamp() + mid)
    assert where(truth.arrivals[-1] + 1) is None  # arrived: gone


def test_without_traffic_the_truth_is_the_timetable() -> None:
    tt = Timetable(make_feed([trip()], stops=LINE))
    truth = true_stop_times(tt, "T1", DAY, hms("10:00:00"))
    assert list(truth.arrivals) == [float(a) for a in trip().arrivals]
    assert truth.start_delay == 0.0
