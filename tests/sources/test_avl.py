import datetime as dt

import pytest

from bustrack.sources.avl import DropoutModel, silence

DAY = dt.date(2026, 11, 27)


def test_silence_is_fixed_by_the_run_and_the_seed() -> None:
    model = DropoutModel(rate=0.5)
    a = [silence(model, f"T{i}", DAY, 3600, 0.0, 3000.0) for i in range(200)]
    b = [silence(model, f"T{i}", DAY, 3600, 0.0, 3000.0) for i in range(200)]
    assert a == b
    other_seed = [silence(DropoutModel(seed=2, rate=0.5), f"T{i}", DAY, 3600, 0.0, 3000.0)
                  for i in range(200)]  # fmt: skip
    assert other_seed != a


def test_rate_and_bounds() -> None:
    model = DropoutModel(rate=0.1, min_s=30.0, max_s=420.0)
    gaps = [silence(model, "T", DAY, start, 100.0, 2100.0) for start in range(0, 86400, 30)]
    found = [g for g in gaps if g is not None]
    assert len(found) / len(gaps) == pytest.approx(0.1, abs=0.02)
    for begin, end in found:
        assert 100.0 <= begin <= 2100.0
        assert 30.0 <= end - begin <= 420.0


def test_no_silence_at_rate_zero_or_for_an_empty_run() -> None:
    assert silence(DropoutModel(rate=0.0), "T", DAY, 0, 0.0, 100.0) is None
    assert silence(DropoutModel(rate=1.0), "T", DAY, 0, 100.0, 100.0) is None
