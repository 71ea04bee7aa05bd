"""Next buses at a glance: a few stops' next 2-3 buses in one compact ``glance`` frame.

Pure: no I/O, no clock. The rows come from the ``arrivals`` computation
(:meth:`bustrack.live.boards.Boards.arrival_rows`), never a second one; see docs/protocol.md
(``glance``) for the frame.

A stop's part (:func:`encode_glance_stop`) is encoded once per tick for everybody, and
travels alone between a feeder and the web processes (a ``glance`` board, keyed by stop).
A client's frame joins the parts of its stops (:class:`GlanceFrames`), once per distinct
set of stops and tick. ETAs are rounded to :data:`ETA_STEP_MS`, so that a stop's part
stays the same from tick to tick while nothing worth showing changed; the hub sends a
client a new frame only when its content differs from the last one it got.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import orjson

from bustrack.wire.wsframe import text_frame

__all__ = [
    "ETA_STEP_MS",
    "GLANCE_ROWS",
    "GlanceFrames",
    "encode_glance",
    "encode_glance_stop",
]

GLANCE_ROWS = 3  # next buses per stop
ETA_STEP_MS = 30_000  # ETAs travel rounded to the half minute: enough for "in 4 min"


def encode_glance_stop(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """Encode one stop's part of a ``glance`` frame from its ``arrivals`` rows (soonest
    first): the first :data:`GLANCE_ROWS`, each ``route``, ``color``, ``headsign``,
    ``eta`` (real Unix ms, rounded to :data:`ETA_STEP_MS`), ``live`` and ``trip`` (the trip
    id, as in ``arrivals``: a reminder finds its bus by it; it changes only when the bus
    listed does, so it makes a stop's part change no more often)."""
    out: list[dict[str, Any]] = []
    for row in rows:
        if len(out) == GLANCE_ROWS:
            break
        out.append(
            {
                "route": row["route"],
                "color": row["color"],
                "headsign": row["headsign"],
                "eta": round(row["eta"] / ETA_STEP_MS) * ETA_STEP_MS,
                "live": row["live"],
                "trip": row["trip"],
            }
        )
    return orjson.dumps(out)


def encode_glance(ts_ms: int, stops: Mapping[str, bytes]) -> tuple[bytes, bytes]:
    """Join stops' parts (:func:`encode_glance_stop`) into a ``glance`` frame.

    Returns:
        ``(content, payload)``: the ``stops`` object alone (what a client is sent again
        only when it changed), and the whole frame's JSON.
    """
    content = b"".join(
        (
            b"{",
            b",".join(orjson.dumps(stop) + b":" + part for stop, part in sorted(stops.items())),
            b"}",
        )
    )
    head = orjson.dumps({"type": "glance", "ts": ts_ms})
    return content, head[:-1] + b',"stops":' + content + b"}"


class GlanceFrames:
    """One tick's ``glance`` frames, each built at most once per distinct set of stops.

    The stops' parts come with each call (``stop_part``), not kept: a tick's boards hold
    their frames, and a frames object holding the boards back would make a reference cycle,
    which the server's collector (automatic collection off, :mod:`bustrack.web.collector`)
    frees only every few minutes, keeping every tick's boards until then.
    """

    def __init__(self, ts_ms: int) -> None:
        """Frames stamped ``ts_ms``."""
        self.ts_ms = ts_ms
        self._frames: dict[tuple[str, ...], tuple[bytes, bytes]] = {}

    def get(
        self, stops: Sequence[str], stop_part: Callable[[str], bytes | None]
    ) -> tuple[bytes, bytes]:
        """Return ``(content, WebSocket frame)`` of the glance at ``stops`` (sorted ids),
        joined from the parts ``stop_part(stop_id)`` gives (None: the stop has none in this
        tick; a feeder builds a stop's part from the tick after a web process asked for it).

        A stop without a part in this tick is left out.

        Raises:
            LookupError: none of the stops has a part yet.
        """
        key = tuple(stops)
        found = self._frames.get(key)
        if found is None:
            parts = {s: p for s in key if (p := stop_part(s)) is not None}
            if not parts:
                raise LookupError(f"no glance part for {', '.join(key)!r} in this tick yet")
            content, payload = encode_glance(self.ts_ms, parts)
            found = self._frames[key] = (content, text_frame(payload))
        return found
