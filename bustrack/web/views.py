"""The page: one Leaflet map rendered from a jinja2 template."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
import orjson
from aiohttp import web
from markupsafe import Markup, escape

from bustrack.web.basemap import BASEMAP_PATH, basemap_key
from bustrack.web.keys import feed_key, settings_key
from bustrack.wire.protocol import PROTOCOL_VERSION

__all__ = [
    "BASEMAP_ATTRIBUTION",
    "STATIC_APP",
    "STATIC_LEAFLET",
    "STATIC_PROTOMAPS",
    "basemap_config",
    "data_attribution",
    "feed_bounds",
    "index",
]

STATIC_APP = "/static/app/"
STATIC_LEAFLET = "/static/vendor/leaflet/"
STATIC_PROTOMAPS = "/static/vendor/protomaps-leaflet/"
# The credit line of a Protomaps basemap (built from OpenStreetMap data, ODbL).
BASEMAP_ATTRIBUTION = (
    '<a href="https://protomaps.com">Protomaps</a> &copy; '
    '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


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


def basemap_config(app: web.Application) -> dict[str, Any] | None:
    """What the page needs to draw the app's own basemap (None when it has none)."""
    if basemap_key not in app:
        return None
    header = app[basemap_key].header
    return {
        "url": BASEMAP_PATH,
        "min_zoom": header.min_zoom,
        "max_zoom": header.max_zoom,
        "attribution": BASEMAP_ATTRIBUTION,
    }


@aiohttp_jinja2.template("index.html")
async def index(request: web.Request) -> dict[str, Any]:
    """Render the map page."""
    app = request.app
    settings = app[settings_key]
    bounds = feed_bounds(app)
    attribution = data_attribution(app)
    basemap = basemap_config(app)
    tile_attribution = basemap["attribution"] if basemap else settings.tile_attribution
    config = {
        "tile_url": settings.tile_url,
        "tile_attribution": settings.tile_attribution,
        "basemap": basemap,
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
        "tile_attribution": tile_attribution,
        "data_attribution": attribution,
        "bounds": bounds,
        "protocol_version": PROTOCOL_VERSION,
        "static": STATIC_APP,
        "leaflet": STATIC_LEAFLET,
        # protomaps-leaflet's script, only for a page drawing the app's own basemap.
        "protomaps": STATIC_PROTOMAPS if basemap else "",
        "ws_path": "/ws",
        # Escape "</" so the JSON cannot end the <script> element it sits in.
        "config_json": orjson.dumps(config).decode().replace("</", "<\\/"),
    }
    return {"page": page}
