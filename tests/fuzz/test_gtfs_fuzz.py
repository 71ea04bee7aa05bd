"""The GTFS loader fuzzed with mutated copies of the fixture feeds: whatever the bytes,
``load_feed`` gives a feed or a :class:`FeedError` in the form ``bustrack.gtfs.errors``
documents (``stops.txt line 12: ...``, ``stops.txt: ...``, or ``feed is missing required
file ...``), never another exception."""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bustrack.gtfs import load_feed
from bustrack.gtfs.errors import FeedError
from bustrack.gtfs.model import Feed
from tests.gtfs.fixtures import FIXTURES

FEEDS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
# The forms a FeedError's text takes (bustrack/gtfs/errors.py, bustrack/gtfs/load.py).
LINE = re.compile(r"^\S+\.txt line \d+: \S")
FILE = re.compile(r"^\S+\.txt: \S")
MISSING = re.compile(r"^feed is missing required file \S+\.txt")
NOT_A_FEED = re.compile(r"^\S+ is not a GTFS feed: ")


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` (one file of a feed) changed in one of the ways files break in the wild."""
    lines = _lines(data)
    how = draw(st.integers(0, 12))
    if how == 0:  # truncated anywhere
        return data[: draw(st.integers(0, len(data)))]
    if how == 1:  # garbage bytes somewhere
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=20)) + data[at:]
    if how == 2:  # bytes that are not UTF-8
        at = draw(st.integers(0, len(data)))
        return (
            data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\x80"])) + data[at:]
        )
    if how == 3:  # empty
        return b""
    if how == 4:  # no header line
        return b"\n".join(lines[1:])
    if how == 5:  # a BOM, CRLF line ends
        return b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    if how == 6:  # two columns swapped in every line
        rows = [line.split(b",") for line in lines]
        width = max(len(r) for r in rows)
        i, j = draw(st.integers(0, width - 1)), draw(st.integers(0, width - 1))
        for r in rows:
            if max(i, j) < len(r):
                r[i], r[j] = r[j], r[i]
        return b"\n".join(b",".join(r) for r in rows)
    # One field of one line replaced.
    row = draw(st.integers(0, len(lines) - 1))
    fields = lines[row].split(b",")
    col = draw(st.integers(0, len(fields) - 1))
    value = draw(
        st.sampled_from(
            [
                b"",
                b"99999999999999999999999999",
                b"-1e308",
                b"1e999",
                b"nan",
                b"inf",
                b"25:7:00",
                b"99:99:99",
                b'"',
                b'"unclosed',
                b"\x00",
                b" ",
                b"-0",
                b"0x1F",
                b"\xd0\x9c\xd1\x83",
            ]
        )
        | st.text(max_size=12).map(str.encode)
    )
    if how == 12:  # a line dropped or doubled
        lines[row : row + 1] = [] if draw(st.booleans()) else [lines[row], lines[row]]
        return b"\n".join(lines)
    fields[col] = value
    lines[row] = b",".join(fields)
    return b"\n".join(lines)


@st.composite
def broken_feeds(draw: st.DrawFn) -> tuple[str, dict[str, bytes], bool]:
    """A fixture feed's files with one to three of them mutated (or removed), and whether
    to load it as a zip."""
    name = draw(st.sampled_from(FEEDS))
    folder = FIXTURES / name
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    for _ in range(draw(st.integers(1, 3))):
        which = draw(st.sampled_from(sorted(files)))
        if draw(st.integers(0, 9)) == 0:
            del files[which]
            if not files:
                break
        else:
            files[which] = draw(mutations(files[which]))
    return name, files, draw(st.integers(0, 4)) == 0


def _load(files: dict[str, bytes], as_zip: bool, where: Path) -> Feed | FeedError:
    if as_zip:
        path = where / "feed.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in files.items():
                archive.writestr(name, data)
    else:
        path = where / "feed"
        path.mkdir()
        for name, data in files.items():
            (path / name).write_bytes(data)
    try:
        return load_feed(path)
    except FeedError as err:
        return err


def _check_error(err: FeedError) -> None:
    text = str(err)
    if err.line is not None:
        assert LINE.match(text) and text.startswith(f"{err.file} line {err.line}: "), text
    elif MISSING.match(text):
        assert err.file is not None and err.file in text, text
    elif err.file is not None:
        assert FILE.match(text) and text.startswith(f"{err.file}: "), text
    else:  # about the whole path: here, only a folder or zip left without feed files
        assert NOT_A_FEED.match(text), text
    assert "\n" not in text and "Traceback" not in text, text  # one line


def test_every_mutated_feed_loads_or_fails_with_a_located_error() -> None:
    outcomes: dict[str, int] = {}

    @settings(
        max_examples=400,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(case=broken_feeds())
    def load(case: tuple[str, dict[str, bytes], bool]) -> None:
        _, files, as_zip = case
        with tempfile.TemporaryDirectory() as where:
            result = _load(files, as_zip, Path(where))  # any other exception fails the test
        if isinstance(result, FeedError):
            _check_error(result)
            kind = "line" if result.line is not None else "file" if result.file else "path"
            outcomes[kind] = outcomes.get(kind, 0) + 1
        else:
            assert isinstance(result, Feed)
            outcomes["feed"] = outcomes.get("feed", 0) + 1

    load()
    # The mutations reach every outcome: loaded, a line's error, a file's error.
    assert all(outcomes.get(k, 0) >= 20 for k in ("feed", "line", "file")), outcomes
