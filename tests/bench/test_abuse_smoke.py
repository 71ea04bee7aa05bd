"""bench/abuse.py's parts still work: observers measured beside a few hostile connections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp.test_utils import TestClient

from bench.abuse import Observer, Window, measure, report
from bustrack.settings import Settings
from tests.conftest import SERVICE_DATE, eventually

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]


async def test_observers_are_measured_beside_hostile_connections(make_client: MakeClient) -> None:
    settings = Settings(tick=1.0, start_time="09:00", service_date=SERVICE_DATE, stuck_timeout=2.0)
    client = await make_client(settings)
    url = str(client.make_url("")).rstrip("/")
    async with aiohttp.ClientSession() as http:
        observers = [Observer(await http.ws_connect(url + "/ws?bbox=72.80,18.90,72.84,18.94"))]
        await eventually(lambda: observers[0].snapshots == 1, 20, "the first snapshot")
        quiet = await measure(url, observers, 0, 2.5)
        hostile = await measure(url, observers, 5, 2.5)  # one of each kind
        await observers[0].ws.close()
    for w in (quiet, hostile):
        assert w.frames >= 1 and len(w.delays_ms) == w.frames, w
        assert 0 <= w.p(50) <= w.p(99), w
    assert hostile.attack["connections"] >= 5, hostile.attack
    closes = hostile.attack["closes"]
    assert closes.get("1008", 0) >= 1 and closes.get("1009", 0) >= 1, closes
    table = report([quiet, hostile], 1)
    assert "p99 x" in table and len(table.splitlines()) == 4, table


def test_a_window_gives_its_percentiles() -> None:
    w = Window(0, delays_ms=[float(i) for i in range(1, 101)])
    assert w.p(50) == 50.5 and w.p(99) == 99.01
