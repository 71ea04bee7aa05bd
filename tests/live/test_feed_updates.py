"""Blending other producers' predictions with ours (bustrack/live/feed_updates.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bustrack.live.feed_updates import FEED_SD_S, MAX_AGE_S, FeedUpdates
from bustrack.live.predictions import Arrival, Eta
from bustrack.sources.simulation import Vehicle
from bustrack.sources.trip_updates_in import FeedTrip

DAY = dt.date(2026, 6, 16)
NOW = 1_800_000_000.0
SHIFT = 1000.0  # real = simulated + SHIFT
OURS = Arrival("T1", "T1", "R1", "To C", 1, DAY, 32400, NOW + 300, FEED_SD_S, True, NOW + 240)


def _updates(times: dict[int, float], **more: object) -> FeedUpdates:
    u = FeedUpdates()
    u.replace("feed", [FeedTrip("T1", DAY, -1, NOW + SHIFT, times, **more)], NOW + SHIFT)  # type: ignore[arg-type]
    return u


def test_two_equally_sure_estimates_meet_halfway_and_narrow() -> None:
    theirs = NOW + 420 + SHIFT  # 2 minutes later than ours, in real time
    # At 420 s ahead the feed's spread is 60 + 42 s; ours is made as wide, for the test.
    ours = dataclasses.replace(OURS, eta_ts=NOW + 300, uncertainty_s=FEED_SD_S + 42)
    got = _updates({1: theirs}).blend(ours, NOW, SHIFT)
    assert got is not None and got.live
    assert abs(got.eta_ts - (NOW + 360)) < 1
    assert got.uncertainty_s < ours.uncertainty_s


def test_a_run_we_do_not_see_takes_the_feeds_time_and_is_live() -> None:
    scheduled = dataclasses.replace(OURS, vehicle_id=None, live=False, uncertainty_s=0.0)
    got = _updates({1: NOW + 500 + SHIFT}).blend(scheduled, NOW, SHIFT)
    assert got is not None and got.live and got.eta_ts == NOW + 500


def test_skipped_stops_and_canceled_runs_leave_the_board() -> None:
    assert _updates({}, skipped=frozenset({1})).blend(OURS, NOW, SHIFT) is None
    assert _updates({}, canceled=True).blend(OURS, NOW, SHIFT) is None


def test_another_run_or_an_old_message_changes_nothing() -> None:
    other_day = dataclasses.replace(OURS, service_day=DAY + dt.timedelta(days=1))
    assert _updates({1: NOW + SHIFT}).blend(other_day, NOW, SHIFT) == other_day
    assert _updates({1: NOW + SHIFT}).blend(OURS, NOW + MAX_AGE_S + 1, SHIFT) == OURS


BUS = Vehicle("T1", "T1", "R1", "To C", 19.0, 72.8, 0.0, 100.0, 1, DAY, 32400, NOW)
AHEAD = [
    Eta(k, f"S{k}", NOW + 100 * k, FEED_SD_S + 10 * k, NOW + 90 * k, NOW + 100 * k + 20)
    for k in (1, 2, 3)
]


def test_a_buss_stops_ahead_blend_as_the_boards_do() -> None:
    u = _updates({1: NOW + 400 + SHIFT, 2: NOW + 500 + SHIFT}, skipped=frozenset({3}))
    got = u.blend_etas(BUS, AHEAD, NOW, SHIFT)
    assert [e.stop_index for e in got] == [1, 2], "the skipped stop goes"
    for e in got:
        on_board = u.blend(
            dataclasses.replace(
                OURS, stop_index=e.stop_index, eta_ts=AHEAD[e.stop_index - 1].eta_ts,
                uncertainty_s=AHEAD[e.stop_index - 1].uncertainty_s,
            ),
            NOW, SHIFT,
        )  # fmt: skip
        assert on_board is not None
        assert (e.eta_ts, e.uncertainty_s) == (on_board.eta_ts, on_board.uncertainty_s)
        assert e.eta_ts > AHEAD[e.stop_index - 1].eta_ts  # the feed says later
        assert e.scheduled_ts == AHEAD[e.stop_index - 1].scheduled_ts


def test_a_canceled_run_has_no_stops_ahead_and_another_run_is_left_alone() -> None:
    assert _updates({}, canceled=True).blend_etas(BUS, AHEAD, NOW, SHIFT) == []
    next_day = dataclasses.replace(BUS, service_day=DAY + dt.timedelta(days=1))
    assert _updates({}, canceled=True).blend_etas(next_day, AHEAD, NOW, SHIFT) == AHEAD
    assert FeedUpdates().blend_etas(BUS, AHEAD, NOW, SHIFT) == AHEAD
