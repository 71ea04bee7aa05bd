"""What can go wrong in a GTFS feed: fatal errors and collected warnings.

:class:`FeedError` stops loading; its text names the file, the line and the field so
a person can open the file and fix it. :class:`WarningLog` collects problems that
let the rest of the feed load; :func:`bustrack.gtfs.build.build_feed` turns it into
the :class:`~bustrack.gtfs.model.Warning` tuple of the feed.

No I/O here.
"""

from __future__ import annotations

from bustrack.gtfs.model import Warning

__all__ = ["MAX_EXAMPLES", "FeedError", "WarningLog"]

MAX_EXAMPLES = 5


class FeedError(Exception):
    """A feed that cannot be loaded.

    Attributes:
        file: the file the problem is in (``"stops.txt"``), or None for the whole feed.
        line: the 1-based physical line of that file (the header is line 1), or None
            when the problem is not about one line.
        field: the column concerned, or None.
        message: what is wrong and what was expected, without the location.

    ``str(err)`` puts the location first: ``stops.txt line 12: stop_lat '95.2' is out
    of range -90..90``, ``stops.txt: missing required column stop_lat``.
    """

    file: str | None
    line: int | None
    field: str | None
    message: str

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self._text())

    @classmethod
    def missing_file(cls, name: str, *alternatives: str) -> FeedError:
        """Return the error for a required file the feed lacks.

        Its ``file`` is ``name`` but its text has no location prefix, since the file
        does not exist: ``feed is missing required file stop_times.txt``, or with
        alternatives ``... calendar.txt or calendar_dates.txt``.
        """
        err = cls(f"feed is missing required file {' or '.join((name, *alternatives))}")
        err.file = name
        return err

    def _text(self) -> str:
        if self.file is None:
            return self.message
        if self.line is None:
            return f"{self.file}: {self.message}"
        return f"{self.file} line {self.line}: {self.message}"


class WarningLog:
    """Counts problems by kind and keeps the first few examples of each."""

    __slots__ = ("_counts", "_examples")

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._examples: dict[str, list[str]] = {}

    def add(self, kind: str, example: str) -> None:
        """Record one problem of sort ``kind``, described by ``example``.

        Args:
            kind: a short snake_case name grouping problems of the same sort.
            example: text naming the file and line, e.g. ``stops.txt line 9: ...``.
        """
        count = self._counts.get(kind, 0)
        self._counts[kind] = count + 1
        if count < MAX_EXAMPLES:
            self._examples.setdefault(kind, []).append(example)

    def warnings(self) -> tuple[Warning, ...]:
        """Return one :class:`Warning` per kind, in the order kinds were first seen."""
        return tuple(
            Warning(kind, count, tuple(self._examples[kind]))
            for kind, count in self._counts.items()
        )
