"""Subscriptions over /ws: a client gets only what it looks at, built from shared parts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import orjson
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient

from bustrack.settings import Settings
from bustrack.web.keys import hub_key
from bustrack.wire.channels import Subscription, channels_for, vehicle_channels
from tests.conftest import eventually, timeout
from tests.wsstate import ClientState, vehicles_of

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]

# Around Dadar, one of the busiest parts of the network; and a whole-city box.
DADAR = [72.835, 19.010, 72.855, 19.030]
WORLI = [72.805, 18.995, 72.825, 19.015]
CITY = [72.5, 18.5, 73.5, 19.5]


async def _frame(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    msg = await ws.receive(timeout=timeout(5))
    assert msg.type == WSMsgType.TEXT, msg
    frame: dict[str, Any] = orjson.loads(msg.data)
    return frame


def _in_channels(v: dict[str, Any], channels: tuple[str, ...]) -> bool:
    chans = vehicle_channels(v["lat"] / 1e5, v["lon"] / 1e5, v["route_id"])
    return bool(set(chans) & set(channels))


async def _collect(ws: aiohttp.ClientWebSocketResponse, frames: list[dict[str, Any]]) -> None:
    while True:
        frames.append(await _frame(ws))


async def _states_at_common_ts(
    a: aiohttp.ClientWebSocketResponse,
    b: aiohttp.ClientWebSocketResponse,
    fa: list[dict[str, Any]],
    fb: list[dict[str, Any]],
    ticks: int = 4,
) -> tuple[ClientState, ClientState]:
    """Read both sockets for a few more ticks after the frames already read (``fa``, ``fb``,
    each starting with a snapshot); return both states at the same last tick."""
    ticks += max(len(fa), len(fb))
    tasks = [asyncio.create_task(_collect(a, fa)), asyncio.create_task(_collect(b, fb))]
    try:
        await eventually(lambda: len(fa) >= ticks and len(fb) >= ticks, 20, f"{ticks} frames each")
        common = min(fa[-1]["ts"], fb[-1]["ts"])
        await eventually(
            lambda: any(f["ts"] == common for f in fa) and any(f["ts"] == common for f in fb),
            10,
            "both sockets to have the same tick",
        )
    finally:
        for t in tasks:
            t.cancel()
    sa, sb = ClientState(), ClientState()
    for frames, state in ((fa, sa), (fb, sb)):
        for f in frames:
            if f["ts"] <= common:
                state.apply(f)
    assert sa.ts == sb.ts == common
    return sa, sb


async def test_a_viewport_client_sees_exactly_its_tiles(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    channels = channels_for(Subscription(tuple(DADAR)))  # type: ignore[arg-type]
    async with client.ws_connect("/ws") as whole, client.ws_connect("/ws") as phone:
        whole_frames = [await _frame(whole)]
        await _frame(phone)
        await phone.send_str(orjson.dumps({"type": "subscribe", "bbox": DADAR}).decode())
        snap = await _frame(phone)
        while snap["type"] != "snapshot":
            snap = await _frame(phone)
        assert sorted(p["c"] for p in snap["parts"]) == sorted(channels)
        everything, mine = await _states_at_common_ts(whole, phone, whole_frames, [snap])
        expected = {vid: v for vid, v in everything.vehicles.items() if _in_channels(v, channels)}
        assert 0 < len(expected) < len(everything.vehicles) / 4
        assert mine.vehicles.keys() == expected.keys()
        for vid, v in mine.vehicles.items():
            assert {k: v[k] for k in ("lat", "lon", "bearing", "route")} == {
                k: expected[vid][k] for k in ("lat", "lon", "bearing", "route")
            }


async def test_changing_the_viewport_resends_a_snapshot_of_the_new_view(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    async with client.ws_connect("/ws?bbox=" + ",".join(map(str, DADAR))) as ws:
        first = await _frame(ws)
        assert first["type"] == "snapshot"
        dadar = {p["c"] for p in first["parts"]}
        assert dadar == set(channels_for(Subscription(tuple(DADAR))))  # type: ignore[arg-type]
        await ws.send_str(orjson.dumps({"type": "subscribe", "bbox": WORLI}).decode())
        frame = await _frame(ws)
        while frame["type"] != "snapshot":
            frame = await _frame(ws)
        worli = {p["c"] for p in frame["parts"]}
        assert worli == set(channels_for(Subscription(tuple(WORLI))))  # type: ignore[arg-type]
        assert worli != dadar
        # Updates now come for the new tiles.
        upd = await _frame(ws)
        assert {p["c"] for p in upd["parts"]} == worli
        # Zoomed out to the city: the whole fleet in one part.
        await ws.send_str(orjson.dumps({"type": "subscribe", "bbox": CITY}).decode())
        frame = await _frame(ws)
        while frame["type"] != "snapshot":
            frame = await _frame(ws)
        assert [p["c"] for p in frame["parts"]] == ["all"]
        assert len(vehicles_of(frame)) > 1000


async def test_a_route_filter_gets_that_route_wherever_it_is(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    async with client.ws_connect("/ws") as ws:
        everything = vehicles_of(await _frame(ws))
        route = max(
            {v["route_id"] for v in everything},
            key=lambda r: sum(v["route_id"] == r for v in everything),
        )
        await ws.send_str(
            orjson.dumps({"type": "subscribe", "bbox": DADAR, "routes": [route]}).decode()
        )
        frame = await _frame(ws)
        while frame["type"] != "snapshot":
            frame = await _frame(ws)
        mine = vehicles_of(frame)
        assert mine and all(v["route_id"] == route for v in mine)
        assert len(mine) == sum(v["route_id"] == route for v in everything)


async def test_a_route_id_holding_the_key_separator_breaks_no_tick(
    make_client: MakeClient, settings: Settings
) -> None:
    # Found by tests/fuzz: routes ["a|b"] made the channel key "r/a|b", read back as the
    # channels "r/a" and "b"; "b" is no channel, and every tick failed while it was there.
    client = await make_client(settings)
    async with client.ws_connect("/ws") as odd, client.ws_connect("/ws") as other:
        assert (await _frame(odd))["type"] == "snapshot"  # of everything, on connecting
        await odd.send_str('{"type": "subscribe", "routes": ["a|b", "x%7Cy", "%"]}')
        frame = await _frame(odd)
        while frame["type"] != "snapshot":
            frame = await _frame(odd)
        assert sorted(p["c"] for p in frame["parts"]) == ["r/%", "r/a|b", "r/x%7Cy"]
        assert (await _frame(odd))["type"] == "update"
        kinds = [(await _frame(other))["type"] for _ in range(4)]
        assert kinds == ["snapshot", "update", "update", "update"]


async def test_a_bad_subscribe_changes_nothing(make_client: MakeClient, settings: Settings) -> None:
    client = await make_client(settings)
    async with client.ws_connect("/ws?bbox=" + ",".join(map(str, DADAR))) as ws:
        first = await _frame(ws)
        channels = {p["c"] for p in first["parts"]}
        await ws.send_str('{"type": "subscribe", "bbox": [73, 19, 72, 18]}')
        frame = await _frame(ws)
        while frame["type"] != "error":
            frame = await _frame(ws)
        assert "west < east" in frame["error"]
        upd = await _frame(ws)
        assert upd["type"] == "update"
        assert {p["c"] for p in upd["parts"]} == channels


async def test_a_bad_subscription_url_is_refused(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    resp = await client.get("/ws?bbox=1,2,3")
    assert resp.status == 400
    assert "bbox" in await resp.text()


async def test_a_storm_of_connects_and_disconnects_is_survived(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    hub = client.app[hub_key]  # type: ignore[union-attr]
    async with client.ws_connect("/ws") as steady:
        await _frame(steady)

        async def hit_and_run(i: int) -> None:
            ws = await client.ws_connect("/ws?bbox=" + ",".join(map(str, DADAR)))
            if i % 2:
                await ws.receive(timeout=timeout(10))  # some read their snapshot first
            await ws.close()

        for _ in range(5):
            await asyncio.gather(*(hit_and_run(i) for i in range(100)))
        # The steady client still gets its updates, and no socket was leaked.
        frame = await _frame(steady)
        while frame["type"] != "update":
            frame = await _frame(steady)
        deadline = asyncio.get_running_loop().time() + timeout(10)
        while len(hub.clients) != 1:
            assert asyncio.get_running_loop().time() < deadline, len(hub.clients)
            await asyncio.sleep(0.05)


async def test_a_stop_subscription_gets_its_arrivals_every_tick(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    async with client.ws_connect("/ws?bbox=" + ",".join(map(str, DADAR))) as ws:
        await _frame(ws)
        # The busiest stop in view: some bus must be coming live.
        stops = (await (await client.get("/api/stops?bbox=" + ",".join(map(str, DADAR)))).json())[
            "stops"
        ]
        stop = max(stops, key=lambda s: len(s["routes"]))
        await ws.send_str(
            orjson.dumps({"type": "subscribe", "bbox": DADAR, "stop": stop["id"]}).decode()
        )
        kinds: list[str] = []
        boards: list[dict[str, Any]] = []
        while len(boards) < 3:
            frame = await _frame(ws)
            kinds.append(frame["type"])
            if frame["type"] == "arrivals":
                boards.append(frame)
        # A snapshot first (new subscription), then one board after each frame.
        assert kinds[0] == "snapshot" and kinds[1] == "arrivals"
        assert kinds.count("update") >= 2
        for board in boards:
            assert board["stop"]["id"] == stop["id"]
            assert board["stop"]["name"] == stop["name"]
            etas = [a["eta"] for a in board["arrivals"]]
            assert etas == sorted(etas)
            assert all(a["route_id"] in stop["routes"] for a in board["arrivals"])
        assert any(a["live"] for b in boards for a in b["arrivals"])
        assert boards[-1]["ts"] > boards[0]["ts"]


async def test_a_vehicle_subscription_gets_its_details(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    async with client.ws_connect("/ws") as ws:
        vehicle = vehicles_of(await _frame(ws))[0]
        await ws.send_str(orjson.dumps({"type": "subscribe", "vehicle": vehicle["id"]}).decode())
        details = []
        while len(details) < 2:
            frame = await _frame(ws)
            if frame["type"] == "vehicle":
                details.append(frame)
        for d in details:
            assert d["id"] == vehicle["id"] and d["active"]
            assert d["route"] == vehicle["route"] and d["headsign"] == vehicle["headsign"]
            assert d["next_stop"]["name"]
        assert details[-1]["speed_kmh"] is not None


async def test_an_unknown_stop_is_an_error_that_changes_nothing(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    async with client.ws_connect("/ws") as ws:
        await _frame(ws)
        await ws.send_str('{"type": "subscribe", "stop": "NO_SUCH_STOP"}')
        frame = await _frame(ws)
        while frame["type"] != "error":
            assert frame["type"] == "update"
            frame = await _frame(ws)
        assert frame["error"] == "subscribe: unknown stop 'NO_SUCH_STOP'"
        frame = await _frame(ws)
        assert frame["type"] == "update"
        assert [p["c"] for p in frame["parts"]] == ["all"]


async def test_the_url_carries_a_stop_and_a_vehicle_across_reconnections(
    make_client: MakeClient, settings: Settings
) -> None:
    # The page puts its whole subscription in the /ws URL, so that a reconnection starts with
    # the stop's arrivals and the open popup's details without waiting for a `subscribe`.
    client = await make_client(settings)
    async with client.ws_connect("/ws?bbox=" + ",".join(map(str, DADAR))) as first:
        vehicle = vehicles_of(await _frame(first))[0]
    stops = (await (await client.get("/api/stops?bbox=" + ",".join(map(str, DADAR)))).json())[
        "stops"
    ]
    stop = max(stops, key=lambda s: len(s["routes"]))
    url = f"/ws?bbox={','.join(map(str, DADAR))}&stop={stop['id']}&vehicle={vehicle['id']}"
    async with client.ws_connect(url) as ws:
        kinds = [(await _frame(ws))["type"] for _ in range(3)]
        assert kinds == ["snapshot", "arrivals", "vehicle"]


async def test_an_unknown_stop_in_the_url_is_dropped_with_an_error(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    async with client.ws_connect("/ws?stop=NO_SUCH_STOP") as ws:
        frame = await _frame(ws)
        assert frame["type"] == "error"
        assert frame["error"] == "subscribe: unknown stop 'NO_SUCH_STOP'"
        kinds = [(await _frame(ws))["type"] for _ in range(2)]
        assert kinds == ["snapshot", "update"]
    resp = await client.get("/ws?vehicle=" + "x" * 201)
    assert resp.status == 400
