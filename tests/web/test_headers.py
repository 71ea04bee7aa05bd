"""Security headers and CORS on every answer (bustrack/web/headers.py), through the real server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp.test_utils import TestClient

from bustrack.settings import Settings
from bustrack.web.headers import content_security_policy, is_public_read

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]


def test_the_policy_allows_only_the_pages_own_origin_and_the_tiles_host() -> None:
    csp = content_security_policy("https://{s}.tile.example.org/{z}/{x}/{y}.png")
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "img-src 'self' data: blob: https://*.tile.example.org" in csp
    assert "img-src 'self' data: blob:;" in content_security_policy("/tiles/{z}/{x}/{y}.png")


def test_which_paths_other_origins_may_read() -> None:
    assert is_public_read("/api/routes") and is_public_read("/gtfs-rt/alerts.pb")
    assert not is_public_read("/api/ingest") and not is_public_read("/api/ingest/osmand")
    assert not is_public_read("/") and not is_public_read("/ws")


async def test_every_answer_carries_the_headers_and_only_public_data_has_cors(
    make_client: MakeClient,
) -> None:
    client = await make_client(Settings(start_time="09:00"))
    for path in ("/", "/api/routes", "/gtfs-rt/vehicle-positions.pb", "/no/such/page"):
        resp = await client.get(path)
        assert "unsafe-inline" not in resp.headers["Content-Security-Policy"], path
        assert resp.headers["X-Content-Type-Options"] == "nosniff", path
        assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"], path
    page = await client.get("/")
    assert "Access-Control-Allow-Origin" not in page.headers
    api = await client.get("/api/routes", headers={"Origin": "https://other.example"})
    assert api.headers["Access-Control-Allow-Origin"] == "*"
    feed = await client.get("/gtfs-rt/vehicle-positions.pb")
    assert feed.headers["Access-Control-Allow-Origin"] == "*"
    ingest = await client.post("/api/ingest", json=[], headers={"Origin": "https://other.example"})
    assert ingest.status == 401
    assert "Access-Control-Allow-Origin" not in ingest.headers
    assert ingest.headers["X-Content-Type-Options"] == "nosniff"
