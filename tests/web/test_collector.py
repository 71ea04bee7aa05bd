import gc
from collections.abc import Iterator

import pytest

from bustrack.web.collector import TickCollector


@pytest.fixture
def automatic_gc_off() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_does_nothing_while_the_interpreter_collects_by_itself() -> None:
    assert gc.isenabled()
    assert TickCollector().after_tick() is None


def test_young_generations_every_tick_everything_now_and_then(automatic_gc_off: None) -> None:
    collector = TickCollector(full_every=3)
    assert [collector.after_tick() for _ in range(6)] == [1, 1, 2, 1, 1, 2]


def test_cyclic_garbage_is_collected_after_a_tick(automatic_gc_off: None) -> None:
    class Node:
        other: "Node"

    a, b = Node(), Node()
    a.other, b.other = b, a
    collected_before = sum(s["collected"] for s in gc.get_stats())
    del a, b
    TickCollector(full_every=1).after_tick()
    assert sum(s["collected"] for s in gc.get_stats()) >= collected_before + 2


def test_everything_soon_after_many_clients_left_but_not_every_tick(
    automatic_gc_off: None,
) -> None:
    collector = TickCollector(full_every=30, departed_limit=100, min_gap=3)
    assert collector.after_tick(departed=0) == 1
    assert collector.after_tick(departed=99) == 1  # not enough left
    assert collector.after_tick(departed=100) == 2  # 3 ticks since the last full one
    # Right after a full collection, a storm of departures waits for the gap.
    assert [collector.after_tick(departed=500) for _ in range(4)] == [1, 1, 2, 1]
    assert [collector.after_tick(departed=0) for _ in range(3)] == [1, 1, 1]


def test_departures_count_as_many_only_against_those_that_remain(
    automatic_gc_off: None,
) -> None:
    collector = TickCollector(full_every=30, departed_limit=100, min_gap=1)
    # 500 of 10,500 clients left: ordinary churn, not worth walking 10,000 connections.
    assert collector.after_tick(departed=500, clients=10_000) == 1
    # 6,000 left and 4,500 remain: a mass disconnect.
    assert collector.after_tick(departed=6_000, clients=4_500) == 2
