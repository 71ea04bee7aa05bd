"""A WebSocket that ends is freed by reference counting, without the garbage collector.

Each scenario ends a connection in a different way, with automatic collection off (as in
the server process), and checks that the server's WebSocketResponse and transport are
gone. Without :func:`bustrack.web.cycles.cut_cycles` they stay until a full collection.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Awaitable, Callable, Iterator

import aiohttp
import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient

from bustrack.settings import Settings
from bustrack.web.keys import hub_key
from tests.conftest import eventually, timeout
from tests.web.test_ws import _raw_client_that_never_reads

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]


@pytest.fixture
def no_automatic_gc() -> Iterator[None]:
    """Automatic collection off for the test, as :func:`bustrack.web.serve.serve` does."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def _server_side(client: TestClient) -> tuple[weakref.ref[object], ...]:  # type: ignore[type-arg]
    """Weak references to the server's objects of the one connected WebSocket."""
    hub = client.app[hub_key]  # type: ignore[union-attr]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout(10)
    while len(hub.clients) != 1:
        assert loop.time() < deadline, "the server never registered the client"
        await asyncio.sleep(0.02)
    (connected,) = hub.clients
    return weakref.ref(connected.ws), weakref.ref(connected.transport)


async def _freed(refs: tuple[weakref.ref[object], ...]) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout(5)
    while any(ref() is not None for ref in refs):
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def _close_handshake(ws: aiohttp.ClientWebSocketResponse) -> None:
    await ws.close()


async def _drop_tcp(ws: aiohttp.ClientWebSocketResponse) -> None:
    ws._response.connection.transport.abort()  # type: ignore[union-attr]


async def _send_binary(ws: aiohttp.ClientWebSocketResponse) -> None:
    """The server closes this connection itself (binary frames are not supported)."""
    await ws.send_bytes(b"\x00")
    while (await ws.receive(timeout=timeout(5))).type == WSMsgType.TEXT:
        pass


@pytest.mark.parametrize("leave", [_close_handshake, _drop_tcp, _send_binary])
async def test_a_closed_websocket_is_freed_without_the_collector(
    make_client: MakeClient,
    settings: Settings,
    no_automatic_gc: None,
    leave: Callable[[aiohttp.ClientWebSocketResponse], Awaitable[None]],
) -> None:
    client = await make_client(settings)
    hub = client.app[hub_key]  # type: ignore[union-attr]
    ws = await client.ws_connect("/ws")
    assert (await ws.receive(timeout=timeout(5))).type == WSMsgType.TEXT
    refs = await _server_side(client)
    await leave(ws)
    await eventually(lambda: hub.departed >= 1, 10, "the server to see the client leave")
    assert await _freed(refs), [ref() for ref in refs]
    await ws.close()


async def test_a_stuck_client_dropped_by_the_server_is_freed_without_the_collector(
    make_client: MakeClient, settings: Settings, no_automatic_gc: None
) -> None:
    client = await make_client(settings)
    assert client.port is not None
    hub = client.app[hub_key]  # type: ignore[union-attr]
    stuck = _raw_client_that_never_reads(client.port)
    try:
        refs = await _server_side(client)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout(30)
        while hub.dropped_stuck == 0:
            assert loop.time() < deadline, "the stuck client was never dropped"
            await asyncio.sleep(0.1)
        assert await _freed(refs), [ref() for ref in refs]
    finally:
        stuck.close()
