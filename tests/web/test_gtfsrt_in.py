"""GTFS-realtime feeds in, through the real server: a real HTTP feed server on loopback
serving messages the test builds with the bindings; the buses watched on /ws."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from google.transit import gtfs_realtime_pb2 as rt

from bustrack.settings import Settings
from bustrack.sources.simulation import locate_vehicles
from bustrack.web.keys import clock_key, timetable_key
from tests.conftest import SERVICE_DATE, eventually, timeout
from tests.sources.test_gtfsrt_in import message
from tests.wsstate import ClientState

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]

LAT, LON = 18.9322, 72.8264  # Churchgate


@dataclass
class FeedServer:
    """A GTFS-realtime producer: serves ``body`` with an ETag; counts what it was asked."""

    body: bytes = b""
    status: int = 200
    pieces: int = 0  # > 0: send the body in this many pieces, a little apart (a slow link)
    requests: int = 0
    not_modified: int = 0
    etags: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        if self.pieces:
            stream = web.StreamResponse(headers={"Content-Type": "application/x-protobuf"})
            await stream.prepare(request)
            step = len(self.body) // self.pieces + 1
            for start in range(0, len(self.body), step):
                await stream.write(self.body[start : start + step])
                await asyncio.sleep(0.01)
            await stream.write_eof()
            return stream
        if self.status != 200:
            return web.Response(status=self.status)
        etag = f'"{hash(self.body) & 0xFFFFFFFF:x}"'
        if request.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            return web.Response(status=304)
        response = web.Response(body=self.body, content_type="application/x-protobuf")
        response.headers["ETag"] = etag
        response.enable_compression()  # gzip, as many producers do
        return response


@pytest.fixture
async def feed_server() -> AsyncIterator[tuple[FeedServer, str]]:
    producer = FeedServer()
    app = web.Application()
    app.router.add_get("/vehicles.pb", producer.handle)
    server = TestServer(app)
    await server.start_server()
    yield producer, str(server.make_url("/vehicles.pb"))
    await server.close()


def _settings(url: str, db: Path, **more: object) -> Settings:
    return Settings(
        **{
            "db": str(db / "b.db"),  # its own: no bus of another test comes back from the store
            "tick": 0.2,
            "start_time": "09:00",
            "service_date": SERVICE_DATE,
            "source": "none",
            "gtfs_rt_vehicles": url,
            "gtfs_rt_poll": 0.2,
            **more,
        }  # type: ignore[arg-type]
    )


class Watcher:
    """A /ws client whose state is kept up to date in the background."""

    def __init__(self, ws: object) -> None:
        self.state = ClientState()
        self.ws = ws
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:  # type: ignore[attr-defined]
            self.state.apply(orjson.loads(msg.data))


async def test_feed_vehicles_appear_and_malformed_messages_keep_the_last_state(
    make_client: MakeClient,
    feed_server: tuple[FeedServer, str],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    producer, url = feed_server
    now = time.time()
    producer.body = message(
        {"id": "bus-7", "lat": LAT, "lon": LON, "ts": now - 3, "route": "BEST_10AS"},
        {"id": "odd", "lat": LAT + 0.001, "lon": LON, "ts": now - 3, "trip": "nope"},
    )
    client = await make_client(_settings(url, tmp_path))
    async with client.ws_connect("/ws") as ws:
        watch = Watcher(ws)
        await eventually(lambda: {"dev/bus-7", "dev/odd"} <= watch.state.vehicles.keys(), 10,
                         "the feed's buses")  # fmt: skip
        assert watch.state.vehicles["dev/bus-7"]["route_id"] == "BEST_10AS"
        assert watch.state.vehicles["dev/odd"]["route"] == "?"  # unmatched, still shown
        # The same message again: answered 304, nothing parsed.
        await eventually(lambda: producer.not_modified >= 2, 10, "conditional requests")
        # A truncated message: logged with the URL, the buses stay as they were.
        with caplog.at_level(logging.WARNING, logger="bustrack.web.gtfsrt_poll"):
            producer.body = producer.body[:-7]
            await eventually(lambda: "keeping the last good state" in caplog.text, 10, "a warning")
        assert url in caplog.text
        assert {"dev/bus-7", "dev/odd"} <= watch.state.vehicles.keys()
        watch.task.cancel()


async def test_a_feed_that_stops_updating_turns_its_buses_stale_then_drops_them(
    make_client: MakeClient, feed_server: tuple[FeedServer, str], tmp_path: Path
) -> None:
    producer, url = feed_server
    producer.body = message({"id": "bus-1", "lat": LAT, "lon": LON, "ts": time.time() - 1})
    # Dropped 8 s after its report: room for the app to start and poll on a loaded machine
    # (with 4 s, a start slower than 3 s beside browser tests dropped it before it was seen).
    client = await make_client(_settings(url, tmp_path, stale_after=1.5, drop_after=8.0))
    async with client.ws_connect("/ws") as ws:
        watch = Watcher(ws)
        await eventually(lambda: "dev/bus-1" in watch.state.vehicles, 10, "the bus")
        # The feed keeps answering with the same (old) message: the bus is not live.
        # Its `reported` says since when it is silent (the page greys it past --stale-after).
        await eventually(
            lambda: watch.state.vehicles.get("dev/bus-1", {}).get("reported", 0) > 0, 10, "silent"
        )
        await eventually(lambda: "dev/bus-1" not in watch.state.vehicles, 10, "dropped")
        watch.task.cancel()


async def test_a_failing_feed_is_retried_with_backoff_and_logged_once(
    make_client: MakeClient,
    feed_server: tuple[FeedServer, str],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    producer, url = feed_server
    producer.status = 503
    with caplog.at_level(logging.INFO, logger="bustrack.web.gtfsrt_poll"):
        client = await make_client(_settings(url, tmp_path))
        await asyncio.sleep(timeout(3))
        failing = producer.requests
        # 0.2 s polls would have asked 15 times; backing off (0.4, 0.8, 1.6 s...) far fewer.
        assert 1 <= failing <= 7, failing
        assert caplog.text.count("trying again with backoff") == 1
        producer.status = 200
        producer.body = message({"id": "b", "lat": LAT, "lon": LON, "ts": time.time()})
        await eventually(lambda: "answers again" in caplog.text, 20, "the recovery")
    assert client.server is not None


async def test_a_whole_citys_feed_arrives_whole(
    make_client: MakeClient, feed_server: tuple[FeedServer, str], tmp_path: Path
) -> None:
    producer, url = feed_server
    now = time.time()
    vehicles = [
        {"id": f"v{i}", "lat": LAT + (i % 100) * 1e-4, "lon": LON + (i // 100) * 1e-4, "ts": now}
        for i in range(5000)
    ]
    producer.body = message(*vehicles)
    producer.pieces = 20
    client = await make_client(_settings(url, tmp_path))
    async with client.ws_connect("/ws", max_msg_size=0) as ws:
        watch = Watcher(ws)
        await eventually(lambda: len(watch.state.vehicles) == 5000, 15, "5,000 buses")
        watch.task.cancel()


async def test_a_feed_bus_on_a_known_trip_is_placed_on_it_and_predicted(
    make_client: MakeClient, feed_server: tuple[FeedServer, str], tmp_path: Path
) -> None:
    producer, url = feed_server
    client = await make_client(_settings(url, tmp_path))
    assert client.server is not None
    app = client.server.app
    # Where the timetable has a bus now, mid-trip: a real bus reports from there.
    moment = app[clock_key].moment(dt.datetime.now(dt.UTC))
    running = [v for v in locate_vehicles(app[timetable_key], moment) if 2 < v.next_stop < 10]
    assert running, "no bus mid-trip at the pinned time"
    bus = running[0]
    producer.body = message(
        {"id": "bus-1", "lat": bus.lat, "lon": bus.lon, "ts": time.time(), "trip": bus.trip_id}
    )

    found: list[dict[str, object]] = []
    deadline = asyncio.get_running_loop().time() + timeout(20)
    while not found:  # the bus reaches the fleet, the predictor, then the (cached) feed
        assert asyncio.get_running_loop().time() < deadline, "no predictions for the real bus"
        await asyncio.sleep(0.2)
        resp = await client.get("/gtfs-rt/trip-updates.pb?format=json")
        body = await resp.json()
        found = [e for e in body.get("entity", []) if e["id"] == "dev/bus-1"]
    update = found[0]["trip_update"]
    assert isinstance(update, dict)
    assert update["trip"]["trip_id"] == bus.trip_id
    ahead = [u["stop_id"] for u in update["stop_time_update"]]
    trip = app[timetable_key].feed.trips[bus.trip_id]
    assert ahead[0] in trip.stop_ids[bus.next_stop - 1 : bus.next_stop + 1]
    assert ahead[-1] == trip.stop_ids[-1]


@pytest.fixture
async def producers() -> AsyncIterator[tuple[FeedServer, FeedServer, str]]:
    """A TripUpdates and an Alerts producer on one server: (updates, alerts, base URL)."""
    updates, alerts = FeedServer(), FeedServer()
    app = web.Application()
    app.router.add_get("/trip-updates.pb", updates.handle)
    app.router.add_get("/alerts.pb", alerts.handle)
    server = TestServer(app)
    await server.start_server()
    yield updates, alerts, str(server.make_url("/"))
    await server.close()


def _updates_message(*updates: rt.TripUpdate) -> bytes:
    msg = rt.FeedMessage()
    msg.header.gtfs_realtime_version = "2.0"
    msg.header.timestamp = int(time.time())
    for i, tu in enumerate(updates):
        msg.entity.add(id=f"u{i}").trip_update.CopyFrom(tu)
    return msg.SerializeToString()


async def _board(ws: Any, stop_id: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The first arrivals frame of ``stop_id`` for which ``check`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout(20)
    while True:
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, "no such arrivals frame"
        frame = orjson.loads((await ws.receive(timeout=left)).data)
        if frame["type"] == "arrivals" and frame["stop"]["id"] == stop_id and check(frame):
            return frame  # type: ignore[no-any-return]


async def test_trip_updates_in_drive_the_boards_and_alerts_are_listed_and_passed_on(
    make_client: MakeClient,
    producers: tuple[FeedServer, FeedServer, str],
    tmp_path: Path,
) -> None:
    updates, alerts, base = producers
    client = await make_client(
        _settings(
            "",
            tmp_path,
            gtfs_rt_trip_updates=base + "trip-updates.pb",
            gtfs_rt_alerts=base + "alerts.pb",
        )
    )
    stops = (await (await client.get("/api/stops?bbox=72.835,19.01,72.855,19.03")).json())["stops"]
    stop = max(stops, key=lambda s: len(s["routes"]))["id"]
    async with client.ws_connect("/ws") as ws:
        await ws.send_str(orjson.dumps({"type": "subscribe", "stop": stop}).decode())
        before = await _board(ws, stop, lambda f: len(f["arrivals"]) >= 2)
        # No bus on the map (--source none): the board is the timetable's.
        first, second = before["arrivals"][:2]
        assert not first["live"] and not second["live"]
        late = round(first["eta"] / 1000) + 300
        tu_late = rt.TripUpdate()
        tu_late.trip.trip_id = first["trip"]
        tu_late.stop_time_update.add(stop_id=stop).arrival.time = late
        tu_skip = rt.TripUpdate()
        tu_skip.trip.trip_id = second["trip"]
        tu_skip.stop_time_update.add(
            stop_id=stop, schedule_relationship=rt.TripUpdate.StopTimeUpdate.SKIPPED
        )
        updates.body = _updates_message(tu_late, tu_skip)

        def changed(frame: dict[str, Any]) -> bool:
            return any(a["trip"] == first["trip"] and a["live"] for a in frame["arrivals"])

        after = await _board(ws, stop, changed)
    (row,) = [a for a in after["arrivals"] if a["trip"] == first["trip"]]
    assert row["eta"] == late * 1000  # the feed's time, live: nobody else predicts it
    assert second["trip"] not in {a["trip"] for a in after["arrivals"]}  # it skips this stop

    msg = rt.FeedMessage()
    msg.header.gtfs_realtime_version = "2.0"
    alert = msg.entity.add(id="closure").alert
    alert.informed_entity.add(stop_id=stop)
    alert.header_text.translation.add(text="Stop moved 50 m north", language="en")
    alert.active_period.add(start=int(time.time()) - 60)
    alerts.body = msg.SerializeToString()
    listed: list[dict[str, Any]] = []
    deadline = asyncio.get_running_loop().time() + timeout(20)
    while not listed:
        assert asyncio.get_running_loop().time() < deadline, "the alert never showed"
        await asyncio.sleep(0.2)
        listed = (await (await client.get("/api/alerts")).json())["alerts"]
    assert listed[0]["stops"] == [stop]
    assert listed[0]["header"] == {"en": "Stop moved 50 m north"}
    passed = rt.FeedMessage()
    passed.ParseFromString(await (await client.get("/gtfs-rt/alerts.pb")).read())
    assert [e.id for e in passed.entity] == ["closure"]
    assert passed.entity[0].alert.header_text.translation[0].text == "Stop moved 50 m north"


async def _trip_updates_json(client: TestClient) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    resp = await client.get("/gtfs-rt/trip-updates.pb?format=json")
    return (await resp.json()).get("entity", [])  # type: ignore[no-any-return]


async def test_trip_updates_in_reach_a_seen_buss_popup_and_our_trip_updates(
    make_client: MakeClient, producers: tuple[FeedServer, FeedServer, str], tmp_path: Path
) -> None:
    """A producer's update of a run we see too: the bus's popup (its ``vehicle`` frame) gives
    its next stop the same blended ETA as that stop's board, and /gtfs-rt/trip-updates.pb
    carries the blend too: the stops the producer says the run skips are left out."""
    updates, _, base = producers
    client = await make_client(
        _settings("", tmp_path, source="sim", gtfs_rt_trip_updates=base + "trip-updates.pb")
    )
    ours: list[dict[str, Any]] = []
    deadline = asyncio.get_running_loop().time() + timeout(20)
    while not ours:  # a simulated bus with at least five stops ahead
        assert asyncio.get_running_loop().time() < deadline, "no simulated bus predicted"
        await asyncio.sleep(0.2)
        ours = [
            e for e in await _trip_updates_json(client)
            if len(e["trip_update"]["stop_time_update"]) >= 5
        ]  # fmt: skip
    entity = ours[0]
    vid, trip = entity["id"], entity["trip_update"]["trip"]
    ahead = entity["trip_update"]["stop_time_update"]
    stops = [u["stop_id"] for u in ahead]
    # The producer: 20 min later than we say from the first stop ahead on (the delay holds
    # for the stops after it), and the fourth stop skipped.
    tu = rt.TripUpdate()
    tu.trip.trip_id = trip["trip_id"]
    tu.trip.start_date = trip["start_date"]
    if "start_time" in trip:
        tu.trip.start_time = trip["start_time"]
    tu.stop_time_update.add(stop_id=stops[0]).arrival.time = int(ahead[0]["arrival"]["time"]) + 1200
    tu.stop_time_update.add(
        stop_id=stops[3], schedule_relationship=rt.TripUpdate.StopTimeUpdate.SKIPPED
    )
    updates.body = _updates_message(tu)

    blended: list[dict[str, Any]] = []
    deadline = asyncio.get_running_loop().time() + timeout(20)
    while not blended:  # the producer is polled, then our message rebuilt
        assert asyncio.get_running_loop().time() < deadline, "the producer's skip never showed"
        await asyncio.sleep(0.2)
        blended = [
            e for e in await _trip_updates_json(client)
            if e["id"] == vid
            and stops[3] not in [u["stop_id"] for u in e["trip_update"]["stop_time_update"]]
        ]  # fmt: skip
    kept = [u["stop_id"] for u in blended[0]["trip_update"]["stop_time_update"]]
    assert stops[4] in kept, "only the skipped stop goes"

    async with client.ws_connect("/ws") as ws:
        await ws.send_str(orjson.dumps({"type": "subscribe", "vehicle": vid}).decode())
        popup: dict[str, Any] | None = None
        deadline = asyncio.get_running_loop().time() + timeout(20)
        while popup is None:
            frame = orjson.loads((await ws.receive(timeout=timeout(10))).data)
            assert asyncio.get_running_loop().time() < deadline, "no vehicle frame"
            if frame["type"] == "vehicle" and (frame.get("next_stop") or {}).get("eta"):
                popup = frame
        stop = popup["next_stop"]["id"]
        await ws.send_str(
            orjson.dumps({"type": "subscribe", "vehicle": vid, "stop": stop}).decode()
        )
        # A vehicle frame and its next stop's board of one tick: one ETA for the bus.
        seen: dict[str, dict[int, dict[str, Any]]] = {"vehicle": {}, "arrivals": {}}
        pair = None
        deadline = asyncio.get_running_loop().time() + timeout(20)
        while pair is None:
            assert asyncio.get_running_loop().time() < deadline, "no board and popup of one tick"
            frame = orjson.loads((await ws.receive(timeout=timeout(10))).data)
            if frame["type"] in seen:
                seen[frame["type"]][frame["ts"]] = frame
            for ts, v in seen["vehicle"].items():
                board = seen["arrivals"].get(ts)
                if board and (v.get("next_stop") or {}).get("id") == stop and v["next_stop"]["eta"]:
                    rows = [a for a in board["arrivals"] if a["vehicle"] == vid]
                    if rows:
                        pair = (v["next_stop"]["eta"], rows[0]["eta"])
    popup_eta, board_eta = pair
    assert popup_eta == board_eta, "the popup and the stop's board agree"
