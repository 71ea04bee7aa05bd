import orjson

from bustrack.fleet import Fleet


def test_first_advance_sends_everything_then_only_changes() -> None:
    fleet = Fleet()
    first = orjson.loads(fleet.advance({"a": {"id": "a", "lat": 1}}, 1000, {"mode": "live"}))
    assert first["vehicles"] == [{"id": "a", "lat": 1}]
    second = orjson.loads(
        fleet.advance({"a": {"id": "a", "lat": 1}, "b": {"id": "b", "lat": 2}}, 2000, {})
    )
    assert second == {
        "type": "update",
        "ts": 2000,
        "vehicles": [{"id": "b", "lat": 2}],
        "remove": [],
    }
    third = orjson.loads(fleet.advance({"b": {"id": "b", "lat": 3}}, 3000, {}))
    assert third["vehicles"] == [{"id": "b", "lat": 3}]
    assert third["remove"] == ["a"]


def test_snapshot_is_built_once_per_tick_and_follows_the_state() -> None:
    fleet = Fleet()
    fleet.advance({"a": {"id": "a"}}, 1000, {"mode": "live"})
    snap = fleet.snapshot()
    assert fleet.snapshot() is snap
    assert fleet.snapshot_frame() is fleet.snapshot_frame()
    assert fleet.snapshot_frame().endswith(snap)
    fleet.advance({"b": {"id": "b"}}, 2000, {"mode": "live"})
    decoded = orjson.loads(fleet.snapshot())
    assert decoded["ts"] == 2000
    assert decoded["vehicles"] == [{"id": "b"}]
