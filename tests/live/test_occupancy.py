from __future__ import annotations

from bustrack.live.occupancy import simulated_load, status_of_load


def test_peak_hours_are_fuller_than_midday_and_night() -> None:
    for vid in ("A@1", "B@2", "C@3"):
        peak = simulated_load(vid, 9.0, 0.5)
        assert peak > simulated_load(vid, 13.5, 0.5) > simulated_load(vid, 2.0, 0.5)
        assert simulated_load(vid, 18.5, 0.5) > simulated_load(vid, 13.5, 0.5)


def test_the_middle_of_a_route_is_fuller_than_its_ends() -> None:
    assert simulated_load("A@1", 9.0, 0.5) > simulated_load("A@1", 9.0, 0.02)
    assert simulated_load("A@1", 9.0, 0.5) > simulated_load("A@1", 9.0, 0.98)


def test_deterministic_and_different_between_runs() -> None:
    assert simulated_load("A@1", 9.0, 0.5) == simulated_load("A@1", 9.0, 0.5)
    loads = {round(simulated_load(f"R@{i}", 9.0, 0.5), 3) for i in range(50)}
    assert len(loads) > 40


def test_statuses_cover_every_load() -> None:
    assert status_of_load(0.0) == "EMPTY"
    assert status_of_load(0.3) == "MANY_SEATS_AVAILABLE"
    assert status_of_load(0.7) == "FEW_SEATS_AVAILABLE"
    assert status_of_load(1.0) == "STANDING_ROOM_ONLY"
    assert status_of_load(1.2) == "CRUSHED_STANDING_ROOM_ONLY"
    assert status_of_load(5.0) == "FULL"
    # At the morning peak mid-route, a city's buses span several statuses.
    statuses = {status_of_load(simulated_load(f"R@{i}", 9.0, 0.5)) for i in range(200)}
    assert len(statuses) >= 2
