"""Positions in through the real server: tokens, per-report checks, idempotent retries,
limits, the OsmAnd protocol, and the real bus on /ws."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp.test_utils import TestClient

from bustrack.settings import Settings
from bustrack.sources.osmand import KNOT_MS
from bustrack.store import SQLiteStore
from tests.conftest import SERVICE_DATE, timeout
from tests.wsstate import ClientState

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]

# Near Churchgate, inside the bundled feed's area.
LAT, LON = 18.9322, 72.8264


def _settings(db: Path, **more: Any) -> Settings:
    return Settings(tick=0.2, start_time="09:00", service_date=SERVICE_DATE, db=str(db), **more)


def _token(db: Path, device: str = "bus-1", **binding: str) -> str:
    """Add ``device`` to the database at ``db`` as the CLI does; return its token."""
    store = SQLiteStore(db)
    token = store.add_device(device, time.time(), **binding)
    store.close_now()
    return token


def _stored(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        sql = "SELECT device, ts_ms, lat, lon, speed FROM reports WHERE device NOT LIKE 'sim/%'"
        return list(conn.execute(sql + " ORDER BY 2"))


def _report(i: int, **more: Any) -> dict[str, Any]:
    return {"lat": LAT + i * 1e-4, "lon": LON, "ts": time.time() - 60 + i, **more}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_without_a_valid_token_nothing_is_stored(
    make_client: MakeClient, tmp_path: Path
) -> None:
    db = tmp_path / "b.db"
    token = _token(db)
    client = await make_client(_settings(db))
    body = orjson.dumps([_report(0)])
    for headers in ({}, _bearer("wrong"), {"Authorization": f"Basic {token}"}):
        resp = await client.post("/api/ingest", data=body, headers=headers)
        assert resp.status == 401, headers
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert _stored(db) == []


async def test_every_field_a_device_sends_is_stored_direction_id_too(
    make_client: MakeClient, tmp_path: Path
) -> None:
    db = tmp_path / "b.db"
    token = _token(db)
    client = await make_client(_settings(db))
    sent = [_report(0, route_id="BEST_10AS", direction_id=1, occupancy="FULL")]
    resp = await client.post("/api/ingest", data=orjson.dumps(sent), headers=_bearer(token))
    assert resp.status == 200 and (await resp.json())["stored"] == 1
    with sqlite3.connect(db) as conn:
        rows = list(conn.execute("SELECT route_id, direction_id, occupancy FROM reports"
                                 " WHERE device = 'bus-1'"))  # fmt: skip
    assert rows == [("BEST_10AS", 1, "FULL")]
    bad = [_report(1, route_id="BEST_10AS", direction_id=3)]
    answer = await (
        await client.post("/api/ingest", data=orjson.dumps(bad), headers=_bearer(token))
    ).json()
    assert "direction_id must be 0 or 1" in answer["results"][0]["error"]


async def test_each_report_is_checked_on_its_own_and_the_good_ones_stored(
    make_client: MakeClient, tmp_path: Path
) -> None:
    db = tmp_path / "b.db"
    token = _token(db)
    client = await make_client(_settings(db))
    batch = [
        _report(0, speed=8),
        {**_report(1), "lat": 95},
        {**_report(2), "lon": "nan"},
        {**_report(3), "ts": time.time() + 7200},
        _report(4, device="bus-1"),
        _report(5, device="someone-else"),
        {**_report(6), "lat": LAT + 0.5, "ts": time.time() - 50},  # 55 km in a second
        "not a report",
        _report(8),
    ]
    resp = await client.post("/api/ingest", data=orjson.dumps(batch), headers=_bearer(token))
    assert resp.status == 200
    answer = await resp.json()
    assert (answer["accepted"], answer["stored"], answer["refused"]) == (3, 3, 6)
    errors = {r["i"]: r.get("error", "") for r in answer["results"]}
    assert errors[0] == errors[4] == errors[8] == ""
    assert "lat 95 is outside" in errors[1]
    assert "lon must be a finite number" in errors[2]
    assert "in the future" in errors[3]
    assert "not this token's device" in errors[5]
    assert "GPS jump" in errors[6]
    assert "JSON object" in errors[7]
    rows = _stored(db)
    assert [r[0] for r in rows] == ["bus-1"] * 3
    assert rows[0][4] == 8.0


async def test_a_retried_batch_is_acknowledged_and_stored_once(
    make_client: MakeClient, tmp_path: Path
) -> None:
    db = tmp_path / "b.db"
    token = _token(db)
    client = await make_client(_settings(db))
    body = orjson.dumps([_report(i) for i in range(10)])
    first = await (await client.post("/api/ingest", data=body, headers=_bearer(token))).json()
    again = await (await client.post("/api/ingest", data=body, headers=_bearer(token))).json()
    assert first["stored"] == 10 and again["stored"] == 0 and again["accepted"] == 10
    assert all(r["ok"] and not r["stored"] for r in again["results"])
    assert len(_stored(db)) == 10


async def test_too_big_a_body_or_batch_is_413(make_client: MakeClient, tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    token = _token(db)
    client = await make_client(_settings(db))
    many = orjson.dumps([_report(0)] * 1001)
    assert (await client.post("/api/ingest", data=many, headers=_bearer(token))).status == 413
    huge = io.BytesIO(b"[" + b" " * (2 * 1024 * 1024) + b"]")
    assert (await client.post("/api/ingest", data=huge, headers=_bearer(token))).status == 413
    bad = await client.post("/api/ingest", data=b"{not json", headers=_bearer(token))
    assert bad.status == 400 and "not JSON" in await bad.text()
    assert _stored(db) == []


async def test_the_osmand_protocol_of_traccar_client(
    make_client: MakeClient, tmp_path: Path
) -> None:
    db = tmp_path / "b.db"
    token = _token(db, "phone-7")
    client = await make_client(_settings(db))
    ts = int(time.time()) - 30
    query = {"id": "phone-7", "lat": str(LAT), "lon": str(LON), "timestamp": str(ts),
             "speed": "10", "token": token}  # fmt: skip
    resp = await client.get("/api/ingest/osmand", params=query)
    assert resp.status == 200 and (await resp.text()).strip() == "OK"
    coords = {"latitude": LAT + 0.0005, "longitude": LON, "speed": 4.0, "heading": 10}
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts + 10))
    body = {"device_id": "phone-7", "location": {"timestamp": when, "coords": coords}}
    resp = await client.post("/api/ingest/osmand", json=body, headers=_bearer(token))
    assert resp.status == 200
    bad = await client.get("/api/ingest/osmand", params={**query, "lat": "abc"})
    assert bad.status == 400 and "lat 'abc' is not a number" in await bad.text()
    no_token = await client.get(
        "/api/ingest/osmand", params={k: v for k, v in query.items() if k != "token"}
    )
    assert no_token.status == 401
    rows = _stored(db)
    assert [r[1] for r in rows] == [ts * 1000, (ts + 10) * 1000]
    assert rows[0][4] == pytest.approx(10 * KNOT_MS) and rows[1][4] == 4.0


async def test_a_real_bus_shows_on_the_map_with_its_route(
    make_client: MakeClient, tmp_path: Path
) -> None:
    db = tmp_path / "b.db"
    token = _token(db, "bus-9", route_id="BEST_10AS")
    client = await make_client(_settings(db, source="none"))
    async with client.ws_connect("/ws") as ws:
        state = ClientState()
        state.apply(orjson.loads((await ws.receive(timeout=timeout(10))).data))
        assert state.vehicles == {}  # --source none: no simulated bus
        body = orjson.dumps([_report(0, bearing=45)])
        assert (await client.post("/api/ingest", data=body, headers=_bearer(token))).status == 200

        async def next_frame() -> None:
            state.apply(orjson.loads((await ws.receive(timeout=timeout(10))).data))

        for _ in range(20):
            await next_frame()
            if "dev/bus-9" in state.vehicles:
                break
    bus = state.vehicles["dev/bus-9"]
    assert (bus["lat"], bus["lon"]) == (round(LAT * 1e5), round(LON * 1e5))
    assert bus["route"] == "10AS" or bus["route_id"] == "BEST_10AS", bus
    assert bus["bearing"] == 45


async def test_a_restarted_server_shows_the_buses_that_reported_recently(
    make_client: MakeClient, tmp_path: Path
) -> None:
    db = tmp_path / "b.db"
    token = _token(db, "bus-4")
    first = await make_client(_settings(db, source="none"))
    body = orjson.dumps([_report(0)])
    assert (await first.post("/api/ingest", data=body, headers=_bearer(token))).status == 200
    await first.close()
    second = await make_client(_settings(db, source="none"))
    async with second.ws_connect("/ws") as ws:
        state = ClientState()
        state.apply(orjson.loads((await ws.receive(timeout=timeout(10))).data))
    assert "dev/bus-4" in state.vehicles  # in the very first snapshot


async def test_a_full_batch_arrives_whole_however_it_is_chunked(
    make_client: MakeClient, tmp_path: Path
) -> None:
    db = tmp_path / "b.db"
    token = _token(db)
    client = await make_client(_settings(db))

    async def in_pieces() -> AsyncIterator[bytes]:
        body = orjson.dumps([_report(0, accuracy=5) for _ in range(1)] + [
            {**_report(0), "ts": time.time() - 600 + i / 10} for i in range(999)
        ])  # fmt: skip
        for start in range(0, len(body), 4096):  # as a slow phone link delivers it
            yield body[start : start + 4096]
            await asyncio.sleep(0)

    resp = await client.post("/api/ingest", data=in_pieces(), headers=_bearer(token))
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["accepted"] == 1000
