"""Response headers on every page and API answer: what a browser may do with them.

- ``Content-Security-Policy``: scripts, styles, fonts and connections from the page's own
  origin only (``'self'`` covers its ``ws://``/``wss://``), no ``unsafe-inline`` and no
  ``unsafe-eval`` (the page has no inline script: its configuration is a JSON data block,
  which browsers never run); images also from the map tiles' host; the service worker and
  the manifest from the page's origin only (``worker-src``, ``manifest-src``); no plugins, no
  ``<base>``, no forms, and no framing (``frame-ancestors 'none'``, with
  ``X-Frame-Options: DENY`` for old browsers).
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: strict-origin-when-cross-origin``,
  ``Permissions-Policy`` (geolocation for the page itself only; no camera, no microphone).
- CORS: the read-only JSON (``/api/*`` but ingest) and the GTFS-realtime feeds
  (``/gtfs-rt/*``) are public data, meant for other sites and apps too:
  ``Access-Control-Allow-Origin: *`` (no credentials are ever involved). Ingest gets no CORS
  header at all: a page elsewhere cannot read what it answers.

Pure apart from the middleware: :func:`content_security_policy` builds the policy.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

__all__ = ["content_security_policy", "is_public_read", "security_headers"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _tile_source(tile_url: str) -> str:
    """The CSP source of a Leaflet tile URL template ('' when the tiles are the app's own)."""
    parts = urllib.parse.urlsplit(tile_url)
    if not parts.scheme or not parts.netloc:
        return ""
    host = parts.netloc.replace("{s}", "*")
    if "{" in host:  # another placeholder in the host: allow the scheme's whole web
        return f"{parts.scheme}:"
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str) -> str:
    """The page's Content-Security-Policy, allowing images from ``tile_url``'s host."""
    tiles = _tile_source(tile_url)
    images = " ".join(s for s in ("'self'", "data:", "blob:", tiles) if s)
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "connect-src 'self'",
            "font-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def is_public_read(path: str) -> bool:
    """Whether ``path`` is read-only public data that other origins may read (CORS ``*``)."""
    if path.startswith("/gtfs-rt/"):
        return True
    return path.startswith("/api/") and not path.startswith("/api/ingest")


def security_headers(tile_url: str) -> Middleware:
    """An aiohttp middleware that puts the headers above on every answer (errors too)."""
    csp = content_security_policy(tile_url)
    fixed = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
    }

    def apply(request: web.Request, response: web.StreamResponse) -> None:
        if response.prepared:  # a WebSocket or a stream already under way
            return
        response.headers.update(fixed)
        if is_public_read(request.path):
            response.headers["Access-Control-Allow-Origin"] = "*"

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as err:
            apply(request, err)
            raise
        apply(request, response)
        return response

    return middleware
