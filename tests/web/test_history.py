"""History through the real server: real buses as they reported, simulated ones sampled."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient

from bustrack.settings import Settings
from bustrack.web import history
from tests.conftest import SERVICE_DATE, eventually
from tests.web.test_ingest import LAT, LON, _bearer, _token
from tests.wsstate import vehicles_of

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]


def _settings(db: Path, **more: Any) -> Settings:
    return Settings(tick=0.2, start_time="09:00", service_date=SERVICE_DATE, db=str(db), **more)


def _count(db: Path, prefix: str) -> int:
    with sqlite3.connect(db) as conn:
        found = conn.execute("SELECT COUNT(*) FROM reports WHERE device LIKE ?", (prefix + "%",))
        return int(found.fetchone()[0])


async def test_a_real_bus_history_is_a_line_with_times(
    make_client: MakeClient, tmp_path: Path
) -> None:
    db = tmp_path / "b.db"
    token = _token(db, "bus-1", route_id="BEST_10AS")
    client = await make_client(_settings(db, history="off"))
    t0 = time.time() - 300
    batch = [{"lat": LAT + i * 1e-3, "lon": LON, "ts": t0 + 30 * i} for i in range(5)]
    resp = await client.post("/api/ingest", data=orjson.dumps(batch), headers=_bearer(token))
    assert resp.status == 200
    resp = await client.get(
        "/api/vehicles/dev/bus-1/history", params={"from": str(t0 + 10), "to": str(t0 + 200)}
    )
    assert resp.status == 200
    line = await resp.json()
    assert line["type"] == "Feature" and line["geometry"]["type"] == "LineString"
    coords = line["geometry"]["coordinates"]
    assert [c[1] for c in coords] == pytest.approx([LAT + i * 1e-3 for i in (1, 2, 3, 4)])
    assert line["properties"]["times"] == [round((t0 + 30 * i) * 1000) for i in (1, 2, 3, 4)]
    assert line["properties"]["route_id"] == "BEST_10AS"
    # Where was it 45 s after its third report? At its third report.
    resp = await client.get("/api/history", params={"at": str(t0 + 60 + 15)})
    at = await resp.json()
    assert [(v["id"], v["lat"]) for v in at["vehicles"]] == [("dev/bus-1", round(LAT + 2e-3, 6))]
    assert _count(db, "sim/") == 0  # --history off: no simulated bus stored


async def test_simulated_buses_are_sampled_so_history_works_out_of_the_box(
    make_client: MakeClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history, "SAMPLE_EVERY", 0.5)
    db = tmp_path / "b.db"
    client = await make_client(_settings(db))
    await eventually(lambda: _count(db, "sim/") > 4000, 20, "two samples of the city")
    resp = await client.get("/api/history", params={"bbox": "72.80,18.90,72.85,18.95"})
    buses = (await resp.json())["vehicles"]
    assert len(buses) > 10
    assert all(72.80 <= b["lon"] <= 72.85 and 18.90 <= b["lat"] <= 18.95 for b in buses)
    one = buses[0]["id"]
    assert not one.startswith(("sim/", "dev/"))
    line = await (await client.get(f"/api/vehicles/{one}/history")).json()
    assert len(line["geometry"]["coordinates"]) >= 1 and line["properties"]["id"] == one


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/api/history?at=yesterday", "at must be a time in Unix seconds"),
        ("/api/history?bbox=1,2,3", "bbox: bbox must be"),
        ("/api/vehicles/x/history?from=10&to=5", "from must not be after to"),
        ("/api/vehicles/x/history?from=0&to=999999", "at most 24 hours"),
    ],
)
async def test_bad_parameters_are_400_with_the_reason(
    make_client: MakeClient, tmp_path: Path, path: str, error: str
) -> None:
    client = await make_client(_settings(tmp_path / "b.db", history="off"))
    resp = await client.get(path)
    assert resp.status == 400
    assert error in (await resp.json())["error"]


async def test_a_restart_restores_real_buses_not_the_simulations_samples(
    make_client: MakeClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history, "SAMPLE_EVERY", 0.5)
    db = tmp_path / "b.db"
    first = await make_client(_settings(db))
    await eventually(lambda: _count(db, "sim/") > 1000, 20, "a sample of the city")
    await first.close()
    second = await make_client(_settings(db, source="none"))
    async with second.ws_connect("/ws") as ws:
        snapshot = orjson.loads((await ws.receive()).data)
    assert vehicles_of(snapshot) == []  # no ghost of the simulated city as "real" buses
