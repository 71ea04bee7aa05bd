"""Parsing GTFS field values (times, dates, numbers, colours) with located errors.

Pure; no I/O. Every parser raises :class:`~bustrack.gtfs.errors.FeedError` naming
the file, the line, the field and what was expected, e.g.
``stop_times.txt line 4512: arrival_time '25:7:00' is not HH:MM:SS``.

Times are ``H:MM:SS`` or ``HH:MM:SS`` (up to three hour digits, since hours pass 24
for trips after midnight) and become seconds since the start of the service day.
Leading and trailing spaces around a value are tolerated everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from bustrack.gtfs.errors import FeedError

__all__ = ["MAX_INTEGER", "Cells", "format_time", "parse_color"]

# The largest whole number a field may hold (sequences are kept in 32-bit arrays).
MAX_INTEGER = 2**31 - 1
_TIME = re.compile(r"(\d{1,3}):([0-5]\d):([0-5]\d)")
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_COLOR = re.compile(r"[0-9A-Fa-f]{6}")


def format_time(seconds: int) -> str:
    """Return service-day seconds as ``HH:MM:SS`` (hours may pass 24)."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"


def parse_color(text: str) -> str | None:
    """Return a GTFS colour as upper-case ``RRGGBB``, or None if it is not six hex digits."""
    text = text.strip()
    return text.upper() if _COLOR.fullmatch(text) else None


class Cells:
    """Parses the fields of one file, locating errors at the current :attr:`line`.

    The caller sets :attr:`line` before parsing each row's fields.
    """

    __slots__ = ("file", "line")

    def __init__(self, file: str) -> None:
        self.file = file
        self.line: int | None = None

    def error(self, field: str | None, message: str) -> FeedError:
        """Return a :class:`FeedError` at the current line."""
        return FeedError(message, file=self.file, line=self.line, field=field)

    def required(self, text: str, field: str) -> str:
        """Return ``text``, which must not be empty.

        Raises:
            FeedError: it is empty (``trips.txt line 3: route_id is empty``).
        """
        if not text:
            raise self.error(field, f"{field} is empty")
        return text

    def time(self, text: str, field: str) -> int:
        """Return an ``H:MM:SS`` time as seconds since the start of the service day."""
        match = _TIME.fullmatch(text.strip())
        if match is None:
            raise self.error(field, f"{field} '{text}' is not HH:MM:SS")
        h, m, s = match.groups()
        return int(h) * 3600 + int(m) * 60 + int(s)

    def date(self, text: str, field: str) -> dt.date:
        """Return a ``YYYYMMDD`` date."""
        match = _DATE.fullmatch(text.strip())
        try:
            if match is None:
                raise ValueError(text)
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise self.error(field, f"{field} '{text}' is not a YYYYMMDD date") from None

    def number(
        self, text: str, field: str, low: float = -math.inf, high: float = math.inf
    ) -> float:
        """Return a decimal number within ``low..high``."""
        try:
            value = float(text)
        except ValueError:
            raise self.error(field, f"{field} '{text}' is not a number") from None
        if not low <= value <= high:  # also catches nan
            raise self.error(field, f"{field} '{text}' is out of range {low:g}..{high:g}")
        return value

    def integer(self, text: str, field: str, low: int = 0) -> int:
        """Return a whole number from ``low`` to :data:`MAX_INTEGER`."""
        try:
            value = int(text)
        except ValueError:
            raise self.error(field, f"{field} '{text}' is not a whole number") from None
        if value < low:
            raise self.error(field, f"{field} '{text}' must be at least {low}")
        if value > MAX_INTEGER:
            raise self.error(field, f"{field} '{text}' must be at most {MAX_INTEGER}")
        return value

    def choice(self, text: str, field: str, allowed: range, default: int | None) -> int | None:
        """Return an enumerated integer from ``allowed``; ``default`` when empty."""
        text = text.strip()
        if not text:
            return default
        if text.isdigit() and int(text) in allowed:
            return int(text)
        values = [str(v) for v in allowed]
        expected = values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]
        raise self.error(field, f"{field} '{text}' is not {expected}")
