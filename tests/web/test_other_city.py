"""Another city's feed, started as a user would: ``python -m bustrack.web --gtfs <Kochi>``.

Buses must appear in Kochi, the page must open on Kochi, and the API must describe
Kochi's network (not Mumbai's, which is the default feed).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import aiohttp

from tests.conftest import timeout
from tests.gtfs.fixtures import FIXTURES
from tests.web.process import ServerProcess
from tests.wsstate import vehicles_of

KOCHI = FIXTURES / "kochi"
# The extent of the fixture's stops: [[south, west], [north, east]].
KOCHI_BOUNDS = [[9.93571, 76.24211], [10.10762, 76.37262]]
ROUTE_COLOURS = {"7A": "#1565c0", "12": "#2e7d32", "20": "#e65100"}


def _inside(lat: float, lon: float) -> bool:
    (south, west), (north, east) = KOCHI_BOUNDS
    return south - 0.002 <= lat <= north + 0.002 and west - 0.002 <= lon <= east + 0.002


async def test_kochi_buses_run_in_kochi_and_the_map_opens_there(tmp_path: Path) -> None:
    args = ("--gtfs", str(KOCHI), "--start-time", "09:00", "--tick", "0.5")
    with ServerProcess(tmp_path, *args) as server:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout(20))) as http:
            async with http.get(server.url + "/") as resp:
                html = await resp.text()
            found = re.search(
                r'<script type="application/json" id="config">(.*?)</script>', html, re.S
            )
            assert found, html
            assert json.loads(found.group(1))["bounds"] == KOCHI_BOUNDS

            async with http.ws_connect(server.url + "/ws") as ws:
                snapshot = await ws.receive_json(timeout=timeout(10))
            assert snapshot["type"] == "snapshot"
            vehicles = vehicles_of(snapshot)
            assert len(vehicles) >= 8, vehicles
            for v in vehicles:
                lat, lon = v["lat"] / 1e5, v["lon"] / 1e5
                assert _inside(lat, lon), v
                assert not (18.8 < lat < 19.4), v  # not Mumbai
            routes = {v["route"] for v in vehicles}
            assert {"7A", "12"} <= routes <= {"7A", "12", "20", "5"}
            for v in vehicles:
                if v["route"] in ROUTE_COLOURS:
                    assert v["color"] == ROUTE_COLOURS[v["route"]], v

            async with http.get(server.url + "/api/feed") as resp:
                feed = await resp.json()
            assert feed["name"] == "Kochi City Bus (test fixture)"
            assert feed["bbox"] == [76.24211, 9.93571, 76.37262, 10.10762]
            assert (feed["routes"], feed["version"]) == (4, "kochi-fixture-1")
            async with http.get(server.url + "/api/search?q=fort%20kochi") as resp:
                search = await resp.json()
            assert [r["label"] for r in search["routes"]] == ["7A"]
            assert search["stops"][0]["name"] == "Fort Kochi Bus Stand"
    assert "feed loaded (built)" in server.output()
    assert "feed warning" not in server.output()
