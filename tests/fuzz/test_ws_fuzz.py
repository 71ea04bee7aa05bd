"""/ws fuzzed against the real program: over 10,000 generated messages (valid and invalid
subscribes, absurd boxes, unknown types, not JSON, deep nesting, huge and binary frames,
floods), while observers watch.

Each generated case knows, by construction, what docs/protocol.md says it must get: a
``snapshot`` (a valid subscribe), a ``pong`` (a ping, whatever else it holds), an
``error`` frame starting with the documented reason (anything else), or a close code
(1009 for a frame over 64 KiB, 1003 for a binary one, 1008 for a flood past the burst).
Every fuzzing connection sends fewer messages than ``--client-message-burst``, so only
the floods meet the limit. Meanwhile three observers must miss no tick; afterwards the
server is still running, logged no traceback, and its memory came back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bustrack.gtfs.model import Feed
from bustrack.wire.protocol import MAX_GLANCE
from tests.conftest import SERVICE_DATE, timeout
from tests.fuzz.harness import LoopThread, close_observers, open_observers
from tests.web.process import ServerProcess
from tests.web.test_ws_abuse import rss_mb

TICK = 0.5
BURST = 30  # --client-message-burst, the default
PER_CONNECTION = 25  # messages a fuzzing connection sends: under the burst
BATCH = 10  # messages of one hypothesis example
EXAMPLES = 1000  # examples: 10,000 messages, and the floods'
FLOODS = 30
IN_FLIGHT = 4  # batches sent at once (each on its own connections) while the next is drawn
FUZZ = settings(
    max_examples=EXAMPLES,
    phases=[Phase.generate],  # no shrinking: a wrong answer is reported, not raised
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# A small box: the snapshot a fuzzing connection starts with stays small.
START = "?bbox=72.82,18.92,72.83,18.93"


@dataclass(frozen=True)
class Case:
    """One message and what it must get: ``snapshot``, ``pong``, ``error`` (``detail``:
    the start of the error text) or ``close`` (``detail``: the close code)."""

    message: str | bytes
    expect: str
    detail: str | int = ""

    def size(self) -> int:
        data = self.message if isinstance(self.message, bytes) else self.message.encode()
        return len(data)


@dataclass(frozen=True)
class Flood:
    """Messages sent at once, past the burst: the connection is closed with 1008."""

    messages: tuple[str, ...]


# Strategies.

MAX_INT = 2**63 - 1
ints = st.integers(-MAX_INT, MAX_INT)  # what JSON carries as integers
scalars = (
    st.none()
    | st.booleans()
    | ints
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=6,
)
SUBSCRIBE_KEYS = {"type", "bbox", "routes", "stop", "vehicle", "glance"}
# Keys the protocol does not know, which it ignores: mostly none (they cost generation time).
extras = st.just({}) | st.dictionaries(
    st.text(max_size=10).filter(lambda k: k not in SUBSCRIBE_KEYS), json_values, max_size=3
)


def _dumps(msg: dict[str, Any]) -> str:
    return orjson.dumps(msg).decode()


@st.composite
def valid_boxes(draw: st.DrawFn) -> list[float]:
    """A box the protocol accepts: mostly a phone's or a city's over Mumbai, else anywhere."""
    if draw(st.integers(0, 3)):
        west = draw(st.floats(72.6, 73.2))
        south = draw(st.floats(18.8, 19.4))
        size = draw(st.floats(0.001, 0.3))
        return [west, south, west + size, south + size]
    west = draw(st.floats(-180, 179.9))
    south = draw(st.floats(-90, 89.9))
    east = draw(st.floats(west, 180).filter(lambda e: e > west))
    north = draw(st.floats(south, 90).filter(lambda n: n > south))
    return [west, south, east, north]


def valid_subscribes(feed: Feed) -> st.SearchStrategy[dict[str, Any]]:
    routes = sorted(feed.routes)
    stops = sorted(feed.stops)
    return st.fixed_dictionaries(
        {"type": st.just("subscribe")},
        optional={
            "bbox": st.none() | valid_boxes(),
            "routes": st.lists(st.sampled_from(routes), max_size=100)
            | st.lists(st.text(max_size=30), max_size=5)
            | st.sampled_from([None, 0, False, "", {}]),  # empty: no route filter
            "stop": st.none() | st.sampled_from(stops),
            "vehicle": st.none() | st.text(min_size=1, max_size=200),
            # Repeated ids count once: at most MAX_GLANCE distinct ones.
            "glance": st.none() | st.lists(st.sampled_from(stops), max_size=MAX_GLANCE),
        },
    ).flatmap(lambda msg: extras.map(lambda more: {**more, **msg}))


absurd = st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: abs(v) > 180)


@st.composite
def bad_boxes(draw: st.DrawFn) -> Any:
    """A ``bbox`` the protocol refuses."""
    how = draw(st.integers(0, 5))
    if how == 0:  # not a list (and not null, which means no box)
        return draw(st.text() | ints | st.booleans() | st.dictionaries(st.text(), scalars))
    if how == 1:  # not four values
        n = draw(st.integers(0, 8).filter(lambda n: n != 4))
        return draw(st.lists(st.floats(-90, 90), min_size=n, max_size=n))
    box: list[Any] = draw(valid_boxes())
    i = draw(st.integers(0, 3))
    if how == 2:  # a value that is not a number
        box[i] = draw(st.text() | st.booleans() | st.none() | st.lists(ints, max_size=2))
    elif how == 3:  # out of range, absurdly so
        box[i] = draw(absurd)
    elif how == 4:  # west >= east
        box[2] = box[0] - draw(st.floats(0, 10))
    else:  # south >= north
        box[3] = box[1] - draw(st.floats(0, 10))
    return box


def bad_subscribes(feed: Feed) -> st.SearchStrategy[Case]:
    """A subscribe with one thing wrong: an ``error`` starting with ``subscribe: ``."""
    stops = feed.stops
    truthy_non_lists = (
        st.text(min_size=1)
        | ints.filter(bool)
        | st.just(True)
        | st.dictionaries(st.text(), scalars, min_size=1)
    )
    breakers: list[st.SearchStrategy[tuple[str, Any]]] = [
        st.tuples(st.just("bbox"), bad_boxes()),
        st.tuples(st.just("routes"), truthy_non_lists),
        st.tuples(
            st.just("routes"),
            st.lists(st.text(max_size=5), max_size=3).flatmap(
                lambda r: st.integers(0, len(r)).flatmap(
                    lambda i: (ints | st.none() | st.booleans()).map(
                        lambda bad: [*r[:i], bad, *r[i:]]
                    )
                )
            ),
        ),
        st.tuples(st.just("routes"), st.lists(st.text(max_size=4), min_size=101, max_size=300)),
        st.tuples(
            st.sampled_from(["stop", "vehicle"]),
            st.just("")
            | st.text(min_size=201, max_size=400)
            | ints
            | st.booleans()
            | st.lists(st.text(), max_size=2)
            | st.floats(allow_nan=False, allow_infinity=False),
        ),
        st.tuples(
            st.just("stop"), st.text(min_size=1, max_size=200).filter(lambda s: s not in stops)
        ),
        st.tuples(st.just("glance"), truthy_non_lists),
        st.tuples(
            st.just("glance"),
            st.lists(st.sampled_from(sorted(stops)), max_size=3).flatmap(
                lambda g: (
                    ints
                    | st.none()
                    | st.just("")
                    | st.text(min_size=1, max_size=200).filter(lambda s: s not in stops)
                ).map(lambda bad: [*g, bad])
            ),
        ),
        st.tuples(
            st.just("glance"),
            st.lists(
                st.sampled_from(sorted(stops)),
                min_size=MAX_GLANCE + 1,
                max_size=MAX_GLANCE + 5,
                unique=True,
            ),
        ),
    ]
    return st.tuples(valid_subscribes(feed), st.one_of(breakers)).map(
        lambda pair: Case(_dumps({**pair[0], pair[1][0]: pair[1][1]}), "error", "subscribe: ")
    )


def _not_json(text: str) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return True
    return False


# Boxes JSON cannot carry: NaN, infinities, numbers past a double.
NON_JSON_BOXES = ["NaN", "Infinity", "-Infinity", "1e999", "-1e400", "nan", "inf"]


def cases(feed: Feed) -> st.SearchStrategy[Case]:
    """Every kind of message, each with what it must get."""
    not_json = "message is not valid JSON"
    pings = extras.map(lambda more: Case(_dumps({**more, "type": "ping"}), "pong"))
    unknown = st.tuples(extras, st.text().filter(lambda t: t not in ("ping", "subscribe"))).map(
        lambda p: Case(_dumps({**p[0], "type": p[1]}), "error", "unknown message type")
    )
    no_type = st.tuples(extras, json_values.filter(lambda v: not isinstance(v, str))).map(
        lambda p: Case(_dumps({**p[0], "type": p[1]}), "error", "message has no 'type' string")
    )
    untyped = extras.map(lambda m: Case(_dumps(m), "error", "message has no 'type' string"))
    not_objects = json_values.filter(lambda v: not isinstance(v, dict)).map(
        lambda v: Case(orjson.dumps(v).decode(), "error", "message must be a JSON object")
    )
    garbage = (st.text(max_size=200) | st.binary(max_size=200).map(_latin1)).filter(_not_json)
    junk = garbage.map(lambda t: Case(t, "error", not_json))
    broken = st.tuples(valid_subscribes(feed), st.integers(1, 30)).map(
        lambda p: Case(_dumps(p[0])[: -p[1]], "error", not_json)  # cut short
    )
    non_json_boxes = st.tuples(
        valid_boxes(), st.integers(0, 3), st.sampled_from(NON_JSON_BOXES)
    ).map(lambda p: Case(_box_text(p[0], p[1], p[2]), "error", not_json))
    nested = st.integers(1, 1000).map(
        lambda d: Case('{"type":"ping","x":' + "[" * d + "]" * d + "}", "pong")
    ) | st.integers(1100, 20_000).map(
        lambda d: Case('{"type":"ping","x":' + "[" * d + "]" * d + "}", "error", not_json)
    )
    # Big but under 64 KiB: answered; over it: closed with 1009 before it is read whole.
    padding = st.integers(1_000, 64_000)
    huge = st.one_of(
        padding.map(lambda n: Case(_dumps({"type": "ping", "pad": "x" * n}), "pong")),
        padding.map(
            lambda n: Case(_dumps({"type": "nope", "pad": "é" * (n // 2)}), "error", "unknown")
        ),
        padding.map(lambda n: Case("[" + "1," * (n // 2) + "1", "error", not_json)),
        st.integers(66_000, 300_000).map(lambda n: Case("x" * n, "close", 1009)),
        st.integers(33_000, 200_000).map(
            lambda n: Case(_dumps({"type": "ping", "p": "é" * n}), "close", 1009)
        ),
    )
    binary = st.binary(max_size=1000).map(lambda b: Case(b, "close", 1003))
    valid = valid_subscribes(feed).map(lambda m: Case(_dumps(m), "snapshot"))
    return st.one_of(
        valid, valid, bad_subscribes(feed), bad_subscribes(feed), pings, unknown, no_type,
        untyped, not_objects, junk, broken, non_json_boxes, nested, huge, binary,
    )  # fmt: skip


def _latin1(data: bytes) -> str:
    return data.decode("latin-1")


def _box_text(box: list[float], i: int, literal: str) -> str:
    values = [repr(v) for v in box]
    values[i] = literal
    return '{"type":"subscribe","bbox":[' + ",".join(values) + "]}"


# Messages of every kind for the floods, cheap to draw: a flood is many of them.
FLOOD_MESSAGES = [
    '{"type":"subscribe","bbox":[-180,-85,180,85]}',
    '{"type":"subscribe","bbox":[72.8,18.9,72.9,19.0],"stop":"BEST_01001"}',
    '{"type":"subscribe","bbox":[NaN,0,1,1]}',
    '{"type":"subscribe","bbox":[1e999,0,1,1]}',
    '{"type":"subscribe","routes":"x"}',
    '{"type":"ping"}',
    '{"type":"nope"}',
    "{not json",
    "[]",
    "",
]


def floods() -> st.SearchStrategy[Flood]:
    """Text messages under 64 KiB, more of them than the burst, sent at once."""
    message = st.sampled_from(FLOOD_MESSAGES) | st.text(max_size=50)
    return st.lists(message, min_size=BURST + 10, max_size=150).map(lambda m: Flood(tuple(m)))


# Sending.


@dataclass
class Tally:
    """What the fuzzing sent and what it got that it should not have."""

    messages: int = 0
    connections: int = 0
    answers: dict[str, int] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)

    def count(self, what: str) -> None:
        self.answers[what] = self.answers.get(what, 0) + 1


async def _connect(http: aiohttp.ClientSession, url: str) -> aiohttp.ClientWebSocketResponse:
    """A fuzzing connection, its first snapshot read."""
    ws = await http.ws_connect(url + "/ws" + START, autoclose=False, max_msg_size=0)
    await _next_answer(ws, "first snapshot")
    return ws


async def _next_answer(ws: aiohttp.ClientWebSocketResponse, what: str) -> tuple[str, Any]:
    """The next frame that answers a message (a snapshot, pong or error), or the close;
    the ticks' updates, arrivals and vehicle frames are skipped."""
    while True:
        msg = await ws.receive(timeout=timeout(15))
        if msg.type == aiohttp.WSMsgType.TEXT:
            # Every server frame starts with its type: {"type":"update","ts":...
            kind = msg.data[9 : msg.data.index('"', 9)]
            if kind in ("snapshot", "pong"):
                return kind, None
            if kind == "error":
                return kind, orjson.loads(msg.data)["error"]
        elif msg.type == aiohttp.WSMsgType.CLOSE:
            return "close", (msg.data, msg.extra)
        elif msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            return "close", (None, f"{what}: the connection ended without a close frame")


async def _send_cases(url: str, batch: list[Case], tally: Tally) -> None:
    """Send ``batch`` in order over one connection at a time (a new one after each close,
    and before the burst would be reached), each message answered before the next."""
    async with aiohttp.ClientSession() as http:
        ws: aiohttp.ClientWebSocketResponse | None = None
        sent = 0
        try:
            for case in batch:
                if ws is None or sent >= PER_CONNECTION:
                    if ws is not None:
                        await ws.close()
                    ws = await _connect(http, url)
                    tally.connections += 1
                    sent = 0
                # The server may close before it has read all of a huge frame.
                with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                    if isinstance(case.message, bytes):
                        await ws.send_bytes(case.message)
                    else:
                        await ws.send_str(case.message)
                sent += 1
                tally.messages += 1
                try:
                    kind, detail = await _next_answer(ws, repr(case.message[:80]))
                except TimeoutError:
                    tally.wrong.append(f"{case.message[:200]!r} ({case.size()} bytes): no answer")
                    break
                tally.count(kind if kind != "close" else f"close {detail[0]}")
                _check(case, kind, detail, tally)
                if kind == "close":
                    await ws.close()
                    ws = None
        finally:
            if ws is not None:
                await ws.close()


def _check(case: Case, kind: str, detail: Any, tally: Tally) -> None:
    shown = f"{case.message[:120]!r} ({case.size()} bytes)"
    if kind != case.expect:
        tally.wrong.append(f"{shown}: expected {case.expect} {case.detail}, got {kind} {detail}")
    elif kind == "error" and not str(detail).startswith(str(case.detail)):
        tally.wrong.append(f"{shown}: expected an error '{case.detail}...', got '{detail}'")
    elif kind == "close" and detail[0] != case.detail:
        tally.wrong.append(f"{shown}: expected close {case.detail}, got {detail}")


async def _send_flood(url: str, flood: Flood, tally: Tally) -> None:
    """Send every message of ``flood`` without waiting; the server must close with 1008."""
    async with aiohttp.ClientSession() as http:
        ws = await _connect(http, url)
        tally.connections += 1
        with contextlib.suppress(ConnectionError, aiohttp.ClientError):
            for message in flood.messages:
                await ws.send_str(message)
                tally.messages += 1
        while (answer := await _next_answer(ws, "flood"))[0] != "close":
            pass
        code, reason = answer[1]
        tally.count(f"close {code}")
        if code != aiohttp.WSCloseCode.POLICY_VIOLATION or "too many messages" not in reason:
            tally.wrong.append(f"a flood of {len(flood.messages)}: closed {code} {reason!r}")
        await ws.close()


# The test.


@pytest.fixture(scope="module")
def loop_thread() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    args = ("--tick", str(TICK), "--start-time", "09:00", "--service-date", SERVICE_DATE)
    with ServerProcess(tmp_path_factory.mktemp("ws-fuzz"), *args) as running:
        yield running


def test_fuzzed_messages_get_their_documented_answers_and_observers_miss_no_tick(
    server: ServerProcess, loop_thread: LoopThread, mumbai_feed: Feed
) -> None:
    assert server.proc is not None
    http = loop_thread.run(_session(), 10)
    observers = loop_thread.run(open_observers(server.url, http), 40)
    before = rss_mb(server.proc.pid)
    tally = Tally()

    pending: deque[Future[None]] = deque()

    @FUZZ
    @given(batch=st.lists(cases(mumbai_feed), min_size=BATCH, max_size=BATCH))
    def fuzz(batch: list[Case]) -> None:
        # Drawn while the batches before it are sent.
        if len(pending) >= IN_FLIGHT:
            pending.popleft().result(timeout(60))
        pending.append(loop_thread.submit(_send_cases(server.url, batch, tally)))

    @settings(FUZZ, max_examples=FLOODS)
    @given(flood=floods())
    def flood(flood: Flood) -> None:
        loop_thread.run(_send_flood(server.url, flood, tally), 30)

    fuzz()
    while pending:
        pending.popleft().result(timeout(60))
    flood()
    assert server.proc.poll() is None, server.output()[-3000:]
    # A few ticks more, after the last fuzzing connection left.
    seen = len(observers[0].ticks)
    loop_thread.run(_until(lambda: len(observers[0].ticks) >= seen + 3), 20)
    loop_thread.run(close_observers(observers), 20)
    loop_thread.run(http.close(), 10)

    assert not tally.wrong, f"{len(tally.wrong)} wrong answers:\n" + "\n".join(tally.wrong[:20])
    assert tally.messages >= 10_000, tally
    # Every kind of answer was met, many times over.
    assert tally.answers["close 1008"] == FLOODS, tally.answers
    for kind in ("snapshot", "pong", "error", "close 1003", "close 1009"):
        assert tally.answers.get(kind, 0) >= 100, tally.answers
    for i, o in enumerate(observers):
        assert not o.missed(TICK), (i, o.missed(TICK))
    # The fuzzing connections are gone (CLOSE_GRACE at most): the memory comes back.
    assert server.proc.poll() is None, server.output()[-3000:]
    grown = rss_mb(server.proc.pid) - before
    assert grown < 50, f"the server grew by {grown:.0f} MB"
    log = server.output()
    assert "Traceback" not in log and "Error handling request" not in log, log[-5000:]
    # One line per flood, as documented.
    assert log.count("over the limit of 30 at once") == tally.answers["close 1008"]


async def _session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession()


async def _until(check: Any) -> None:
    while not check():
        await asyncio.sleep(0.05)


def test_the_fuzzing_sends_what_it_says(mumbai_feed: Feed) -> None:
    """The strategies' labels hold: a message labelled with an error does not parse as a
    ping, and the huge ones are over or under the limit as labelled."""

    @settings(max_examples=300, derandomize=True, database=None, deadline=None)
    @given(case=cases(mumbai_feed))
    def check(case: Case) -> None:
        if case.expect == "close" and case.detail == 1009:
            assert case.size() > 64 * 1024
        elif isinstance(case.message, str):
            assert case.size() < 64 * 1024
        if case.expect == "pong":
            assert orjson.loads(case.message)["type"] == "ping"

    check()
