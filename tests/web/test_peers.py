"""Per-client limits through the real server (bustrack/web/peers.py): WebSockets per address
and in total (1013), requests per address (429), failed ingest logins (429), and
X-Forwarded-For believed only from --trusted-proxies."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient

from bustrack.settings import Settings
from bustrack.store import SQLiteStore
from tests.web.test_ingest import _token

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def _refused_with(ws: object) -> tuple[int | None, str]:
    msg = await ws.receive(timeout=10)  # type: ignore[attr-defined]
    while msg.type not in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING):
        msg = await ws.receive(timeout=10)  # type: ignore[attr-defined]
    return ws.close_code, str(msg.extra or "")  # type: ignore[attr-defined]


async def test_websockets_are_capped_per_address_and_in_total(make_client: MakeClient) -> None:
    client = await make_client(
        Settings(
            start_time="09:00",
            max_connections_per_ip=2,
            max_connections=3,
            trusted_proxies="127.0.0.1",
        )
    )
    a1 = await client.ws_connect("/ws?bbox=72.8,18.9,72.85,18.95", headers=_from("198.51.100.1"))
    a2 = await client.ws_connect("/ws?bbox=72.8,18.9,72.85,18.95", headers=_from("198.51.100.1"))
    a3 = await client.ws_connect("/ws?bbox=72.8,18.9,72.85,18.95", headers=_from("198.51.100.1"))
    code, reason = await _refused_with(a3)
    assert code == 1013 and "too many connections from your address" in reason
    b1 = await client.ws_connect("/ws?bbox=72.8,18.9,72.85,18.95", headers=_from("198.51.100.2"))
    assert (await b1.receive(timeout=10)).type == WSMsgType.TEXT  # its snapshot
    c1 = await client.ws_connect("/ws?bbox=72.8,18.9,72.85,18.95", headers=_from("198.51.100.3"))
    code, reason = await _refused_with(c1)
    assert code == 1013 and "full" in reason
    # The others were not disturbed, and a closed socket frees its place.
    assert (await a1.receive(timeout=10)).type == WSMsgType.TEXT
    await a2.close()
    for _ in range(100):  # the server sees the close a moment later
        again = await client.ws_connect(
            "/ws?bbox=72.8,18.9,72.85,18.95", headers=_from("198.51.100.1")
        )
        if (await again.receive(timeout=10)).type == WSMsgType.TEXT:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the closed socket's place was never freed")
    for ws in (a1, b1, again):
        await ws.close()


async def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    make_client: MakeClient,
) -> None:
    client = await make_client(Settings(start_time="09:00", max_connections_per_ip=1))
    first = await client.ws_connect("/ws?bbox=72.8,18.9,72.85,18.95", headers=_from("198.51.100.1"))
    # A second "client" claiming another address is the same peer: refused.
    second = await client.ws_connect(
        "/ws?bbox=72.8,18.9,72.85,18.95", headers=_from("198.51.100.2")
    )
    code, _ = await _refused_with(second)
    assert code == 1013
    await first.close()


async def test_requests_are_limited_per_address_with_429(make_client: MakeClient) -> None:
    client = await make_client(
        Settings(start_time="09:00", http_burst=5, http_rate=0.01, trusted_proxies="127.0.0.1")
    )
    statuses = [
        (await client.get("/api/feed", headers=_from("198.51.100.1"))).status for _ in range(7)
    ]
    assert statuses == [200] * 5 + [429] * 2
    limited = await client.get("/gtfs-rt/alerts.pb", headers=_from("198.51.100.1"))
    assert limited.status == 429 and limited.headers["Retry-After"] == "1"
    assert "Content-Security-Policy" in limited.headers
    assert (await client.get("/api/feed", headers=_from("198.51.100.2"))).status == 200
    assert (await client.get("/", headers=_from("198.51.100.1"))).status == 200  # the page


async def test_failed_ingest_logins_are_limited_before_any_token_is_looked_at(
    make_client: MakeClient,
) -> None:
    client = await make_client(
        Settings(start_time="09:00", http_burst=1000, trusted_proxies="127.0.0.1")
    )
    wrong = {"Authorization": "Bearer nope", **_from("198.51.100.1")}
    statuses = [
        (await client.post("/api/ingest", json=[], headers=wrong)).status for _ in range(12)
    ]
    assert statuses == [401] * 10 + [429] * 2
    other = {"Authorization": "Bearer nope", **_from("198.51.100.2")}
    assert (await client.post("/api/ingest", json=[], headers=other)).status == 401


async def test_buses_behind_one_nat_keep_reporting_while_a_wrong_token_is_locked_out(
    make_client: MakeClient, tmp_path: Path
) -> None:
    """One address (a carrier's NAT): a bus that logged in keeps reporting after a
    misconfigured unit behind the same address is locked out; guesses and tokens never seen
    from it still get 429, and a known token that is revoked is refused."""
    db = tmp_path / "b.db"
    good, fresh = _token(db, "bus-1"), _token(db, "bus-2")
    client = await make_client(
        Settings(start_time="09:00", http_burst=1000, trusted_proxies="127.0.0.1", db=str(db))
    )
    nat = _from("198.51.100.7")

    async def post(token: str) -> int:
        headers = {"Authorization": f"Bearer {token}", **nat}
        return (await client.post("/api/ingest", json=[], headers=headers)).status

    assert await post(good) == 200  # bus-1 logs in: known from now on
    assert [await post("nope") for _ in range(11)] == [401] * 10 + [429]
    assert await post(good) == 200, "the bus that logged in is not locked out"
    assert await post("nope-again") == 429, "guesses still are"
    assert await post(fresh) == 429, "so is a token not seen yet (it waits out the lockout)"
    store = SQLiteStore(db)
    assert store.revoke_device("bus-1", time.time())
    store.close_now()
    assert await post(good) == 401, "a known token is still looked up: revoked, refused"
