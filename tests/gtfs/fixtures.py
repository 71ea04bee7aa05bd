"""The GTFS fixture feeds under ``tests/fixtures/gtfs/``, read into memory for tests."""

from __future__ import annotations

from pathlib import Path

from bustrack.gtfs import Feed, build_feed

__all__ = ["FIXTURES", "build", "files"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gtfs"


def files(name: str) -> dict[str, bytes]:
    """Return file name to bytes for the fixture feed ``name``."""
    folder = FIXTURES / name
    assert folder.is_dir(), f"no fixture feed {name}"
    return {path.name: path.read_bytes() for path in folder.glob("*.txt")}


def build(name: str, **replace: str | None) -> Feed:
    """Build fixture ``name``, with some files replaced (``stops_txt="..."``) or removed (None)."""
    found = files(name)
    for key, text in replace.items():
        file = key.replace("_txt", ".txt")
        if text is None:
            found.pop(file, None)
        else:
            found[file] = text.encode()
    return build_feed(found)
