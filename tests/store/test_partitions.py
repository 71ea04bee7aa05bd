"""Day partitions of the PostgreSQL store: pure logic, no server."""

from __future__ import annotations

from bustrack.store.partitions import DAY_MS, Partition, parse, partition_for, to_drop

DAY0 = 1_799_971_200_000  # 2027-01-15 00:00 UTC, in ms


def test_a_report_goes_to_its_utc_day() -> None:
    assert partition_for(DAY0) == Partition("reports_d20270115", DAY0, DAY0 + DAY_MS)
    assert partition_for(DAY0 + DAY_MS - 1).name == "reports_d20270115"
    assert partition_for(DAY0 - 1).name == "reports_d20270114"


def test_names_parse_back_and_others_are_ignored() -> None:
    assert parse("reports_d20270115") == partition_for(DAY0)
    for other in ("reports", "reports_d2027011", "reports_d20271315", "x_d20270115"):
        assert parse(other) is None


def test_only_days_that_end_before_the_cut_are_dropped() -> None:
    names = ["reports_d20270116", "reports_d20270114", "reports_d20270115", "devices"]
    assert [p.name for p in to_drop(names, DAY0 + 5)] == ["reports_d20270114"]
    assert [p.name for p in to_drop(names, DAY0 + DAY_MS)] == [
        "reports_d20270114", "reports_d20270115",
    ]  # fmt: skip
    assert to_drop(names, DAY0 - DAY_MS) == []
