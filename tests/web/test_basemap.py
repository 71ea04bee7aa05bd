"""``--basemap city.pmtiles``: checked at start, served with HTTP ranges, named by the page."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bustrack.settings import Settings, parse_settings
from bustrack.web.basemap import BasemapError, read_header
from bustrack.web.headers import content_security_policy
from tests.conftest import free_port
from tests.pmtiles_tiny import MAX_ZOOM, write_tiny_basemap
from tests.web.process import run_cli

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_basemap(tmp_path_factory.mktemp("basemap") / "tiny.pmtiles")


@pytest.fixture(scope="module")
def tiny_bytes(tiny: Path) -> bytes:
    return tiny.read_bytes()


def _config(html: str) -> dict[str, object]:
    m = re.search(r'<script type="application/json" id="config">(.*?)</script>', html, re.S)
    assert m, "the page carries no config"
    config: dict[str, object] = json.loads(m.group(1))
    return config


def test_the_setting_is_a_flag_with_an_empty_default() -> None:
    assert Settings().basemap == ""
    assert parse_settings(["--basemap", "city.pmtiles"], environ={}).basemap == "city.pmtiles"


def test_the_header_is_read(tiny: Path) -> None:
    header = read_header(tiny)
    assert (header.min_zoom, header.max_zoom) == (0, MAX_ZOOM)
    assert header.bounds == (72.7, 18.85, 73.1, 19.35)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"", "not a PMTiles file"),
        (b"<html>not found</html>" + bytes(200), "not a PMTiles file"),
        (b"PM\x02\x00" + bytes(200), "not a PMTiles file"),  # version 2's magic
        (b"PMTiles\x02" + bytes(200), "PMTiles version 2, not 3"),
        (b"PMTiles\x03" + bytes(20), "cut short (28 bytes, not even a header)"),
    ],
)
def test_what_is_not_a_pmtiles_v3_file_is_refused(tmp_path: Path, content: bytes, why: str) -> None:
    path = tmp_path / "bad.pmtiles"
    path.write_bytes(content)
    with pytest.raises(BasemapError, match=re.escape(why)):
        read_header(path)


def test_raster_tiles_are_refused(tmp_path: Path, tiny_bytes: bytes) -> None:
    raw = bytearray(tiny_bytes)
    raw[99] = 2  # tile type PNG
    path = tmp_path / "raster.pmtiles"
    path.write_bytes(bytes(raw))
    with pytest.raises(BasemapError, match="its tiles are PNG, not vector tiles"):
        read_header(path)


def test_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pmtiles"
    proc = run_cli("--basemap", str(missing), "--port", str(free_port()))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (
        f"bustrack: error: --basemap {missing}: no such file"
    )


def test_a_file_without_the_magic_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "city.pmtiles"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    proc = run_cli("--basemap", str(bad), "--port", str(free_port()))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error" in line]
    assert errors == [
        f"bustrack: error: --basemap {bad}: not a PMTiles file (it does not start with 'PMTiles')"
    ], proc.stderr


async def test_ranges_are_answered_with_206(
    make_client: MakeClient, settings: Settings, tiny: Path, tiny_bytes: bytes
) -> None:
    client = await make_client(dataclasses.replace(settings, basemap=str(tiny)))
    size = len(tiny_bytes)
    # What the PMTiles client asks first: the header and root directory in one range.
    resp = await client.get("/basemap.pmtiles", headers={"Range": "bytes=0-16383"})
    assert resp.status == 206
    body = await resp.read()
    assert body == tiny_bytes[:16384]  # the file is smaller: all of it
    assert body[:8] == b"PMTiles\x03"
    assert resp.headers["Content-Range"] == f"bytes 0-{size - 1}/{size}"
    assert resp.headers["Accept-Ranges"] == "bytes"
    etag = resp.headers["ETag"]
    assert etag and resp.headers["Last-Modified"]
    assert "max-age" in resp.headers["Cache-Control"]
    # A tile's bytes, in the middle.
    resp = await client.get("/basemap.pmtiles", headers={"Range": "bytes=100-126"})
    assert resp.status == 206
    assert resp.headers["Content-Range"] == f"bytes 100-126/{size}"
    assert await resp.read() == tiny_bytes[100:127]
    # No range: the whole file; revalidated: 304.
    resp = await client.get("/basemap.pmtiles")
    assert resp.status == 200
    assert await resp.read() == tiny_bytes
    resp = await client.get("/basemap.pmtiles", headers={"If-None-Match": etag})
    assert resp.status == 304


async def test_a_range_past_the_end_is_416(
    make_client: MakeClient, settings: Settings, tiny: Path, tiny_bytes: bytes
) -> None:
    client = await make_client(dataclasses.replace(settings, basemap=str(tiny)))
    size = len(tiny_bytes)
    resp = await client.get("/basemap.pmtiles", headers={"Range": f"bytes={size}-{size + 10}"})
    assert resp.status == 416
    assert resp.headers["Content-Range"] == f"bytes */{size}"


async def test_the_page_draws_the_basemap_instead_of_the_tiles(
    make_client: MakeClient, settings: Settings, tiny: Path
) -> None:
    client = await make_client(dataclasses.replace(settings, basemap=str(tiny)))
    resp = await client.get("/")
    html = await resp.text()
    basemap = _config(html)["basemap"]
    assert isinstance(basemap, dict)
    assert basemap["url"] == "/basemap.pmtiles"
    assert basemap["max_zoom"] == MAX_ZOOM
    assert "Protomaps" in basemap["attribution"] and "OpenStreetMap" in basemap["attribution"]
    assert '<script src="/static/vendor/protomaps-leaflet/protomaps-leaflet.js">' in html
    # No image from tile.openstreetmap.org any more.
    assert resp.headers["Content-Security-Policy"] == content_security_policy("")
    js = await client.get("/static/vendor/protomaps-leaflet/protomaps-leaflet.js")
    assert js.status == 200
    assert "protomapsL" in (await js.text())[:200]


async def test_without_a_basemap_the_page_uses_the_tiles(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    resp = await client.get("/")
    html = await resp.text()
    assert _config(html)["basemap"] is None
    assert "protomaps" not in html
    assert resp.headers["Content-Security-Policy"] == content_security_policy(settings.tile_url)
    assert (await client.get("/basemap.pmtiles")).status == 404


async def test_the_worker_keeps_the_basemap_and_its_renderer(
    make_client: MakeClient, settings: Settings, tiny: Path
) -> None:
    client = await make_client(dataclasses.replace(settings, basemap=str(tiny)))
    first = (await (await client.get("/sw.js")).text()).split("\n", 1)[0]
    config = json.loads(first.removeprefix("self.BUSTRACK_SW = ").removesuffix(";"))
    assert config["basemap"] == "/basemap.pmtiles"
    script = "/static/vendor/protomaps-leaflet/protomaps-leaflet.js"
    assert script in config["precache"] and "/basemap.pmtiles" not in config["precache"]
    assert (await client.get(script)).status == 200
    plain = await make_client(settings)
    first = (await (await plain.get("/sw.js")).text()).split("\n", 1)[0]
    config = json.loads(first.removeprefix("self.BUSTRACK_SW = ").removesuffix(";"))
    assert config["basemap"] is None
    assert not [u for u in config["precache"] if "protomaps" in u]
