"""The page as an app on the home screen: its manifest, its icons' favicon and its service worker.

- ``GET /manifest.webmanifest``: the web app manifest (``application/manifest+json``): names,
  ``start_url`` and ``scope`` ``/``, ``standalone``, colours, icons (SVG, 192 and 512 px PNG,
  maskable ones). The icons are files of ``frontend/src/icons`` (``scripts/icons.py`` makes
  the PNGs from the SVGs), served under ``/static/app/icons/``.
- ``GET /favicon.ico``: a 32 px PNG in an ICO, since browsers ask for it whatever the page says.
- ``GET /sw.js``: the service worker (``frontend/src/sw.js``), at the root so that its scope is
  the whole site. The app puts one line before the file's text: what to precache (the page,
  every file of ``frontend/src``, Leaflet's, protomaps-leaflet's with ``--basemap``, the
  network's JSON), a version (a hash of all those files) and the basemap's URL (or null). A
  new deploy changes the script's bytes, so browsers install the new worker, which drops the
  old cache. Sent with ``Cache-Control: no-cache``.

Never precached: ``/ws``, ingest, ``/gtfs-rt/*``, history, search, the basemap. The worker keeps
search answers and the basemap's byte ranges as the page reads them (``frontend/src/sw.js``,
``frontend/src/sw.basemap.js``), never the rest.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from bustrack.web.basemap import BASEMAP_PATH
from bustrack.web.keys import feed_key
from bustrack.web.views import STATIC_APP, STATIC_LEAFLET, STATIC_PROTOMAPS
from bustrack.wire.protocol import PROTOCOL_VERSION

__all__ = [
    "MANIFEST_TYPE",
    "STOPS_ALL",
    "THEME_COLOR",
    "add_pwa_routes",
    "manifest",
    "precache_files",
    "worker_config",
]

MANIFEST_TYPE = "application/manifest+json"
THEME_COLOR = "#1565c0"  # the buses' default colour
BACKGROUND_COLOR = "#eceae4"  # the map's, before its tiles come
ICONS = STATIC_APP + "icons/"
# Every stop of the network in one answer: offline, the worker cuts the view's box out of it.
STOPS_ALL = "/api/stops?limit=10000"
# The JSON the page asks for at its start, precached and then fetched network first.
PRECACHED_API = ("/api/routes", "/api/alerts", "/api/feed", STOPS_ALL)

_SRC = Path(__file__).resolve().parents[2] / "frontend" / "src"
_TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "index.html"
_APP_SUFFIXES = (".js", ".css", ".svg", ".png", ".ico")
_WORKER = _SRC / "sw.js"
PROTOMAPS_SCRIPT = "protomaps-leaflet.js"


def manifest() -> dict[str, Any]:
    """The web app manifest."""
    return {
        "id": "/",
        "name": "bustrack: live buses",
        "short_name": "bustrack",
        "description": "Live buses on a map: where they are, their next stops and arrivals.",
        "lang": "en",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "categories": ["travel", "navigation"],
        "icons": [
            {"src": ICONS + "bus.svg", "sizes": "any", "type": "image/svg+xml"},
            {"src": ICONS + "bus-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": ICONS + "bus-512.png", "sizes": "512x512", "type": "image/png"},
            {
                "src": ICONS + "bus-maskable-192.png",
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "maskable",
            },
            {
                "src": ICONS + "bus-maskable-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }


def precache_files(
    src: Path, leaflet: Path, protomaps: Path | None = None
) -> list[tuple[str, Path]]:
    """The static files the worker precaches: ``(URL, file)``, sorted by URL.

    Every script, style sheet and icon of ``src`` (but the worker itself), Leaflet's script,
    style sheet and images, and protomaps-leaflet's script from ``protomaps`` (its ``dist``
    directory) when the page draws the app's own basemap.
    """
    files = [
        (STATIC_APP + p.relative_to(src).as_posix(), p)
        for p in src.rglob("*")
        if p.is_file() and p.suffix in _APP_SUFFIXES and p != src / "sw.js"
    ]
    files += [(STATIC_LEAFLET + name, leaflet / name) for name in ("leaflet.js", "leaflet.css")]
    files += [(STATIC_LEAFLET + "images/" + p.name, p) for p in (leaflet / "images").glob("*.png")]
    if protomaps is not None:
        files.append((STATIC_PROTOMAPS + PROTOMAPS_SCRIPT, protomaps / PROTOMAPS_SCRIPT))
    return sorted(files)


def worker_config(
    src: Path, leaflet: Path, feed_hash: str = "", protomaps: Path | None = None
) -> dict[str, Any]:
    """What the worker is told: ``version`` (a hash of every precached file, the page's
    template and ``feed_hash``, the feed's), ``precache`` (URLs), ``stopsAll`` (the URL of
    every stop) and ``basemap`` (the basemap's URL when ``protomaps``, protomaps-leaflet's
    ``dist`` directory, is given: the page draws the app's own basemap; else None)."""
    digest = hashlib.sha256(f"protocol {PROTOCOL_VERSION}\nfeed {feed_hash}\n".encode())
    files = precache_files(src, leaflet, protomaps)
    for url, path in [*files, ("/", _TEMPLATE)]:
        digest.update(url.encode() + b"\0" + path.read_bytes() + b"\0")
    precache = ["/", "/manifest.webmanifest", "/favicon.ico", *PRECACHED_API]
    return {
        "version": digest.hexdigest()[:16],
        "precache": precache + [url for url, _ in files],
        "stopsAll": STOPS_ALL,
        "basemap": BASEMAP_PATH if protomaps is not None else None,
    }


def _worker_script(leaflet: Path, feed_hash: str, protomaps: Path | None) -> bytes:
    config = orjson.dumps(worker_config(_SRC, leaflet, feed_hash, protomaps))
    return b"self.BUSTRACK_SW = " + config + b";\n" + _WORKER.read_bytes()


def add_pwa_routes(app: web.Application, leaflet: Path, protomaps: Path | None = None) -> None:
    """Register ``/manifest.webmanifest``, ``/favicon.ico`` and ``/sw.js`` on ``app``.

    Args:
        app: the application.
        leaflet: Leaflet's ``dist`` directory (served under ``/static/vendor/leaflet/``).
        protomaps: protomaps-leaflet's ``dist`` directory when the app serves its own basemap
            (``--basemap``): the worker precaches its script and keeps the basemap's ranges.
    """
    body = orjson.dumps(manifest())
    feed_hash = app[feed_key].content_hash or ""  # the stops kept are the feed's

    async def manifest_handler(request: web.Request) -> web.Response:
        return web.Response(
            body=body, content_type=MANIFEST_TYPE, headers={"Cache-Control": "no-cache"}
        )

    async def favicon(request: web.Request) -> web.FileResponse:
        return web.FileResponse(
            _SRC / "icons" / "favicon.ico",
            headers={"Content-Type": "image/x-icon", "Cache-Control": "public, max-age=86400"},
        )

    async def worker(request: web.Request) -> web.Response:
        # Reading and hashing the files (some 500 kB) is done off the event loop, at each
        # request, so that the version follows the files on disk.
        script = await asyncio.to_thread(_worker_script, leaflet, feed_hash, protomaps)
        return web.Response(
            body=script,
            content_type="text/javascript",
            charset="utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    app.router.add_get("/manifest.webmanifest", manifest_handler, name="manifest")
    app.router.add_get("/favicon.ico", favicon, name="favicon")
    app.router.add_get("/sw.js", worker, name="service_worker")
