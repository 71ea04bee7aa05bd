"""Buses whose AVL unit goes silent: flagged with their last report, then dropped."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import orjson
from aiohttp.test_utils import TestClient

from bustrack.settings import Settings
from tests.wsstate import ClientState

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]


async def test_silent_buses_carry_their_last_report_and_are_dropped_later(
    make_client: MakeClient,
) -> None:
    settings = Settings(
        tick=0.5, start_time="09:00", dropout_rate=1.0, stale_after=20, drop_after=40
    )
    client = await make_client(settings)
    async with client.ws_connect("/ws") as ws:
        state = ClientState()
        for _ in range(4):
            state.apply(orjson.loads((await ws.receive()).data))
        now = state.ts / 1000
        silent = {vid: v for vid, v in state.vehicles.items() if v["reported"]}
        # Every run goes silent once for 30 s to 7 min: at any moment some are.
        assert 10 < len(silent) < len(state.vehicles) / 3
        for v in silent.values():
            age = now - v["reported"]
            assert 0 < age <= settings.drop_after + 1  # reported is rounded to the second
        # Some have been silent for longer than --stale-after (the page greys them).
        assert any(now - v["reported"] > settings.stale_after for v in silent.values())
        # The vehicle details say so too. (A silence may end between two ticks, so
        # try the longest-silent buses still on the map until one is seen stale.)
        candidates = sorted(silent, key=lambda k: silent[k]["reported"])
        seen_stale = 0
        for vid in candidates[:5]:
            await ws.send_str(orjson.dumps({"type": "subscribe", "vehicle": vid}).decode())
            frame = orjson.loads((await ws.receive()).data)
            while frame["type"] != "vehicle":
                frame = orjson.loads((await ws.receive()).data)
            if not frame["active"]:
                continue  # dropped meanwhile
            age = (frame["ts"] - frame["reported"]) / 1000
            assert frame["stale"] is (age > settings.stale_after)
            if frame["stale"]:
                seen_stale += 1
                assert abs(frame["reported"] / 1000 - silent[vid]["reported"]) <= 0.5
                assert frame["speed_kmh"] is None and frame["delay"] is None
        assert seen_stale
