"""``GET /api/alerts``: the service alerts in force, from the GTFS-realtime Alerts feeds in.

The page fetches this and shows each alert on the panels of the stops and the views of
the routes it names (an agency-wide alert everywhere). Texts come with every translation
the feed gave; the page picks its language. Read-only and public, like ``/gtfs-rt/*``.
"""

from __future__ import annotations

import time

import orjson
from aiohttp import web

from bustrack.web.gtfsrt_poll import alerts_key

__all__ = ["add_alerts_routes"]


async def list_alerts(request: web.Request) -> web.Response:
    """The alerts whose active period holds now (all feeds together)."""
    held = request.app.get(alerts_key)
    now = time.time()
    alerts = [
        a.as_json()
        for a in (held.all() if held is not None else [])
        if not a.periods or any((s or now) <= now <= (e or now) for s, e in a.periods)
    ]
    return web.Response(
        body=orjson.dumps({"alerts": alerts}),
        content_type="application/json",
        headers={"Cache-Control": "no-cache"},
    )


def add_alerts_routes(app: web.Application) -> None:
    """Register ``/api/alerts`` on ``app``."""
    app.router.add_get("/api/alerts", list_alerts, name="api_alerts")
