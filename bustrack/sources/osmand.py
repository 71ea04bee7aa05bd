"""The OsmAnd protocol, as the free Traccar Client phone apps speak it, turned into the
ingest API's raw reports (:func:`bustrack.sources.checks.check_report` then checks them).

Pure. Two forms arrive at ``/api/ingest/osmand``:

- query parameters (GET, or POST with a form body): ``id``, ``lat``, ``lon``,
  ``timestamp`` (Unix seconds or milliseconds, or ISO 8601), ``speed`` (knots, as in
  Traccar's OsmAnd protocol), ``bearing`` or ``heading`` (degrees), ``accuracy`` (metres);
- a JSON body, as newer Traccar Client versions post it: ``{"device_id": ...,
  "location": {"timestamp": ISO 8601, "coords": {"latitude", "longitude", "speed" (m/s),
  "heading", "accuracy"}}}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bustrack.sources.checks import Refused

__all__ = ["KNOT_MS", "from_json", "from_query"]

KNOT_MS = 1852 / 3600  # one knot in m/s


def _timestamp(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            try:
                moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise Refused(f"timestamp {value!r} is not Unix time or ISO 8601") from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            return moment.timestamp()
    else:
        raise Refused("timestamp must be a number or a string")
    return number / 1000 if number > 1e11 else number  # milliseconds, as some units send


def _knots(value: Any) -> Any:
    try:
        return float(value) * KNOT_MS
    except (TypeError, ValueError):
        return value  # the checks say what is wrong with it


def from_query(query: Mapping[str, str]) -> dict[str, Any]:
    """Return the raw report in an OsmAnd query (``id``, ``lat``, ``lon``, ...)."""
    raw: dict[str, Any] = {
        "device": query.get("id") or query.get("deviceid", ""),
        "lat": query.get("lat"),
        "lon": query.get("lon"),
        "ts": _timestamp(query.get("timestamp")),
        "bearing": query.get("bearing", query.get("heading")),
        "accuracy": query.get("accuracy"),
    }
    if query.get("speed") not in (None, ""):
        raw["speed"] = _knots(query["speed"])
    return raw


def from_json(body: Mapping[str, Any]) -> dict[str, Any]:
    """Return the raw report in a Traccar Client JSON body."""
    location = body.get("location")
    if not isinstance(location, Mapping):
        raise Refused("location is missing")
    coords = location.get("coords")
    if not isinstance(coords, Mapping):
        raise Refused("location.coords is missing")
    speed = coords.get("speed")
    return {
        "device": body.get("device_id", ""),
        "lat": coords.get("latitude"),
        "lon": coords.get("longitude"),
        "ts": _timestamp(location.get("timestamp")),
        # Phones say -1 for "unknown".
        "speed": None if isinstance(speed, int | float) and speed < 0 else speed,
        "bearing": None if coords.get("heading") in (-1, None) else coords.get("heading"),
        "accuracy": coords.get("accuracy"),
    }
