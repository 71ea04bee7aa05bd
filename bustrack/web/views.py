"""The page: one Leaflet map rendered from a jinja2 template."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
import orjson
from aiohttp import web
from markupsafe import Markup, escape

from bustrack.protocol import PROTOCOL_VERSION
from bustrack.web.keys import feed_key, settings_key

__all__ = ["STATIC_APP", "STATIC_LEAFLET", "data_attribution", "feed_bounds", "index"]

STATIC_APP = "/static/app/"
STATIC_LEAFLET = "/static/vendor/leaflet/"


def feed_bounds(app: web.Application) -> list[list[float]]:
    """Return ``[[south, west], [north, east]]`` of the feed's stops."""
    stops = app[feed_key].stops.values()
    lats = [s.lat for s in stops]
    lons = [s.lon for s in stops]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def data_attribution(app: web.Application) -> str:
    """Return the HTML credit line of the feed's data."""
    feed = app[feed_key]
    agencies = ", ".join(a.name for a in feed.agencies.values())
    html = escape(f"Timetable: {agencies}")
    publisher = feed.feed_info.get("feed_publisher_name", "")
    url = feed.feed_info.get("feed_publisher_url", "")
    if publisher and url.startswith(("https://", "http://")):
        html += Markup(' &middot; <a href="{}">{}</a>').format(url, publisher)
    elif publisher:
        html += escape(f" \u00b7 {publisher}")
    return str(html)


@aiohttp_jinja2.template("index.html")
async def index(request: web.Request) -> dict[str, Any]:
    """Render the map page."""
    app = request.app
    settings = app[settings_key]
    bounds = feed_bounds(app)
    attribution = data_attribution(app)
    config = {
        "tile_url": settings.tile_url,
        "tile_attribution": settings.tile_attribution,
        "data_attribution": attribution,
        "bounds": bounds,
        "protocol_version": PROTOCOL_VERSION,
        "ws_path": "/ws",
        "tick_ms": round(settings.tick * 1000),
        "stale_after_s": settings.stale_after,
    }
    page = {
        "title": "bustrack: live buses",
        "tile_url": settings.tile_url,
        "tile_attribution": settings.tile_attribution,
        "data_attribution": attribution,
        "bounds": bounds,
        "protocol_version": PROTOCOL_VERSION,
        "static": STATIC_APP,
        "leaflet": STATIC_LEAFLET,
        "ws_path": "/ws",
        # Escape "</" so the JSON cannot end the <script> element it sits in.
        "config_json": orjson.dumps(config).decode().replace("</", "<\\/"),
    }
    return {"page": page}
