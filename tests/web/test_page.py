"""The page and its static assets, served by the app itself."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable

from aiohttp.test_utils import TestClient

from bustrack.settings import Settings
from bustrack.wire.protocol import PROTOCOL_VERSION

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]


def _config(html: str) -> dict[str, object]:
    m = re.search(r'<script type="application/json" id="config">(.*?)</script>', html, re.S)
    assert m, "the page carries no config"
    config: dict[str, object] = json.loads(m.group(1))
    return config


async def test_page_renders_the_map_with_config(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    resp = await client.get("/")
    assert resp.status == 200
    assert resp.content_type == "text/html"
    html = await resp.text()
    assert "/static/vendor/leaflet/leaflet.css" in html
    assert "/static/app/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    config = _config(html)
    assert config["protocol_version"] == PROTOCOL_VERSION
    assert config["ws_path"] == "/ws"
    assert config["tile_url"] == settings.tile_url
    (south, west), (north, east) = config["bounds"]  # type: ignore[misc]
    assert 18.8 < south < north < 19.4 and 72.7 < west < east < 73.2
    assert "BEST" in str(config["data_attribution"])


async def test_tile_settings_reach_the_page(make_client: MakeClient) -> None:
    tiles = "http://tiles.invalid/{z}/{x}/{y}.png"
    client = await make_client(
        Settings(start_time="09:00", tile_url=tiles, tile_attribution="Tiles &copy; Test</script>")
    )
    config = _config(await (await client.get("/")).text())
    assert config["tile_url"] == tiles
    assert config["tile_attribution"] == "Tiles &copy; Test</script>"


async def test_leaflet_is_served_from_npm_packages(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    for path in ("/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css"):
        resp = await client.get(path)
        assert resp.status == 200, path
        assert len(await resp.read()) > 10_000


async def test_app_modules_are_served(make_client: MakeClient, settings: Settings) -> None:
    client = await make_client(settings)
    html = await (await client.get("/")).text()
    scripts = re.findall(r'src="(/static/app/[^"]+\.js)"', html)
    assert scripts
    for path in scripts:
        resp = await client.get(path)
        assert resp.status == 200
        assert "javascript" in resp.content_type
    assert (await client.get("/static/app/../../setup.cfg")).status in (403, 404)
