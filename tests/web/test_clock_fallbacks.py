"""The clock's fallbacks through the real program: a lapsed feed still shows buses and
says why, and the test clock reaches every server the tests start.

Each server here is given its own ``BUSTRACK_TEST_NOW`` (the moment it plans for, instead
of the machine's clock), so these tests mean the same at any hour.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bustrack.gtfs.model import Feed
from bustrack.live.clock import plan_clock
from bustrack.settings import Settings
from bustrack.web import create_app
from bustrack.web.app import TEST_NOW_ENV
from bustrack.web.keys import clock_key, timetable_key
from tests.conftest import TEST_NOW, timeout
from tests.gtfs.fixtures import FIXTURES
from tests.web.process import ServerProcess
from tests.wsstate import vehicles_of

LAPSED_CALENDAR = (
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
    "WK,1,1,1,1,1,1,0,20211115,20220601\n"
    "SU,0,0,0,0,0,0,1,20211115,20220601\n"
)


def lapsed_kochi(folder: Path) -> Path:
    """A copy of the Kochi fixture whose calendar ran 2021-11-15 to 2022-06-01, as a real
    Kochi feed's does."""
    feed = folder / "kochi-lapsed"
    shutil.copytree(FIXTURES / "kochi", feed)
    (feed / "calendar.txt").write_text(LAPSED_CALENDAR)
    (feed / "calendar_dates.txt").unlink()
    return feed


async def _snapshot(url: str) -> dict[str, object]:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout(20))) as http,
        http.ws_connect(url + "/ws") as ws,
    ):
        snapshot: dict[str, object] = await ws.receive_json(timeout=timeout(10))
    assert snapshot["type"] == "snapshot"
    return snapshot


async def test_a_lapsed_feed_runs_its_last_week_and_says_so(tmp_path: Path) -> None:
    feed = lapsed_kochi(tmp_path)
    # 09:30 on Thursday 2026-12-03 in Kochi: 4.5 years after the feed's service ended.
    env = {"BUSTRACK_TEST_NOW": "2026-12-03T09:30:00+05:30"}
    with ServerProcess(tmp_path, "--gtfs", str(feed), "--tick", "0.5", env=env) as server:
        snapshot = await _snapshot(server.url)
    note = (
        "This feed's service ended on 2022-06-01: showing its last Thursday's timetable "
        "(2022-05-26)."
    )
    assert note in server.output()
    clock = snapshot["clock"]
    assert clock["mode"] == "replay" and clock["note"] == note  # type: ignore[index]
    assert clock["service_time"].startswith("09:3")  # type: ignore[index]
    assert len(vehicles_of(snapshot)) >= 8


async def test_a_lapsed_feed_with_a_service_date_runs_that_day(tmp_path: Path) -> None:
    feed = lapsed_kochi(tmp_path)
    args = ("--gtfs", str(feed), "--service-date", "2022-01-09", "--start-time", "10:00")
    env = {"BUSTRACK_TEST_NOW": "2026-12-03T02:00:00+05:30"}
    with ServerProcess(tmp_path, *args, env=env) as server:
        snapshot = await _snapshot(server.url)
    clock = snapshot["clock"]
    assert clock["mode"] == "fixed" and clock["service_time"].startswith("10:0")  # type: ignore[index]
    assert len(vehicles_of(snapshot)) >= 4  # Sunday 2022-01-09: the SU service runs


async def test_a_server_the_tests_start_plans_for_the_test_clock(tmp_path: Path) -> None:
    # 06:17 on a day of the bundled calendar: only the test clock can make it 06:17 there
    # (at any other real moment the server would show another time or the busiest one).
    env = {"BUSTRACK_TEST_NOW": "2027-03-10T06:17:00+05:30"}
    with ServerProcess(tmp_path, env=env) as server:
        snapshot = await _snapshot(server.url)
    clock = snapshot["clock"]
    assert clock["mode"] == "live" and clock["service_time"].startswith("06:1")  # type: ignore[index]
    assert len(vehicles_of(snapshot)) > 100


def test_the_suite_runs_on_the_test_clock(mumbai_feed: Feed) -> None:
    # Set for the whole session by tests/conftest.py, for in-process servers and others.
    assert os.environ[TEST_NOW_ENV] == TEST_NOW
    app = create_app(Settings(), feed=mumbai_feed)
    expected = plan_clock(app[timetable_key], dt.datetime.fromisoformat(TEST_NOW))
    assert (app[clock_key].mode, app[clock_key].note) == (expected.mode, expected.note)


def test_the_bundled_feed_after_its_calendar_says_so(
    mumbai_feed: Feed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TEST_NOW_ENV, "2028-01-01T12:00:00+05:30")  # the day after it ends
    plan = create_app(Settings(), feed=mumbai_feed)[clock_key]
    assert plan.mode == "replay"
    assert plan.note == (
        "This feed's service ended on 2027-12-31: showing its last Saturday's timetable "
        "(2027-12-25)."
    )
    real = dt.datetime.now(dt.UTC)
    assert plan.moment(real).astimezone(ZoneInfo("Asia/Kolkata")).date() == dt.date(2027, 12, 25)
