"""What only the SQLite engine does (tests/store/test_engines.py has what every engine does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bustrack.store import SQLiteStore, StoreError


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"cannot open the database .*b\.db"):
        SQLiteStore(path)
