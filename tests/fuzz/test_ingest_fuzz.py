"""The ingest API fuzzed against the real program: over 10,000 generated requests to
``/api/ingest`` and ``/api/ingest/osmand`` (good and bad reports, NaN and absurd numbers,
wrong types, bodies that are not JSON or not arrays, batches and bodies over the limits,
wrong tokens), while observers watch /ws.

Each request gets one of the answers docs/api.md documents, never a 500: ``200`` with a
result per report in order (a report built good is accepted, one built bad refused with
a reason), ``400`` with the reason, ``401`` for a wrong token, ``413`` past the limits.
Meanwhile the observers miss no tick; afterwards the server still runs, logged no
traceback, and its memory came back.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bustrack.settings import Settings
from bustrack.store import SQLiteStore
from tests.conftest import SERVICE_DATE, timeout
from tests.fuzz.harness import LoopThread, close_observers, open_observers
from tests.web.process import ServerProcess
from tests.web.test_ws_abuse import rss_mb

TICK = 0.5
BATCH = 10  # requests of one hypothesis example
EXAMPLES = 540  # 5,400 requests carrying over 10,000 reports (drawing them is the cost)
IN_FLIGHT = 4
LAT, LON = 18.9322, 72.8264  # near Churchgate, in the feed's area
DEVICES = 8
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True, repr=False)
class Request:
    """One request and what it must get: a status, and for a 200 of a batch, which
    reports must be accepted (True), refused (False) or either (None)."""

    path: str
    body: bytes | None
    status: int
    oks: tuple[bool | None, ...] = ()
    query: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # short, whatever the body
        body = None if self.body is None else f"{self.body[:60]!r}... ({len(self.body)} bytes)"
        return f"Request({self.path}, {body}, {self.status}, {self.oks}, {self.query})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis's printer
        printer.text(repr(self))


MAX_INT = 2**63 - 1
junk = (
    st.none()
    | st.booleans()
    | st.integers(-MAX_INT, MAX_INT)
    | st.text(max_size=10)
    | st.lists(st.integers(0, 9), max_size=2)
)


@st.composite
def reports(draw: st.DrawFn) -> tuple[Any, bool | None]:
    """A report and whether it must be accepted: all good ones are at the same place (no
    GPS jump, whatever the order), at distinct moments in the last hour."""
    ts = time.time() - draw(st.floats(60, 3000))
    good: dict[str, Any] = {"lat": LAT, "lon": LON, "ts": ts}
    if draw(st.booleans()):
        good |= draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "speed": st.floats(0, 30),
                    "bearing": st.floats(0, 359),
                    "accuracy": st.floats(0, 50),
                    "route_id": st.sampled_from(["BEST_10AS", "", "nope"]),
                    "occupancy": st.sampled_from(["FEW_SEATS_AVAILABLE", "FULL"]),
                },
            )
        )
    how = draw(st.integers(0, 9))
    if how <= 2:
        return good, True
    if how == 3:  # a required field missing
        del good[draw(st.sampled_from(["lat", "lon", "ts"]))]
        return good, False
    if how == 4:  # not a number, or not a finite one
        good[draw(st.sampled_from(["lat", "lon", "ts"]))] = draw(
            st.sampled_from(["nan", "inf", "-Infinity", "x", None, True, [], {}])
        )
        return good, False
    if how == 5:  # out of range, absurdly so, or 0,0
        which = draw(st.sampled_from(["lat", "lon", "zero", "future", "old"]))
        if which == "lat":
            good["lat"] = draw(st.sampled_from([90.5, -91, 1e300, -1e308]))
        elif which == "lon":
            good["lon"] = draw(st.sampled_from([180.5, -181, 1e300]))
        elif which == "zero":
            good["lat"] = good["lon"] = 0
        elif which == "future":
            good["ts"] = time.time() + draw(st.floats(600, 1e12))
        else:
            good["ts"] = draw(st.sampled_from([0, -1, 1e-300, time.time() - 9 * 86400]))
        return good, False
    if how == 6:  # far from the feed's area
        good["lat"], good["lon"] = draw(st.sampled_from([(40.7, -74.0), (-33.9, 151.2)]))
        return good, False
    if how == 7:  # an unknown occupancy, ids too long, another device
        which = draw(st.integers(0, 2))
        if which == 0:
            good["occupancy"] = draw(st.text(max_size=10).filter(lambda t: t != "FULL"))
            if good["occupancy"] == "":
                return good, None  # empty may count as "not said"
        elif which == 1:
            good[draw(st.sampled_from(["trip_id", "route_id"]))] = "x" * draw(st.integers(65, 500))
        else:
            good["device"] = draw(
                st.text(min_size=1, max_size=10).filter(lambda d: not d.startswith("bus-"))
            )
        return good, False
    if how == 8:  # not an object
        return draw(junk), False
    # Arbitrary extra or odd fields: either way, never a 500.
    good |= draw(st.dictionaries(st.text(max_size=8), junk, max_size=3))
    return good, None


def _body(items: list[Any]) -> bytes:
    return orjson.dumps(items)


@st.composite
def requests(draw: st.DrawFn) -> Request:
    """A request of any kind, with what it must get."""
    how = draw(st.integers(0, 11))
    if how <= 5:  # a batch of reports
        batch = draw(st.lists(reports(), max_size=16))
        items = [r for r, _ in batch]
        return Request("/api/ingest", _body(items), 200, tuple(ok for _, ok in batch))
    if how == 6:  # not JSON
        body = draw(
            st.sampled_from([b"[NaN]", b"[1e999]", b"{not json", b"", b"\xff\xfe", b"[" * 2000])
            | st.binary(max_size=100).filter(_not_json)
        )
        return Request("/api/ingest", body, 400)
    if how == 7:  # JSON, not an array
        value = draw(
            st.dictionaries(st.text(max_size=5), junk, max_size=3)
            | junk.filter(lambda v: not isinstance(v, list))
        )
        return Request("/api/ingest", orjson.dumps(value), 400)
    if how == 8:  # over the limits
        if draw(st.integers(0, 4)):
            n = draw(st.integers(1001, 3000))
            return Request("/api/ingest", b"[" + b",".join([b"{}"] * n) + b"]", 413)
        return Request(
            "/api/ingest", b"[" + b" " * draw(st.integers(1_048_577, 1_300_000)) + b"]", 413
        )
    if how == 9:  # a bad report in OsmAnd's JSON body
        body = {
            "device_id": "x",
            "location": draw(junk | st.dictionaries(st.text(max_size=5), junk)),
        }
        return Request("/api/ingest/osmand", orjson.dumps(body), 400)
    # OsmAnd: query fields, good or not.
    report, ok = draw(reports())
    query = {"id": ""}  # the token's device, set when sent
    if isinstance(report, dict):
        for ours, theirs in (("lat", "lat"), ("lon", "lon"), ("ts", "timestamp")):
            if ours in report:
                query[theirs] = str(report[ours])
    else:
        ok = False
    if (
        ok is not True
        and set(query) == {"id", "lat", "lon", "timestamp"}
        and isinstance(report, dict)
    ):
        ok = None  # its other fields, which the OsmAnd query does not carry, made it bad
    query["x"] = draw(st.text(max_size=5))
    status = {True: 200, False: 400, None: 0}[ok]
    return Request("/api/ingest/osmand", None, status, query=query)


def _not_json(data: bytes) -> bool:
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError:
        return True
    return False


@dataclass
class Tally:
    requests: int = 0
    reports: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)


async def _send(
    http: aiohttp.ClientSession, url: str, tokens: list[str], batch: list[Request], tally: Tally
) -> None:
    for i, req in enumerate(batch):
        device, good = tokens[i % len(tokens)]
        headers = {"Authorization": f"Bearer {good}"}
        if req.body is None:
            query = {**req.query, "id": device}
            resp = await http.get(url + req.path, params=query, headers=headers)
        elif req.path.endswith("/osmand"):
            headers["Content-Type"] = "application/json"
            resp = await http.post(url + req.path, data=req.body, headers=headers)
        else:
            # (A stream: aiohttp warns of bodies over 1 MiB given as bytes.)
            resp = await http.post(url + req.path, data=io.BytesIO(req.body), headers=headers)
        async with resp:
            text = await resp.text()
        tally.requests += 1
        tally.statuses[resp.status] = tally.statuses.get(resp.status, 0) + 1
        shown = f"{req.path} {(req.body or b'')[:150]!r} {req.query}: {resp.status} {text[:300]!r}"
        # Wrong tokens from one address soon get 429 before any token is looked at
        # (failed logins are limited, where the server limits them).
        allowed = {req.status, 429} if req.status == 401 else {req.status}
        if resp.status not in (200, 400, 401, 413, 429) or (
            req.status and resp.status not in allowed
        ):
            tally.wrong.append(f"expected {req.status}: {shown}")
            continue
        if resp.status != 200:
            if not text.strip():
                tally.wrong.append(f"no reason given: {shown}")
            continue
        if req.path.endswith("/osmand"):
            continue
        answer = orjson.loads(text)
        results = answer["results"]
        tally.reports += len(results)
        refused = sum(not r["ok"] for r in results)
        if [r["i"] for r in results] != list(range(len(req.oks))) or (
            answer["accepted"] + refused != len(results) or answer["refused"] != refused
        ):
            tally.wrong.append(f"results not one per report in order: {shown}")
            continue
        for r, ok in zip(results, req.oks, strict=True):
            if ok is not None and r["ok"] != ok:
                tally.wrong.append(f"report {r['i']} expected ok={ok}: {shown}")
            if not r["ok"] and not (isinstance(r.get("error"), str) and r["error"]):
                tally.wrong.append(f"report {r['i']} refused without a reason: {shown}")
            if r["ok"] and not isinstance(r.get("stored"), bool):
                tally.wrong.append(f"report {r['i']} without stored: {shown}")


@pytest.fixture(scope="module")
def loop_thread() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.close()


def test_fuzzed_ingest_requests_get_their_documented_answers(
    tmp_path: Path, loop_thread: LoopThread
) -> None:
    db = tmp_path / "fuzz.db"
    store = SQLiteStore(db)
    tokens = [(f"bus-{i}", store.add_device(f"bus-{i}", time.time())) for i in range(DEVICES)]
    store.close_now()
    args = ("--tick", str(TICK), "--start-time", "09:00", "--service-date", SERVICE_DATE)
    if "http_rate" in {f.name for f in dataclasses.fields(Settings)}:
        # All the fuzzing comes from one address: lift the per-address request limit.
        args = (*args, "--http-rate", "1000000", "--http-burst", "1000000")
    with ServerProcess(tmp_path, *args, "--db", str(db)) as server:
        assert server.proc is not None
        http = loop_thread.run(_session(), 10)
        observers = loop_thread.run(open_observers(server.url, http), 40)
        before = rss_mb(server.proc.pid)
        tally = Tally()
        pending: deque[Future[None]] = deque()

        @FUZZ
        @given(batch=st.lists(requests(), min_size=BATCH, max_size=BATCH))
        def fuzz(batch: list[Request]) -> None:
            if len(pending) >= IN_FLIGHT:
                pending.popleft().result(timeout(60))
            mine = tokens[len(pending) :: IN_FLIGHT] or tokens
            pending.append(loop_thread.submit(_send(http, server.url, mine, batch, tally)))

        fuzz()
        while pending:
            pending.popleft().result(timeout(60))
        wrong = loop_thread.run(_wrong_tokens(http, server.url), 30)
        seen = len(observers[0].ticks)
        loop_thread.run(_until(lambda: len(observers[0].ticks) >= seen + 3), 20)
        loop_thread.run(close_observers(observers), 20)
        loop_thread.run(http.close(), 10)
        grown = rss_mb(server.proc.pid) - before
        assert server.proc.poll() is None, server.output()[-3000:]
        log = server.output()
    assert not tally.wrong, f"{len(tally.wrong)} wrong answers:\n" + "\n".join(tally.wrong[:20])
    assert tally.requests == EXAMPLES * BATCH and tally.reports >= 10_000, tally
    assert all(tally.statuses.get(s, 0) >= 100 for s in (200, 400, 413)), tally.statuses
    # Wrong tokens, or none: 401, a few of them (failed logins from one address may be
    # limited to a handful, after which even good tokens wait).
    assert wrong == [401] * 6, wrong
    for i, o in enumerate(observers):
        assert not o.missed(TICK), (i, o.missed(TICK))
    assert grown < 50, f"the server grew by {grown:.0f} MB"
    assert "Traceback" not in log and "Error handling request" not in log, log[-5000:]


async def _wrong_tokens(http: aiohttp.ClientSession, url: str) -> list[int]:
    statuses = []
    body = _body([{"lat": LAT, "lon": LON, "ts": time.time() - 60}])
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}):
        async with http.post(url + "/api/ingest", data=body, headers=headers) as resp:
            statuses.append(resp.status)
        query = {"id": "bus-0", "lat": str(LAT), "lon": str(LON), "token": "nope"}
        async with http.get(url + "/api/ingest/osmand", params=query) as resp:
            statuses.append(resp.status)
    return statuses


async def _session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession()


async def _until(check: Any) -> None:
    while not check():
        await asyncio.sleep(0.05)
