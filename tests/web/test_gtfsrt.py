"""GTFS-realtime out, parsed back with the same bindings and checked against /ws."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import orjson
from aiohttp.test_utils import TestClient
from google.transit import gtfs_realtime_pb2 as rt

from bustrack.settings import Settings
from bustrack.web.keys import feed_key, fleet_key
from tests.conftest import eventually
from tests.gtfsrt_rules import Ctx, pairing, problems
from tests.wsstate import ClientState

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]


async def test_vehicle_positions_match_what_ws_shows(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(Settings(tick=60, start_time="09:00"))
    async with client.ws_connect("/ws") as ws:
        state = ClientState()
        state.apply(orjson.loads((await ws.receive()).data))
        resp = await client.get("/gtfs-rt/vehicle-positions.pb")
        assert resp.status == 200
        assert resp.content_type == "application/x-protobuf"
        msg = rt.FeedMessage()
        msg.ParseFromString(await resp.read())
    assert msg.header.gtfs_realtime_version == "2.0"
    assert msg.header.incrementality == rt.FeedHeader.FULL_DATASET
    assert msg.header.timestamp == state.ts // 1000
    by_id = {e.id: e.vehicle for e in msg.entity}
    assert by_id.keys() == state.vehicles.keys()
    # How full each simulated bus is: some of each of several statuses at 09:00.
    statuses = {vp.occupancy_status for vp in by_id.values() if vp.HasField("occupancy_status")}
    assert len(statuses) >= 2
    for vid, v in state.vehicles.items():
        vp = by_id[vid]
        # GTFS-rt positions are 32-bit floats: equal to /ws's 1e-5 degree to within one unit.
        assert abs(vp.position.latitude * 1e5 - v["lat"]) <= 1
        assert abs(vp.position.longitude * 1e5 - v["lon"]) <= 1
        # Reports are stamped in real time, even with the simulation pinned to 09:00;
        # a bus whose unit went silent keeps the time of its last report.
        if v["reported"]:
            assert abs(vp.timestamp - v["reported"]) <= 1
        else:
            assert abs(vp.timestamp - state.ts / 1000) < 5
        assert vp.trip.route_id == v["route_id"]
        label = f"{v['route']} → {v['headsign']}" if v["headsign"] else v["route"]
        assert vp.vehicle.label == label
        assert vp.trip.trip_id and vp.trip.start_date and vp.trip.start_time
        assert vp.stop_id and vp.current_stop_sequence
        assert vp.HasField("current_status")


async def test_what_the_server_publishes_passes_the_validator_rules(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)  # a tick every 0.2 s: speeds from the tick before
    fleet = client.app[fleet_key]
    await eventually(lambda: bool(fleet.before), 30, "a second tick")
    messages = {}
    for name in ("vehicle-positions", "trip-updates", "alerts"):
        resp = await client.get(f"/gtfs-rt/{name}.pb")
        assert resp.status == 200
        messages[name] = msg = rt.FeedMessage()
        msg.ParseFromString(await resp.read())
    ctx = Ctx(client.app[feed_key], time.time())
    for name, msg in messages.items():
        assert problems(msg, ctx) == {}, name
    positions = messages["vehicle-positions"]
    assert pairing(positions, messages["trip-updates"]) == []
    assert len(positions.entity) > 1000
    with_speed = [e for e in positions.entity if e.vehicle.position.HasField("speed")]
    assert len(with_speed) > 0.9 * len(positions.entity)


async def test_json_for_humans_and_bad_format(make_client: MakeClient, settings: Settings) -> None:
    client = await make_client(settings)
    resp = await client.get("/gtfs-rt/vehicle-positions.pb?format=json")
    assert resp.status == 200
    data = await resp.json()
    assert data["header"]["incrementality"] == "FULL_DATASET"
    assert len(data["entity"]) > 100
    assert "latitude" in data["entity"][0]["vehicle"]["position"]
    assert (await client.get("/gtfs-rt/vehicle-positions.pb?format=xml")).status == 400


async def test_trip_updates_match_the_arrivals_ws_shows(make_client: MakeClient) -> None:
    # One tick a minute: the /ws frames and the GTFS-rt message describe the same tick.
    client = await make_client(Settings(tick=60, start_time="09:00"))
    stops = (await (await client.get("/api/stops?bbox=72.835,19.01,72.855,19.03")).json())["stops"]
    stop = max(stops, key=lambda s: len(s["routes"]))
    async with client.ws_connect("/ws?bbox=72.835,19.01,72.855,19.03") as ws:
        state = ClientState()
        state.apply(orjson.loads((await ws.receive()).data))
        await ws.send_str(orjson.dumps({"type": "subscribe", "stop": stop["id"]}).decode())
        board = orjson.loads((await ws.receive()).data)
        while board["type"] != "arrivals":
            board = orjson.loads((await ws.receive()).data)
        resp = await client.get("/gtfs-rt/trip-updates.pb")
        assert resp.status == 200
        msg = rt.FeedMessage()
        msg.ParseFromString(await resp.read())
    assert msg.header.incrementality == rt.FeedHeader.FULL_DATASET
    assert msg.header.timestamp == board["ts"] // 1000
    updates = {e.id: e.trip_update for e in msg.entity}
    assert len(updates) > 100
    live = [a for a in board["arrivals"] if a["live"]]
    assert live
    for a in live:
        tu = updates[a["vehicle"]]
        assert tu.trip.trip_id == a["trip"] and tu.trip.route_id == a["route_id"]
        (stu,) = [u for u in tu.stop_time_update if u.stop_id == stop["id"]]
        assert stu.arrival.time == round(a["eta"] / 1000)
        assert stu.arrival.uncertainty == a["uncertainty"]
    # Stops ahead come in trip order, with non-decreasing arrival times.
    for tu in updates.values():
        times = [u.arrival.time for u in tu.stop_time_update]
        assert times == sorted(times)
