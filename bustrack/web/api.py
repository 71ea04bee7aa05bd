"""The JSON API the map draws the network from (``docs/api.md``): thin handlers.

Everything is answered from the feed's :class:`~bustrack.network.Network`, built
once. Every answer carries a weak ``ETag`` made of the feed's content hash and the
request's path and query, so a matching ``If-None-Match`` gets ``304`` before any
work is done, and ``Cache-Control: public, max-age=300``. The bodies of
``/api/feed`` and ``/api/routes`` are encoded and gzipped once; the others are
compressed per request when the client accepts it.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import secrets
from typing import Any

import orjson
from aiohttp import hdrs, web

from bustrack.gtfs.model import Feed
from bustrack.network import BBox, Network, NetworkRoute, NetworkStop
from bustrack.web.keys import feed_key, network_key

__all__ = [
    "CACHE_CONTROL",
    "DEFAULT_STOPS",
    "MAX_QUERY",
    "MAX_STOPS",
    "SEARCH_LIMIT",
    "Api",
    "ParamError",
    "accepts_gzip",
    "add_api_routes",
    "param_error_body",
    "parse_bbox",
    "parse_limit",
    "parse_query",
]

CACHE_CONTROL = "public, max-age=300"
DEFAULT_STOPS = 2000
MAX_STOPS = 10_000
SEARCH_LIMIT = 10
MAX_QUERY = 100
JSON = "application/json"


class ParamError(ValueError):
    """A query parameter the API cannot use; the message names it and what was expected."""


# Parameters: pure.


def param_error_body(message: str) -> bytes:
    """The body of a ``400`` answer about a parameter: ``{"error": message}``."""
    return orjson.dumps({"error": message})


def parse_bbox(text: str | None) -> BBox | None:
    """Parse ``west,south,east,north`` in degrees; None when absent.

    Raises:
        ParamError: not four numbers, out of range, or west > east / south > north.
    """
    if text is None:
        return None
    expected = "bbox must be west,south,east,north in degrees (e.g. 72.80,18.90,72.90,19.00)"
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ParamError(f"{expected}, not '{text}'") from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ParamError(f"{expected}, not '{text}'")
    west, south, east, north = values
    if not (
        -180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90
    ):
        raise ParamError(f"bbox '{text}' is out of range (longitudes -180..180, latitudes -90..90)")
    if west > east or south > north:
        raise ParamError(f"bbox '{text}' has west > east or south > north")
    return west, south, east, north


def parse_limit(text: str | None) -> int:
    """Parse ``limit`` (1 to :data:`MAX_STOPS`); :data:`DEFAULT_STOPS` when absent.

    Raises:
        ParamError: not a whole number in range.
    """
    if text is None:
        return DEFAULT_STOPS
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_STOPS:
        raise ParamError(f"limit must be a whole number from 1 to {MAX_STOPS}, not '{text}'")
    return int(text)


def parse_query(text: str | None) -> str:
    """Return the search text ``q``, stripped: 1 to :data:`MAX_QUERY` characters.

    Raises:
        ParamError: missing, blank or too long.
    """
    q = (text or "").strip()
    if not q:
        raise ParamError("q is required: the text to search for (1-100 characters)")
    if len(q) > MAX_QUERY:
        raise ParamError(f"q must be at most {MAX_QUERY} characters, not {len(q)}")
    return q


def accepts_gzip(header: str) -> bool:
    """Whether an ``Accept-Encoding`` header accepts gzip (``gzip``, ``x-gzip`` or ``*``, q > 0)."""
    for item in header.lower().split(","):
        coding, _, params = item.partition(";")
        if coding.strip() not in ("gzip", "x-gzip", "*"):
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        return q > 0
    return False


# Records: pure.


def _route(route: NetworkRoute) -> dict[str, Any]:
    return {
        "id": route.route_id,
        "label": route.label,
        "short_name": route.short_name,
        "long_name": route.long_name,
        "color": route.color,
        "text_color": route.text_color,
        "type": route.route_type,
        "bbox": route.bbox,
        "lines": route.lines,
    }


def _stop(stop: NetworkStop) -> dict[str, Any]:
    return {
        "id": stop.stop_id,
        "name": stop.name,
        "lat": stop.lat,
        "lon": stop.lon,
        "routes": stop.route_ids,
    }


def _feed(feed: Feed, network: Network) -> dict[str, Any]:
    return {
        "name": ", ".join(a.name for a in feed.agencies.values()),
        "timezone": feed.timezone,
        "bbox": network.bbox,
        "routes": len(network.routes),
        "stops": len(network.stops),
        "trips": len(feed.trips),
        "version": feed.feed_info.get("feed_version"),
    }


class _Body:
    """A JSON body encoded once, with its gzip form."""

    __slots__ = ("gzipped", "raw")

    def __init__(self, record: Any) -> None:
        self.raw = orjson.dumps(record)
        self.gzipped = gzip.compress(self.raw, compresslevel=6, mtime=0)


class Api:
    """The API's handlers, sharing the feed's network and the ETag seed.

    Args:
        feed: the feed served.
        network: its network (:func:`~bustrack.network.build_network`).
    """

    def __init__(self, feed: Feed, network: Network) -> None:
        self.network = network
        # A feed built in memory has no content hash: its ETags hold for this process.
        self.seed = feed.content_hash or secrets.token_hex(32)
        self._feed = _Body(_feed(feed, network))
        self._routes = _Body({"routes": [_route(r) for r in network.routes]})

    # HTTP helpers.

    def _etag(self, request: web.Request) -> str:
        query = sorted(request.query.items())
        digest = hashlib.sha256(f"{self.seed}|{request.path}|{query}".encode()).hexdigest()
        return f"{self.seed[:16]}-{digest[:16]}"

    @staticmethod
    def _headers(etag: str) -> dict[str, str]:
        return {
            hdrs.ETAG: f'W/"{etag}"',
            hdrs.CACHE_CONTROL: CACHE_CONTROL,
            hdrs.VARY: hdrs.ACCEPT_ENCODING,
        }

    @staticmethod
    def _not_modified(request: web.Request, etag: str) -> bool:
        wanted = request.if_none_match
        if not wanted:
            return False
        return any(tag.value in (etag, "*") for tag in wanted)

    def _cached(self, request: web.Request) -> tuple[str, web.Response | None]:
        etag = self._etag(request)
        if self._not_modified(request, etag):
            return etag, web.Response(status=304, headers=self._headers(etag))
        return etag, None

    def _static(self, request: web.Request, body: _Body) -> web.Response:
        etag, answer = self._cached(request)
        if answer is not None:
            return answer
        headers = self._headers(etag)
        if accepts_gzip(request.headers.get(hdrs.ACCEPT_ENCODING, "")):
            headers[hdrs.CONTENT_ENCODING] = "gzip"
            return web.Response(body=body.gzipped, content_type=JSON, headers=headers)
        return web.Response(body=body.raw, content_type=JSON, headers=headers)

    def _dynamic(self, etag: str, record: Any) -> web.Response:
        response = web.Response(
            body=orjson.dumps(record), content_type=JSON, headers=self._headers(etag)
        )
        response.enable_compression()
        return response

    @staticmethod
    def _bad(err: ParamError) -> web.Response:
        return web.Response(status=400, body=param_error_body(str(err)), content_type=JSON)

    # Handlers.

    async def feed(self, request: web.Request) -> web.Response:
        """``GET /api/feed``: the feed's name, timezone, extent and sizes."""
        return self._static(request, self._feed)

    async def routes(self, request: web.Request) -> web.Response:
        """``GET /api/routes``: every route with its lines."""
        return self._static(request, self._routes)

    async def stops(self, request: web.Request) -> web.Response:
        """``GET /api/stops?bbox=&limit=``: the stops in a box, with their routes."""
        try:
            bbox = parse_bbox(request.query.get("bbox"))
            limit = parse_limit(request.query.get("limit"))
        except ParamError as err:
            return self._bad(err)
        etag, answer = self._cached(request)
        if answer is not None:
            return answer
        stops, truncated = self.network.stops_in(bbox, limit)
        return self._dynamic(etag, {"stops": [_stop(s) for s in stops], "truncated": truncated})

    async def search(self, request: web.Request) -> web.Response:
        """``GET /api/search?q=``: routes and stops matching the text."""
        try:
            q = parse_query(request.query.get("q"))
        except ParamError as err:
            return self._bad(err)
        etag, answer = self._cached(request)
        if answer is not None:
            return answer
        routes, stops = self.network.search_ranked(q, SEARCH_LIMIT)
        return self._dynamic(
            etag,
            {
                "routes": [
                    {
                        "id": r.route_id,
                        "label": r.label,
                        "long_name": r.long_name,
                        "color": r.color,
                        "rank": rank,
                    }
                    for r, rank in routes
                ],
                "stops": [
                    {
                        "id": s.stop_id,
                        "name": s.name,
                        "lat": s.lat,
                        "lon": s.lon,
                        "routes": s.route_ids,
                        "rank": rank,
                    }
                    for s, rank in stops
                ],
            },
        )


def add_api_routes(app: web.Application) -> Api:
    """Register ``/api/*`` on ``app`` (which holds the feed and its network); return the API."""
    api = Api(app[feed_key], app[network_key])
    app.router.add_get("/api/feed", api.feed, name="api_feed")
    app.router.add_get("/api/routes", api.routes, name="api_routes")
    app.router.add_get("/api/stops", api.stops, name="api_stops")
    app.router.add_get("/api/search", api.search, name="api_search")
    return api
