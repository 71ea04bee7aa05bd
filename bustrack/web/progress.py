"""Showing the progress of a feed load on the terminal.

The builder reports :class:`~bustrack.gtfs.progress.Progress` events; this module
shows them. On a terminal (stderr is a TTY) a one-line bar is redrawn in place at
most :data:`REDRAW_EVERY` seconds apart; otherwise (a log file, systemd, a pipe)
one log line is written each time another quarter of the load is done, so a
log gets a few lines, never thousands.

:func:`render_bar` and :func:`format_amount` are pure; the reporters own the
stream and the clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TextIO

from bustrack.gtfs.progress import DONE, Progress, ProgressCallback

__all__ = [
    "REDRAW_EVERY",
    "LogProgress",
    "TerminalProgress",
    "format_amount",
    "progress_reporter",
    "render_bar",
]

log = logging.getLogger("bustrack")

REDRAW_EVERY = 0.1  # seconds
LOG_STEPS = 4  # log lines per load: at 25 %, 50 %, 75 %, 100 %


def format_amount(done: int, total: int, unit: str) -> str:
    """Return ``done`` of ``total`` for people: ``12.3/40.0 MB``, ``1200/33780 trips``."""
    if unit == "bytes":
        return f"{done / 1e6:.1f}/{total / 1e6:.1f} MB"
    return f"{done}/{total} {unit}"


def render_bar(event: Progress, width: int = 24) -> str:
    """Return the one-line progress bar for ``event`` (no line end).

    Example: ``loading feed [#########---------------]  38% stop_times.txt 12.0/38.3 MB``.
    """
    filled = min(width, int(event.fraction * width))
    bar = "#" * filled + "-" * (width - filled)
    line = f"loading feed [{bar}] {int(event.fraction * 100):3d}%"
    if event.step == DONE:
        return line + " done"
    return f"{line} {event.step} {format_amount(event.done, event.total, event.unit)}"


class TerminalProgress:
    """Redraws a bar in place on a terminal stream.

    Args:
        stream: the terminal (usually ``sys.stderr``).
        clock: seconds from a monotonic clock (a parameter for tests).
    """

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._last: float | None = None
        self._width = 0

    def __call__(self, event: Progress) -> None:
        """Draw ``event`` unless the last drawing is too recent; always draw the end."""
        now = self._clock()
        final = event.step == DONE
        if not final and self._last is not None and now - self._last < REDRAW_EVERY:
            return
        self._last = now
        line = render_bar(event)
        padding = " " * max(0, self._width - len(line))  # wipe a longer previous line
        self._width = len(line)
        self._stream.write("\r" + line + padding + ("\n" if final else ""))
        self._stream.flush()


class LogProgress:
    """Logs one line each time another quarter of the load is done.

    Args:
        logger: where the lines go (INFO).
    """

    def __init__(self, logger: logging.Logger = log) -> None:
        self._logger = logger
        self._logged = 0  # quarters logged so far

    def __call__(self, event: Progress) -> None:
        """Log ``event`` if it completes another quarter of the load."""
        quarters = int(event.fraction * LOG_STEPS)
        if quarters <= self._logged:
            return
        self._logged = quarters
        where = "" if quarters == LOG_STEPS else f" ({event.step})"
        self._logger.info("loading feed: %d%% done%s", quarters * 100 // LOG_STEPS, where)


def progress_reporter(stream: TextIO) -> ProgressCallback:
    """Return a bar for ``stream`` when it is a terminal, else a :class:`LogProgress`."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        tty = False
    return TerminalProgress(stream) if tty else LogProgress()
