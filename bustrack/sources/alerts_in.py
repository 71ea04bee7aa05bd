"""GTFS-realtime Alerts in: service alerts for the routes and stops they name.

Pure: the bytes and the current time are parameters. Each alert keeps its translations
(the page picks its language, else the untranslated text, else the first); the entities
it informs are reduced to what the page shows alerts on: routes, stops (a stop with a
route: that route at that stop), or the whole agency. Alerts outside all their active
periods are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.transit import gtfs_realtime_pb2 as rt

from bustrack.sources.feed_message import parse_message

__all__ = ["Alert", "read_alerts"]


@dataclass(frozen=True, slots=True)
class Alert:
    """One service alert. Texts map a language ("" untranslated) to the text."""

    id: str
    header: dict[str, str]
    description: dict[str, str]
    url: dict[str, str]
    cause: str
    effect: str
    severity: str
    routes: frozenset[str]
    stops: frozenset[str]
    everywhere: bool  # informs a whole agency (no route, no stop)
    periods: tuple[tuple[float, float], ...]  # (start, end) Unix s; 0 for open ends

    def as_json(self) -> dict[str, Any]:
        """The alert as ``/api/alerts`` gives it."""
        return {
            "id": self.id,
            "header": self.header,
            "description": self.description,
            "url": self.url,
            "cause": self.cause,
            "effect": self.effect,
            "severity": self.severity,
            "routes": sorted(self.routes),
            "stops": sorted(self.stops),
            "everywhere": self.everywhere,
            "periods": [[s or None, e or None] for s, e in self.periods],
        }


def read_alerts(data: bytes, now: float, prefix: str = "") -> tuple[list[Alert], rt.FeedMessage]:
    """Return the alerts active at ``now``, and the parsed message (to pass it on).

    Raises:
        FeedDecodeError: ``data`` is not a FeedMessage.
    """
    msg = parse_message(data)
    out = []
    for entity in msg.entity:
        if not entity.HasField("alert"):
            continue
        a = entity.alert
        periods = tuple((float(p.start), float(p.end)) for p in a.active_period)
        if periods and not any((s or now) <= now <= (e or now) for s, e in periods):
            continue
        routes = {e.route_id for e in a.informed_entity if e.route_id}
        stops = {e.stop_id for e in a.informed_entity if e.stop_id}
        everywhere = any(
            not (e.route_id or e.stop_id or e.HasField("trip")) for e in a.informed_entity
        )
        out.append(
            Alert(
                id=prefix + entity.id,
                header=_texts(a.header_text),
                description=_texts(a.description_text),
                url=_texts(a.url),
                cause=rt.Alert.Cause.Name(a.cause),
                effect=rt.Alert.Effect.Name(a.effect),
                severity=rt.Alert.SeverityLevel.Name(a.severity_level),
                routes=frozenset(
                    routes | {t.trip.route_id for t in a.informed_entity if t.trip.route_id}
                ),
                stops=frozenset(stops),
                everywhere=everywhere,
                periods=periods,
            )
        )
    return out, msg


def _texts(ts: rt.TranslatedString) -> dict[str, str]:
    return {t.language: t.text for t in ts.translation if t.text}
