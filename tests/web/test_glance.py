"""Next buses at a glance over /ws: a client watching a few stops gets their next buses in
one ``glance`` frame when it subscribes, then again only when they changed."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import aiohttp
import orjson
from aiohttp import WSMsgType

from bustrack.live.glance import ETA_STEP_MS, GLANCE_ROWS
from bustrack.settings import Settings
from bustrack.wire.protocol import MAX_GLANCE
from tests.conftest import timeout
from tests.web.test_subscriptions import DADAR, MakeClient


async def _frame(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    msg = await ws.receive(timeout=timeout(10))
    assert msg.type == WSMsgType.TEXT, msg
    frame: dict[str, Any] = orjson.loads(msg.data)
    return frame


async def _next(ws: aiohttp.ClientWebSocketResponse, kind: str, seconds: float = 20) -> Any:
    """The next frame of ``kind``, skipping the fleet's (the only others allowed)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout(seconds)
    while True:
        assert loop.time() < deadline, f"no {kind} frame"
        frame = await _frame(ws)
        if frame["type"] == kind:
            return frame
        assert frame["type"] in ("snapshot", "update", "arrivals"), frame


async def _busy_stops(client: Any, count: int) -> list[dict[str, Any]]:
    """The ``count`` stops of most routes around Dadar: buses come to them at 09:00."""
    answer = await (await client.get("/api/stops?bbox=" + ",".join(map(str, DADAR)))).json()
    stops: list[dict[str, Any]] = answer["stops"]
    return sorted(stops, key=lambda s: (-len(s["routes"]), s["id"]))[:count]


async def test_a_glance_gives_each_stops_next_buses_then_only_news(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    stops = await _busy_stops(client, 4)
    ids = [s["id"] for s in stops]
    routes = {
        r["id"]: r["label"] for r in (await (await client.get("/api/routes")).json())["routes"]
    }
    async with client.ws_connect("/ws?bbox=" + ",".join(map(str, DADAR))) as ws:
        assert (await _frame(ws))["type"] == "snapshot"
        # The stop panel's stop too: its arrivals of the same tick tell what the glance says.
        subscribe = {"type": "subscribe", "bbox": DADAR, "stop": ids[0], "glance": ids[::-1]}
        await ws.send_str(orjson.dumps(subscribe).decode())
        while (frame := await _frame(ws))["type"] != "snapshot":
            assert frame["type"] in ("update", "arrivals")
        board = await _frame(ws)
        glance = await _frame(ws)
        assert (board["type"], glance["type"]) == ("arrivals", "glance")
        assert glance["ts"] == board["ts"]
        assert sorted(glance["stops"]) == sorted(ids)
        for stop in stops:
            rows = glance["stops"][stop["id"]]
            assert 1 <= len(rows) <= GLANCE_ROWS, stop
            labels = {routes[r] for r in stop["routes"]}
            assert all(r["route"] in labels for r in rows), (stop, rows)
            etas = [r["eta"] for r in rows]
            assert etas == sorted(etas) and all(e % ETA_STEP_MS == 0 for e in etas)
            assert all(e >= glance["ts"] - ETA_STEP_MS for e in etas)
        expected = [
            (a["route"], a["headsign"], a["live"], a["trip"])
            for a in board["arrivals"][:GLANCE_ROWS]
        ]
        shown = [(r["route"], r["headsign"], r["live"], r["trip"]) for r in glance["stops"][ids[0]]]
        assert shown == expected
        assert any(r["live"] for rows in glance["stops"].values() for r in rows)
        # Later ones come only when something changed: never the same twice in a row.
        later = [glance]
        while len(later) < 3:
            later.append(await _next(ws, "glance"))
        for before, after in itertools.pairwise(later):
            assert after["stops"] != before["stops"]
            assert after["ts"] > before["ts"]


async def test_an_unknown_or_excess_glance_is_an_error_that_changes_nothing(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    (stop,) = await _busy_stops(client, 1)
    async with client.ws_connect(f"/ws?glance={stop['id']}") as ws:
        assert (await _frame(ws))["type"] == "snapshot"
        assert list((await _frame(ws))["stops"]) == [stop["id"]]
        await ws.send_str(
            orjson.dumps({"type": "subscribe", "glance": [stop["id"], "NO_SUCH_STOP"]}).decode()
        )
        error = await _next(ws, "error")
        assert error["error"] == "subscribe: unknown stop 'NO_SUCH_STOP'"
        many = [stop["id"]] + [f"S{i}" for i in range(MAX_GLANCE)]
        await ws.send_str(orjson.dumps({"type": "subscribe", "glance": many}).decode())
        error = await _next(ws, "error")
        assert error["error"] == f"subscribe: at most {MAX_GLANCE} glance stops"
        # Nothing changed: the whole fleet's updates go on, and so does the glance.
        update = await _next(ws, "update")
        assert [p["c"] for p in update["parts"]] == ["all"]
        assert list((await _next(ws, "glance"))["stops"]) == [stop["id"]]


async def test_the_url_carries_the_glance_and_drops_an_unknown_stop(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    a, b = await _busy_stops(client, 2)
    async with client.ws_connect(f"/ws?glance={a['id']},NO_SUCH_STOP,{b['id']}") as ws:
        error = await _frame(ws)
        assert error["type"] == "error"
        assert error["error"] == "subscribe: unknown stop 'NO_SUCH_STOP'"
        kinds = [(await _frame(ws)) for _ in range(2)]
        assert [f["type"] for f in kinds] == ["snapshot", "glance"]
        assert sorted(kinds[1]["stops"]) == sorted([a["id"], b["id"]])
    many = ",".join(f"S{i}" for i in range(MAX_GLANCE + 1))
    assert (await client.get(f"/ws?glance={many}")).status == 400
