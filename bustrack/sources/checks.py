"""Checking one raw position report: every field, and the move since the device's last.

Pure: the current time and the device's last accepted report are parameters. A report
either passes, as a :class:`~bustrack.sources.report.Report`, or is refused with one
reason a person can act on; one bad report never affects another.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bustrack.geo import haversine_m
from bustrack.sources.report import OCCUPANCY, Report

__all__ = ["Limits", "Refused", "check_report"]


@dataclass(frozen=True, slots=True)
class Limits:
    """What a report may be."""

    future_s: float = 120.0  # a clock a little ahead is fine; more is a broken clock
    past_s: float = 7 * 86400.0  # a unit catching up after days offline, not older
    max_speed_ms: float = 120 / 3.6  # faster than this between two reports: a GPS jump
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    bbox_margin: float = 0.5  # degrees around the feed's area still accepted
    max_id: int = 64  # characters of a device, trip or route id


class Refused(ValueError):
    """A report that cannot be taken; the message says why, ``kind`` names the rule
    (``field``, ``future``, ``old``, ``no_fix``, ``area``, ``jump``; the ingest API adds
    ``device`` and ``body``) for counting."""

    def __init__(self, message: str, kind: str = "field") -> None:
        super().__init__(message)
        self.kind = kind


def _number(raw: Mapping[str, Any], key: str, lo: float, hi: float, required: bool) -> float | None:
    value = raw.get(key)
    if value is None or value == "":
        if required:
            raise Refused(f"{key} is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Refused(f"{key} must be a number, not {type(value).__name__}")
    try:
        number = float(value)
    except ValueError:
        raise Refused(f"{key} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise Refused(f"{key} must be a finite number, not {value!r}")
    if not lo <= number <= hi:
        raise Refused(f"{key} {number:g} is outside {lo:g}..{hi:g}")
    return number


def _text(raw: Mapping[str, Any], key: str, limit: int) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise Refused(f"{key} must be a string")
    text = str(value).strip()
    if len(text) > limit or any(ord(c) < 32 for c in text):
        raise Refused(f"{key} must be at most {limit} printable characters")
    return text


def _direction(raw: Mapping[str, Any]) -> int | None:
    value = raw.get("direction_id")
    if value is None or value == "":
        return None
    if isinstance(value, bool) or value not in (0, 1, "0", "1"):
        raise Refused(f"direction_id must be 0 or 1 (GTFS's direction_id), not {value!r}"[:120])
    return int(value)


def check_report(
    raw: Mapping[str, Any], now: float, last: Report | None = None, limits: Limits = Limits()
) -> Report:
    """Return ``raw`` (a JSON object of the ingest API) as a checked report.

    Args:
        raw: ``{device, lat, lon, ts, speed?, bearing?, accuracy?, trip_id?, route_id?,
            occupancy?}``; ``ts`` in Unix seconds.
        now: the current time, Unix seconds.
        last: the device's last accepted report, to see how far it moved since.
        limits: what a report may be.

    Raises:
        Refused: the report is malformed, impossible or out of time; the message says why.
    """
    if not isinstance(raw, Mapping):
        raise Refused("a report must be a JSON object")
    device = _text(raw, "device", limits.max_id)
    if not device:
        raise Refused("device is missing")
    lat = _number(raw, "lat", -90, 90, True)
    lon = _number(raw, "lon", -180, 180, True)
    ts = _number(raw, "ts", 0, 1e11, True)
    assert lat is not None and lon is not None and ts is not None
    if ts > now + limits.future_s:
        raise Refused(
            f"ts is {ts - now:.0f} s in the future (is the device's clock right?)", "future"
        )
    if ts < now - limits.past_s:
        raise Refused(f"ts is {(now - ts) / 86400:.1f} days old", "old")
    if lat == 0 and lon == 0:
        raise Refused("lat 0, lon 0 is no position (a GPS without a fix)", "no_fix")
    if limits.bbox is not None:
        west, south, east, north = limits.bbox
        m = limits.bbox_margin
        if not (south - m <= lat <= north + m and west - m <= lon <= east + m):
            raise Refused(f"{lat:.5f},{lon:.5f} is outside this feed's area", "area")
    occupancy = _text(raw, "occupancy", 32).upper()
    if occupancy and occupancy not in OCCUPANCY:
        raise Refused(f"occupancy {occupancy!r} is not one of {', '.join(OCCUPANCY)}")
    report = Report(
        device=device,
        ts=ts,
        lat=lat,
        lon=lon,
        speed=_number(raw, "speed", 0, 100, False),
        bearing=_number(raw, "bearing", 0, 360, False),
        accuracy=_number(raw, "accuracy", 0, 100_000, False),
        trip_id=_text(raw, "trip_id", limits.max_id),
        route_id=_text(raw, "route_id", limits.max_id),
        occupancy=occupancy,
        direction_id=_direction(raw),
    )
    if last is not None and report.ts > last.ts:
        metres = haversine_m(last.lat, last.lon, report.lat, report.lon)
        speed = metres / (report.ts - last.ts)
        # Two close fixes may be a few metres apart by noise alone: judge jumps of 200 m+.
        if metres > 200 and speed > limits.max_speed_ms:
            raise Refused(
                f"moved {metres / 1000:.1f} km in {report.ts - last.ts:.0f} s "
                f"({speed * 3.6:.0f} km/h) since its last report: a GPS jump",
                "jump",
            )
    return report
