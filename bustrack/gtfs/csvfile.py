"""One GTFS table: a CSV file given as bytes, read row by row with line numbers.

Pure: the caller hands over the file's bytes (see :mod:`bustrack.gtfs.load`); no I/O.

What is accepted, since real feeds do all of it: UTF-8 with or without a byte-order
mark; CRLF, LF or CR line ends; quoted fields holding commas, quotes or line breaks;
columns the reader does not ask for (ignored); rows shorter than the header (the
missing fields read as empty); blank lines anywhere (skipped, also before the header);
whitespace around header names (stripped). Field values are returned as written.

Line numbers are physical lines of the file, the header being line 1 (when the file
starts with it): a row whose quoted field spans three lines is reported at its first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

from bustrack.gtfs.errors import FeedError

__all__ = ["REPORT_EVERY", "Table", "read_table"]

REPORT_EVERY = 16_384  # rows between two calls of Table.report


class Table:
    """A GTFS table: its header, and its rows on demand.

    Build one with :func:`read_table`.

    Attributes:
        name: the file name, used in error messages (``"stops.txt"``).
        columns: header name to column index; for a repeated name, its first column.
        width: the number of header columns; every row from :meth:`rows` has at
            least this many fields.
        report: None, or a function :meth:`rows` calls with the number of bytes
            read so far, every :data:`REPORT_EVERY` rows and once at the end (with
            the file's size). Set it to follow a long parse.
    """

    __slots__ = ("_data", "_header_line", "columns", "name", "report", "width")

    def __init__(self, name: str, data: bytes, header: list[str], header_line: int) -> None:
        self.name = name
        self._data = data
        self._header_line = header_line
        self.width = len(header)
        self.report: Callable[[int], None] | None = None
        self.columns: dict[str, int] = {}
        for i, column in enumerate(header):
            self.columns.setdefault(column, i)

    @property
    def empty(self) -> bool:
        """True when the file has no header line at all (zero bytes or only blank lines)."""
        return self.width == 0

    def column(self, name: str) -> int | None:
        """Return the index of optional column ``name``, or None when the file lacks it."""
        return self.columns.get(name)

    def require(self, name: str) -> int:
        """Return the index of required column ``name``.

        Raises:
            FeedError: the header lacks it (``stops.txt: missing required column stop_lat``).
        """
        index = self.columns.get(name)
        if index is None:
            raise FeedError(f"missing required column {name}", file=self.name, field=name)
        return index

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Yield ``(line, fields)`` for every non-blank row after the header.

        ``fields`` is the row as a list, padded with ``""`` to :attr:`width`; the
        caller may keep or change it.

        Raises:
            FeedError: the bytes are not UTF-8 or the CSV cannot be split into fields.
        """
        width = self.width
        buffer = io.BytesIO(self._data)
        records = _records(self.name, buffer)
        for _ in records:  # skip up to and including the header
            break
        report = self.report
        countdown = REPORT_EVERY
        for line, row in records:
            if len(row) < width:
                row += [""] * (width - len(row))
            yield line, row
            if report is not None:
                countdown -= 1
                if not countdown:
                    countdown = REPORT_EVERY
                    report(buffer.tell())
        if report is not None:
            report(len(self._data))


def read_table(name: str, data: bytes) -> Table:
    """Read the header of a GTFS table.

    Args:
        name: the file name, for error messages.
        data: the whole file.

    Returns:
        The table; its rows are parsed when :meth:`Table.rows` is iterated. A file
        without a header line gives a table whose :attr:`Table.empty` is true.

    Raises:
        FeedError: the header is not valid UTF-8 or not valid CSV.
    """
    for line, row in _records(name, io.BytesIO(data)):
        header = [column.strip().lstrip("\ufeff").strip() for column in row]
        return Table(name, data, header, line)
    return Table(name, data, [], 0)


def _records(name: str, buffer: io.BytesIO) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(first physical line, fields)`` for every non-blank CSV record."""
    text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    line = 0
    try:
        for row in reader:
            start = line + 1
            line = reader.line_num
            if not row:
                continue
            first = row[0]
            if (not first or first.isspace()) and not "".join(row).strip():
                continue
            yield start, row
    except UnicodeDecodeError:
        raise _decode_error(name, buffer.getvalue()) from None
    except csv.Error as err:
        raise FeedError(f"cannot be read as CSV: {err}", file=name, line=line + 1) from None


def _decode_error(name: str, data: bytes) -> FeedError:
    """Return the error for bytes that are not UTF-8, located at the first bad byte."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        bad = data[err.start : err.start + 1].hex()
        message = f"text is not UTF-8 (byte 0x{bad} at offset {err.start})"
        return FeedError(message, file=name, line=line)
    return FeedError("text is not UTF-8", file=name)  # pragma: no cover - decode failed above
