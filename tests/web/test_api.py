"""The JSON API (docs/api.md) through a real server socket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bustrack.gtfs.model import Feed
from bustrack.settings import Settings
from bustrack.web import create_app
from bustrack.web.api import accepts_gzip
from tests.conftest import AiohttpClient
from tests.feeds import make_feed, make_trip

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]
GZIP = {"Accept-Encoding": "gzip"}
PLAIN = {"Accept-Encoding": "identity"}
CHURCHGATE = "72.81,18.92,72.84,18.94"


async def _json(client: TestClient, path: str, **headers: str) -> tuple[Any, Any]:  # type: ignore[type-arg]
    resp = await client.get(path, headers=headers or None)
    assert resp.status == 200, await resp.text()
    assert resp.content_type == "application/json"
    return await resp.json(), resp


async def test_feed_summary(make_client: MakeClient, settings: Settings, mumbai_feed: Feed) -> None:
    client = await make_client(settings)
    body, resp = await _json(client, "/api/feed")
    assert body == {
        "name": "BEST (Brihanmumbai Electric Supply and Transport)",
        "timezone": "Asia/Kolkata",
        "bbox": [72.78615, 18.90007, 73.10593, 19.31214],
        "routes": 419,
        "stops": 4694,
        "trips": 801,
        "version": "transitrouter-094704b-best-v1",
    }
    assert resp.headers["Cache-Control"] == "public, max-age=300"
    assert mumbai_feed.content_hash[:16] in resp.headers["ETag"]


async def test_routes_with_lines_colours_and_labels(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    body, _ = await _json(client, "/api/routes")
    routes = body["routes"]
    assert len(routes) == 419
    first = routes[0]
    assert set(first) == {
        "id", "label", "short_name", "long_name", "color", "text_color", "type", "bbox", "lines",
    }  # fmt: skip
    assert (first["id"], first["label"], first["type"]) == ("BEST_1AS", "1AS", 3)
    for route in routes:
        assert route["color"].startswith("#") and len(route["color"]) == 7
        assert route["lines"], route["id"]
        west, south, east, north = route["bbox"]
        for line in route["lines"]:
            assert len(line) >= 2
            for lat, lon in line:
                assert south <= lat <= north and west <= lon <= east
                assert round(lat, 5) == lat and round(lon, 5) == lon


async def test_static_bodies_are_gzipped_when_accepted(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    zipped, resp = await _json(client, "/api/routes", **GZIP)
    assert resp.headers["Content-Encoding"] == "gzip"
    assert resp.headers["Vary"] == "Accept-Encoding"
    plain, resp = await _json(client, "/api/routes", **PLAIN)
    assert "Content-Encoding" not in resp.headers
    assert zipped == plain
    length = int(resp.headers["Content-Length"])
    raw = await client.get("/api/routes", headers=GZIP, auto_decompress=False)
    assert int(raw.headers["Content-Length"]) < length / 3


async def test_dynamic_answers_are_compressed_when_accepted(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    zipped, resp = await _json(client, f"/api/stops?bbox={CHURCHGATE}", **GZIP)
    assert resp.headers["Content-Encoding"] == "gzip"
    plain, resp = await _json(client, f"/api/stops?bbox={CHURCHGATE}", **PLAIN)
    assert "Content-Encoding" not in resp.headers
    assert zipped == plain


@pytest.mark.parametrize(
    "path", ["/api/feed", "/api/routes", f"/api/stops?bbox={CHURCHGATE}", "/api/search?q=church"]
)
async def test_etag_and_if_none_match(
    make_client: MakeClient, settings: Settings, path: str
) -> None:
    client = await make_client(settings)
    _, first = await _json(client, path)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = await client.get(path, headers={"If-None-Match": etag})
    assert again.status == 304
    assert await again.read() == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "public, max-age=300"
    listed = await client.get(path, headers={"If-None-Match": f'"other", {etag}'})
    assert listed.status == 304
    stale = await client.get(path, headers={"If-None-Match": 'W/"0000-0000"'})
    assert stale.status == 200


async def test_etags_differ_by_query(make_client: MakeClient, settings: Settings) -> None:
    client = await make_client(settings)
    _, a = await _json(client, "/api/search?q=church")
    _, b = await _json(client, "/api/search?q=colaba")
    _, c = await _json(client, "/api/search?q=church")
    assert a.headers["ETag"] != b.headers["ETag"]
    assert a.headers["ETag"] == c.headers["ETag"]


async def test_stops_in_a_box_with_their_routes(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    body, _ = await _json(client, f"/api/stops?bbox={CHURCHGATE}")
    assert body["truncated"] is False
    stops = body["stops"]
    assert 10 < len(stops) < 2000
    for stop in stops:
        assert set(stop) == {"id", "name", "lat", "lon", "routes"}
        assert 18.92 <= stop["lat"] <= 18.94 and 72.81 <= stop["lon"] <= 72.84
    by_id = {s["id"]: s for s in stops}
    routes, _ = await _json(client, "/api/routes")
    labels = {r["id"]: r["label"] for r in routes["routes"]}
    order = [r["id"] for r in routes["routes"]]
    for stop in stops:
        assert all(r in labels for r in stop["routes"])
        assert stop["routes"] == sorted(stop["routes"], key=order.index)
    assert any(s["routes"] for s in by_id.values())


async def test_stops_are_limited_and_say_when_truncated(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    body, _ = await _json(client, "/api/stops")
    assert len(body["stops"]) == 2000 and body["truncated"] is True
    body, _ = await _json(client, "/api/stops?limit=10000")
    assert len(body["stops"]) == 4694 and body["truncated"] is False
    body, _ = await _json(client, f"/api/stops?bbox={CHURCHGATE}&limit=5")
    assert len(body["stops"]) == 5 and body["truncated"] is True


async def test_search_routes_by_number_and_stops_by_name(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    body, _ = await _json(client, "/api/search?q=1as")
    assert body["routes"][0] == {
        "id": "BEST_1AS",
        "label": "1AS",
        "long_name": "Santacruz Depot ⇆ Chhatrapati Shivaji Maharaj Terminus(Csmt)",
        "color": body["routes"][0]["color"],
        "rank": 0,  # the exact route number (bustrack/search.py)
    }
    body, _ = await _json(client, "/api/search?q=AFGHAN%20church")
    (stop,) = body["stops"]
    assert {k: v for k, v in stop.items() if k != "routes"} == {
        "id": "BEST_01001",
        "name": "Afghan Church",
        "lat": 18.90718,
        "lon": 72.81698,
        "rank": 2,  # a stop named as the query
    }
    # The routes that stop there, as /api/stops gives them: they tell apart same-name stops.
    stops, _ = await _json(client, "/api/stops?bbox=72.8169,18.9071,72.8171,18.9073")
    same = [s for s in stops["stops"] if s["id"] == "BEST_01001"]
    assert stop["routes"] and stop["routes"] == same[0]["routes"]
    body, _ = await _json(client, "/api/search?q=church")
    assert len(body["routes"]) <= 10 and len(body["stops"]) == 10


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/api/stops?bbox=abc", "bbox must be west,south,east,north in degrees"),
        ("/api/stops?bbox=72.8,18.9,72.9", "bbox must be west,south,east,north in degrees"),
        ("/api/stops?bbox=72.8,18.9,72.9,nan", "bbox must be west,south,east,north in degrees"),
        ("/api/stops?bbox=72.8,18.9,190,19", "bbox '72.8,18.9,190,19' is out of range"),
        (
            "/api/stops?bbox=72.9,18.9,72.8,19",
            "bbox '72.9,18.9,72.8,19' has west > east or south > north",
        ),
        ("/api/stops?limit=0", "limit must be a whole number from 1 to 10000, not '0'"),
        ("/api/stops?limit=ten", "limit must be a whole number from 1 to 10000, not 'ten'"),
        ("/api/stops?limit=10001", "limit must be a whole number from 1 to 10000"),
        ("/api/search", "q is required"),
        ("/api/search?q=%20%20", "q is required"),
        ("/api/search?q=" + "x" * 101, "q must be at most 100 characters, not 101"),
    ],
)
async def test_bad_parameters_are_a_400_naming_them(
    make_client: MakeClient, settings: Settings, path: str, error: str
) -> None:
    client = await make_client(settings)
    resp = await client.get(path)
    assert resp.status == 400
    assert resp.content_type == "application/json"
    body = await resp.json()
    assert set(body) == {"error"}
    assert body["error"].startswith(error)


async def test_a_feed_built_in_memory_still_gets_etags(
    aiohttp_client: AiohttpClient, settings: Settings
) -> None:
    feed = make_feed([make_trip("T1", [("08:00:00",) * 2, ("08:05:00",) * 2, ("08:10:00",) * 2])])
    assert feed.content_hash == ""
    app: web.Application = create_app(settings, feed=feed)
    client = await aiohttp_client(app)
    body, resp = await _json(client, "/api/routes")
    assert [r["label"] for r in body["routes"]] == ["7", "Night Special"]
    again = await client.get("/api/routes", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status == 304


@pytest.mark.parametrize(
    ("header", "gzip"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("deflate, GZIP;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
        ("x-gzip", True),
    ],
)
def test_accepts_gzip(header: str, gzip: bool) -> None:
    assert accepts_gzip(header) is gzip
