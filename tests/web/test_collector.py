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
