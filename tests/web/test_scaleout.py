"""Beyond one process: a feeder and web processes on a real redis-server, and what happens
when one of them (or Redis) goes away. Real processes, real sockets, real kill -9."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import time
import urllib.request
from pathlib import Path

import aiohttp
import orjson

from tests.conftest import free_port, timeout
from tests.redis_server import RedisServer
from tests.web.process import ServerProcess, run_cli
from tests.web.scaleout import Watcher, feeder, web_process
from tests.web.test_ingest_durability import devices_cli


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


async def test_web_processes_send_the_feeders_ticks_byte_for_byte_the_same(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    db = tmp_path / "b.db"
    with (
        feeder(tmp_path, redis_server.url, db),
        web_process(tmp_path, redis_server.url, db) as one,
        web_process(tmp_path, redis_server.url, db) as two,
    ):
        ws = [Watcher(s.url.replace("http", "ws") + "/ws").start() for s in (one, two)]
        try:
            start = time.monotonic()
            snap = await ws[0].wait_for("snapshot", 0, 30, "from the first web process")
            assert snap.vehicles > 500  # the simulated city at 09:00, through Redis
            deadline = time.monotonic() + timeout(30)
            while True:  # an update of the same tick from both: the same bytes
                by_ts = {f.ts: f.text for f in ws[1].of("update", start)}
                same = [f for f in ws[0].of("update", start) if f.ts in by_ts]
                if len(same) >= 3:
                    break
                assert time.monotonic() < deadline, "the two web processes never sent one tick"
                await asyncio.sleep(0.1)
            assert all(f.text == by_ts[f.ts] for f in same)
            assert all(f.vehicles > 100 for f in same)
            ts = [f.ts for f in ws[0].of("update", start)]
            assert ts == sorted(ts) and len(set(ts)) == len(ts)  # no tick twice
        finally:
            for w in ws:
                await w.stop()


async def test_a_web_process_serves_boards_and_gtfs_rt_built_by_the_feeder(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    db = tmp_path / "b.db"
    with feeder(tmp_path, redis_server.url, db), web_process(tmp_path, redis_server.url, db) as web:
        stops = orjson.loads(_get(web.url + "/api/stops")[1])
        stop = stops["stops"][0]["id"] if isinstance(stops, dict) else stops[0]["id"]
        w = Watcher(web.url.replace("http", "ws") + f"/ws?stop={stop}").start()
        try:
            arrivals = await w.wait_for("arrivals", 0, 20, f"for stop {stop}")
            assert orjson.loads(arrivals.text)["stop"]["id"] == stop
        finally:
            await w.stop()
        deadline = time.monotonic() + timeout(30)
        while True:  # asked for once: the feeder builds it within REBUILD_EVERY seconds
            status, body = _get(web.url + "/gtfs-rt/vehicle-positions.pb?format=json")
            if status == 200:
                break
            assert status == 503, (status, body)
            assert time.monotonic() < deadline, "the feeder never built vehicle positions"
            await asyncio.sleep(0.5)
        entities = orjson.loads(body)["entity"]
        assert len(entities) > 500 and all("vehicle" in e for e in entities)


async def test_a_web_process_sends_glances_built_by_the_feeder(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    db = tmp_path / "b.db"
    with feeder(tmp_path, redis_server.url, db), web_process(tmp_path, redis_server.url, db) as web:
        answer = orjson.loads(_get(web.url + "/api/stops?bbox=72.835,19.010,72.855,19.030")[1])
        busy = sorted(answer["stops"], key=lambda s: (-len(s["routes"]), s["id"]))[:3]
        ids = sorted(s["id"] for s in busy)
        # The web process has no ticker: it tells the feeder (Redis's watch hash) which stops
        # its clients watch, and joins the parts the feeder builds into each client's frame.
        w = Watcher(web.url.replace("http", "ws") + "/ws?glance=" + ",".join(ids)).start()
        try:
            frame = await w.wait_for("glance", 0, 30, f"for stops {ids}")
            glance = orjson.loads(frame.text)
            assert sorted(glance["stops"]) == ids
            assert all(1 <= len(rows) <= 3 for rows in glance["stops"].values()), glance
            assert any(r["live"] for rows in glance["stops"].values() for r in rows), glance
        finally:
            await w.stop()


async def test_redis_restarting_keeps_clients_connected_and_resyncs_them(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    db = tmp_path / "b.db"
    metrics = free_port()
    with (
        feeder(tmp_path, redis_server.url, db) as feed,
        web_process(tmp_path, redis_server.url, db, "--metrics-port", str(metrics)) as web,
    ):
        w = Watcher(web.url.replace("http", "ws") + "/ws").start()
        try:
            await w.wait_for("snapshot", 0, 30, "before Redis restarts")
            await w.wait_for("update", 0, 10, "before Redis restarts")
            redis_server.restart(down_for=2.0)
            back = time.monotonic()
            snap = await w.wait_for("snapshot", back, 30, "a resync once Redis is back")
            await w.wait_for("update", snap.at, 10, "updates after the resync")
            assert w.drops == 0 and w.conns == 1  # the page never lost its connection
            assert snap.vehicles > 500
            exposition = _get(f"http://127.0.0.1:{metrics}/metrics")[1].decode()
            resyncs = [
                line
                for line in exposition.splitlines()
                if line.startswith("bustrack_broker_resyncs_total")
            ]
            assert resyncs and float(resyncs[0].split()[-1]) >= 1, resyncs
        finally:
            await w.stop()
        web_log, feed_log = web.output(), feed.output()
    assert "lost Redis at redis://127.0.0.1" in web_log
    assert "reconnected to Redis" in web_log
    assert "cannot publish to Redis" in feed_log and "publishing to Redis again" in feed_log
    assert "Traceback" not in web_log + feed_log


async def test_when_the_feeder_dies_a_standby_takes_over_and_pages_resync(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    db = tmp_path / "b.db"
    with (
        feeder(tmp_path, redis_server.url, db) as first,
        feeder(tmp_path, redis_server.url, db) as second,
        web_process(tmp_path, redis_server.url, db) as web,
    ):
        w = Watcher(web.url.replace("http", "ws") + "/ws").start()
        try:
            await w.wait_for("update", 0, 30, "from the first feeder")
            active = first if "now the active feeder" in first.output() else second
            standby = second if active is first else first
            assert "standing by" in standby.output()
            status, body = _get(standby.url + "/readyz")  # ready to take over
            assert status == 200 and orjson.loads(body)["checks"]["ticker"]["standby"] is True
            assert active.proc is not None
            active.proc.kill()  # kill -9: its lock is not released, it expires
            killed = time.monotonic()
            await asyncio.sleep(0.5)
            frozen = time.monotonic()
            snap = await w.wait_for("snapshot", killed, 20, "from the standby feeder")
            took = snap.at - killed
            # Nothing came between the death and the takeover: the page shows no ticks
            # from nobody (it greys the buses with their age, see frontend/src/stale.js).
            assert not [f for f in w.of("update", frozen) if f.at < snap.at]
            assert took < timeout(2 + 1 + 5), took  # the lock's TTL, a tick, start-up
            assert w.drops == 0
            await w.wait_for("update", snap.at, 10, "updates from the new feeder")
            status, body = _get(web.url + "/readyz")
            assert status == 200 and orjson.loads(body)["checks"]["ticker"]["feeder_ticking"]
        finally:
            await w.stop()
        assert "now the active feeder" in standby.output()
        assert "ticks now come from feeder run" in web.output()


def test_unreachable_redis_at_start_is_one_clear_line_and_exit_2() -> None:
    url = f"redis://user:secret@127.0.0.1:{free_port()}/0"
    for args in (("--role", "web"), ("--role", "feeder"), ("--workers", "2")):
        out = run_cli(*args, "--redis", url, "--port", str(free_port()))
        assert out.returncode == 2, (args, out.stderr)
        last = out.stderr.strip().splitlines()[-1]
        assert last.startswith("bustrack: error: cannot reach Redis at redis://user:***@127.0.0.1:")
        assert "secret" not in out.stderr and "Traceback" not in out.stderr


def test_roles_and_workers_need_redis() -> None:
    for args in (("--role", "web"), ("--role", "feeder"), ("--workers", "3")):
        out = run_cli(*args)
        assert out.returncode == 2
        assert "needs --redis" in out.stderr, out.stderr


def _children(pid: int) -> dict[int, str]:
    """The processes ``pid`` started: pid -> command line."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            with contextlib.suppress(FileNotFoundError):
                argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
                found[int(child)] = " ".join(a.decode() for a in argv)
    return found


async def test_workers_share_one_port_and_a_dead_ones_pages_resync_on_another(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    db = tmp_path / "b.db"
    port = free_port()
    with ServerProcess(
        tmp_path, "--workers", "2", "--redis", redis_server.url, "--db", str(db),
        "--start-time", "09:00", "--feeder-lock-ttl", "2", "--tick", "0.5", port=port,
    ) as sup:  # fmt: skip
        assert sup.proc is not None
        deadline = time.monotonic() + timeout(60)
        while sup.output().count(f"serving on http://127.0.0.1:{port}/") < 2:
            assert time.monotonic() < deadline, "the two web processes did not both listen"
            await asyncio.sleep(0.1)
        url = f"ws://127.0.0.1:{port}/ws"
        # The kernel spreads connections over both (SO_REUSEPORT): with 12, the chance
        # that none is on the one killed is 1 in 4096.
        watchers = [Watcher(url).start() for _ in range(12)]
        try:
            for w in watchers:
                await w.wait_for("update", 0, 40, "through the workers")
            webs = {p: a for p, a in _children(sup.proc.pid).items() if "--role web" in a}
            assert len(webs) == 2
            assert any("--role feeder" in a for a in _children(sup.proc.pid).values())
            victim = next(iter(webs))
            os.kill(victim, signal.SIGKILL)
            killed = time.monotonic()
            deadline = time.monotonic() + timeout(30)
            while not any(w.drops for w in watchers):
                assert time.monotonic() < deadline, "no page was on the killed worker"
                await asyncio.sleep(0.1)
            for w in watchers:  # every page, dropped or not, is current again
                await w.wait_for("update", killed + 1, 30, "after a worker died")
            for w in (w for w in watchers if w.drops):
                assert w.conns >= 2
                assert [f for f in w.of("snapshot", killed) if f.conn == w.conns]  # resynced
            deadline = time.monotonic() + timeout(30)
            while True:  # the supervisor started a new one in its place
                webs_now = {p for p, a in _children(sup.proc.pid).items() if "--role web" in a}
                if len(webs_now) == 2 and victim not in webs_now:
                    break
                assert time.monotonic() < deadline, "the dead worker was not restarted"
                await asyncio.sleep(0.2)
        finally:
            for w in watchers:
                await w.stop()
        assert sup.stop() == 0  # SIGTERM: every process finished cleanly
    assert "restarting it" in sup.output()


async def _post_until(
    url: str, token: str, device: str, acked: set[tuple[str, int]], stop: asyncio.Event
) -> None:
    base = time.time() - 3600  # an hour ago: reports from the future are refused
    seq = 0
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout(20))) as http:
        while not stop.is_set():
            batch = [{"lat": 18.93, "lon": 72.83, "ts": base + (seq + i) / 100} for i in range(20)]
            seq += 20
            try:
                async with http.post(url, data=orjson.dumps(batch), headers=headers) as resp:
                    if resp.status != 200:
                        await asyncio.sleep(0.1)
                        continue
                    answer = await resp.json()
            except (aiohttp.ClientError, ConnectionError, TimeoutError):
                await asyncio.sleep(0.1)
                continue
            assert answer["stored"] is None  # handed to the feeder, not stored here
            for item, result in zip(batch, answer["results"], strict=True):
                if result["ok"]:
                    acked.add((device, round(item["ts"] * 1000)))


async def test_kill_9_of_the_feeder_during_ingest_loses_no_acknowledged_report(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    db = tmp_path / "b.db"
    tokens = {}
    for i in range(3):
        out = devices_cli(db, "add", f"bus-{i}")
        assert out.returncode == 0, out.stderr
        tokens[f"bus-{i}"] = out.stdout.splitlines()[-1]
    acked: set[tuple[str, int]] = set()
    stop = asyncio.Event()
    with (
        feeder(tmp_path, redis_server.url, db, "--source", "none") as first,
        web_process(tmp_path, redis_server.url, db, "--source", "none") as web_a,
        web_process(tmp_path, redis_server.url, db, "--source", "none") as web_b,
    ):
        assert first.proc is not None
        posts = [
            asyncio.create_task(_post_until(w.url + "/api/ingest", t, d, acked, stop))
            for (d, t), w in zip(tokens.items(), (web_a, web_b, web_a), strict=True)
        ]
        try:
            deadline = time.monotonic() + timeout(30)
            while len(acked) < 1000:
                assert time.monotonic() < deadline, len(acked)
                await asyncio.sleep(0.05)
            first.proc.kill()  # mid-stream, with batches read from the stream and not yet stored
            first.proc.wait()
            at_kill = len(acked)
            with feeder(tmp_path, redis_server.url, db, "--source", "none"):
                deadline = time.monotonic() + timeout(30)
                while len(acked) < at_kill + 1000:
                    assert time.monotonic() < deadline, "ingest did not go on"
                    await asyncio.sleep(0.05)
                stop.set()
                await asyncio.gather(*posts)
                deadline = time.monotonic() + timeout(30)
                while True:  # the new feeder stores every acknowledged batch, old and new
                    with sqlite3.connect(db) as conn:
                        stored = set(conn.execute("SELECT device, ts_ms FROM reports"))
                    lost = acked - stored
                    if not lost:
                        break
                    assert time.monotonic() < deadline, f"{len(lost)} of {len(acked)} lost"
                    await asyncio.sleep(0.2)
        finally:
            stop.set()
            await asyncio.gather(*posts, return_exceptions=True)
    assert len(acked) > 2000


async def test_a_gps_jump_is_refused_whichever_web_process_took_the_report_before(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    """A device's reports go to two web processes in turn (as a load balancer sends them):
    each judges a report against the last one either of them took (Redis's ``last``)."""
    db = tmp_path / "b.db"
    out = devices_cli(db, "add", "bus-1")
    assert out.returncode == 0, out.stderr
    headers = {"Authorization": f"Bearer {out.stdout.splitlines()[-1]}"}
    now = time.time()
    with (
        web_process(tmp_path, redis_server.url, db, "--source", "none") as web_a,
        web_process(tmp_path, redis_server.url, db, "--source", "none") as web_b,
    ):
        async with aiohttp.ClientSession() as http:

            async def post(web: ServerProcess, lat: float, ts: float) -> dict[str, object]:
                report = [{"lat": lat, "lon": 72.83, "ts": ts}]
                async with http.post(
                    web.url + "/api/ingest", data=orjson.dumps(report), headers=headers
                ) as resp:
                    assert resp.status == 200, await resp.text()
                    result: dict[str, object] = (await resp.json())["results"][0]
                    return result

            base = now - 3600
            assert (await post(web_a, 18.93, base))["ok"]
            # 5 km north 5 s later, at the other process: 3,600 km/h, judged against A's.
            jump = await post(web_b, 18.975, base + 5)
            assert not jump["ok"] and "GPS jump" in str(jump["error"]), jump
            # 5 km in 10 minutes: a bus. B's report is now the last.
            assert (await post(web_b, 18.975, base + 600))["ok"]
            # Back where A saw it last, 5 s later: no move at all by A's own last report,
            # 5 km in 5 s by B's: refused.
            back = await post(web_a, 18.93, base + 605)
            assert not back["ok"] and "GPS jump" in str(back["error"]), back
