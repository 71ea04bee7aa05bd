"""The page as an app on the home screen (bustrack/web/pwa.py): the manifest, its icons, the
favicon, the service worker's script and the policy that lets them in."""

from __future__ import annotations

import re
import struct
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp.test_utils import TestClient

from bustrack.settings import Settings
from bustrack.web.headers import content_security_policy
from bustrack.web.pwa import MANIFEST_TYPE, STOPS_ALL, THEME_COLOR, worker_config

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_the_manifest_makes_the_page_installable(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    resp = await client.get("/manifest.webmanifest")
    assert resp.status == 200
    assert resp.content_type == MANIFEST_TYPE
    manifest = await resp.json(content_type=MANIFEST_TYPE)
    assert manifest["short_name"] == "bustrack" and manifest["name"]
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == THEME_COLOR
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    icons = manifest["icons"]
    kinds = {(i["sizes"], i["type"], i.get("purpose", "any")) for i in icons}
    assert {
        ("any", "image/svg+xml", "any"),
        ("192x192", "image/png", "any"),
        ("512x512", "image/png", "any"),
        ("192x192", "image/png", "maskable"),
        ("512x512", "image/png", "maskable"),
    } <= kinds
    for icon in icons:
        answer = await client.get(icon["src"])
        assert answer.status == 200, icon["src"]
        assert answer.content_type == icon["type"], icon["src"]
        body = await answer.read()
        if icon["type"] == "image/png":
            size = int(icon["sizes"].split("x")[0])
            assert _png_size(body) == (size, size), icon["src"]
        else:
            assert body.lstrip().startswith(b"<svg"), icon["src"]


async def test_the_page_links_the_manifest_and_its_icons(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    html = await (await client.get("/")).text()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert f'<meta name="theme-color" content="{THEME_COLOR}">' in html
    links = re.findall(r'<link rel="(icon|apple-touch-icon)" href="([^"]+)"', html)
    assert {rel for rel, _ in links} == {"icon", "apple-touch-icon"}
    for rel, href in links:
        resp = await client.get(href)
        assert resp.status == 200, href
        if rel == "apple-touch-icon":
            assert _png_size(await resp.read()) == (180, 180)


async def test_there_is_a_favicon(make_client: MakeClient, settings: Settings) -> None:
    client = await make_client(settings)
    resp = await client.get("/favicon.ico")
    assert resp.status == 200
    assert resp.content_type == "image/x-icon"
    ico = await resp.read()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, 1)
    width, height, *_, size, offset = struct.unpack("<BBBBHHII", ico[6:22])
    assert (width, height) == (32, 32)
    assert _png_size(ico[offset : offset + size]) == (32, 32)


async def test_the_service_worker_is_served_at_the_root_uncached_and_versioned(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    resp = await client.get("/sw.js")
    assert resp.status == 200
    assert resp.content_type == "text/javascript"
    assert resp.headers["Cache-Control"] == "no-cache"
    script = await resp.text()
    first, rest = script.split("\n", 1)
    assert first.startswith("self.BUSTRACK_SW = {") and first.endswith("};")
    assert rest == (ROOT / "frontend" / "src" / "sw.js").read_text()
    # Its CSP lets it fetch from the page's origin only.
    assert "connect-src 'self'" in resp.headers["Content-Security-Policy"]
    assert "Access-Control-Allow-Origin" not in resp.headers


async def test_what_the_worker_precaches_is_served_and_nothing_live_is(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    leaflet = ROOT / "frontend" / "node_modules" / "leaflet" / "dist"
    config = worker_config(ROOT / "frontend" / "src", leaflet)
    precache = config["precache"]
    assert config["stopsAll"] == STOPS_ALL in precache
    for url in ("/", "/api/routes", "/static/app/main.js", "/static/app/i18n/mr.js"):
        assert url in precache
    assert "/static/vendor/leaflet/leaflet.js" in precache
    assert "/static/vendor/leaflet/images/marker-icon.png" in precache
    assert not [
        u
        for u in precache
        if u.startswith(("/ws", "/api/ingest", "/gtfs-rt/", "/api/history", "/api/search"))
    ]
    assert "/static/app/sw.js" not in precache
    # The worker's own part for the basemap, imported by it, is precached like the page's files.
    assert "/static/app/sw.basemap.js" in precache
    assert config["basemap"] is None
    for url in precache:
        resp = await client.get(url)
        assert resp.status == 200, url
    stops = await (await client.get(STOPS_ALL)).json()
    assert not stops["truncated"], "every stop must fit in the worker's copy"


def test_the_version_follows_the_files_and_the_feed(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "icons").mkdir(parents=True)
    (src / "main.js").write_text("one")
    (src / "icons" / "bus.svg").write_text("<svg/>")
    (src / "sw.js").write_text("the worker")
    leaflet = tmp_path / "leaflet"
    (leaflet / "images").mkdir(parents=True)
    for name in ("leaflet.js", "leaflet.css", "images/layers.png"):
        (leaflet / name).write_text(name)
    before = worker_config(src, leaflet)
    assert "/static/app/icons/bus.svg" in before["precache"]
    assert "/static/vendor/leaflet/images/layers.png" in before["precache"]
    assert worker_config(src, leaflet)["version"] == before["version"]
    assert worker_config(src, leaflet, "another feed")["version"] != before["version"]
    (src / "main.js").write_text("two")
    assert worker_config(src, leaflet)["version"] != before["version"]


def test_the_policy_lets_the_worker_and_the_manifest_come_from_the_page_only() -> None:
    csp = content_security_policy("https://{s}.tile.example.org/{z}/{x}/{y}.png")
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["worker-src"] == "'self'"
    assert directives["manifest-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
