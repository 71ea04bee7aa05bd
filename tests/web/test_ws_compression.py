"""Per-message deflate on /ws, through a real server socket and three kinds of client: a
raw socket (to see the bytes on the wire), aiohttp's client and the ``websockets`` library.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import os
import struct
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import orjson
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient
from websockets.asyncio.client import connect

from bustrack.settings import Settings
from tests.conftest import timeout
from tests.wsstate import ClientState

MakeClient = Callable[[Settings], Awaitable[TestClient]]  # type: ignore[type-arg]
TRAILER = b"\x00\x00\xff\xff"


class RawClient:
    """A WebSocket opened by hand, offering permessage-deflate as browsers do."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.extensions = ""
        self.inflater = zlib.decompressobj(-15)  # one for the connection (context takeover)

    @classmethod
    async def open(cls, port: int) -> RawClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
            ).encode()
        )
        client = cls(reader, writer)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout(10))
        assert head.startswith(b"HTTP/1.1 101"), head
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "sec-websocket-extensions":
                client.extensions = value.strip()
        return client

    async def frame(self) -> tuple[bool, bytes, dict[str, Any]]:
        """Return the next text frame: (compressed, its payload on the wire, its JSON)."""
        while True:
            b0, b1 = await asyncio.wait_for(self.reader.readexactly(2), timeout(10))
            n = b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", await self.reader.readexactly(8))
            payload = await self.reader.readexactly(n)
            if b0 & 0x0F != 0x1:  # a ping, say
                continue
            compressed = bool(b0 & 0x40)
            text = self.inflater.decompress(payload + TRAILER) if compressed else payload
            return compressed, payload, orjson.loads(text)

    def close(self) -> None:
        self.writer.close()


async def test_frames_are_compressed_for_a_client_that_offers_deflate(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    assert client.port is not None
    raw = await RawClient.open(client.port)
    try:
        assert raw.extensions.startswith("permessage-deflate")
        async with client.ws_connect("/ws") as plain:  # no deflate offered
            compressed, payload, snapshot = await raw.frame()
            assert compressed and snapshot["type"] == "snapshot"
            assert len(payload) < len(orjson.dumps(snapshot)) / 2  # a snapshot shrinks ~4x
            state = ClientState()
            state.apply(snapshot)
            # Updates too, and they say the same as the plain client is told, tick by tick.
            plain_frames: dict[int, dict[str, Any]] = {}
            msg = await plain.receive(timeout=timeout(5))
            assert orjson.loads(msg.data)["type"] == "snapshot"
            for _ in range(4):
                compressed, payload, update = await raw.frame()
                assert compressed and update["type"] == "update"
                state.apply(update)
                while update["ts"] not in plain_frames:
                    msg = await plain.receive(timeout=timeout(5))
                    assert msg.type == WSMsgType.TEXT
                    frame = orjson.loads(msg.data)
                    plain_frames[frame["ts"]] = frame
                assert plain_frames[update["ts"]] == update
            assert len(state.vehicles) > 1000
    finally:
        raw.close()


async def test_aiohttp_and_websockets_clients_read_compressed_frames(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    url = f"ws://127.0.0.1:{client.port}/ws"
    async with client.ws_connect("/ws", compress=15) as ws:
        assert ws.compress == 15
        state = ClientState()
        for _ in range(3):
            state.apply(orjson.loads((await ws.receive(timeout=timeout(5))).data))
        assert len(state.vehicles) > 1000
        # Its own answers (aiohttp's writer, compressed on their own) decode between them.
        await ws.send_str('{"type": "ping"}')
        await ws.send_str('{"type": "nonsense"}')
        kinds = set()
        while not {"pong", "error"} <= kinds:
            frame = orjson.loads((await ws.receive(timeout=timeout(5))).data)
            kinds.add(frame["type"])
            if frame["type"] == "update":
                state.apply(frame)
        for _ in range(3):  # and the shared frames still decode after them
            state.apply(orjson.loads((await ws.receive(timeout=timeout(5))).data))
    async with connect(url, compression="deflate", origin=None) as other:  # type: ignore[arg-type]
        extensions = other.response.headers.get("Sec-WebSocket-Extensions") or ""
        assert "permessage-deflate" in extensions
        state = ClientState()
        for _ in range(4):
            state.apply(orjson.loads(await asyncio.wait_for(other.recv(), timeout(5))))
        assert len(state.vehicles) > 1000


async def test_compression_off_sends_frames_as_they_are(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(dataclasses.replace(settings, compression="off"))
    assert client.port is not None
    raw = await RawClient.open(client.port)
    try:
        assert raw.extensions == ""
        compressed, payload, snapshot = await raw.frame()
        assert not compressed and snapshot["type"] == "snapshot"
        assert payload == orjson.dumps(snapshot)
    finally:
        raw.close()


async def test_a_plain_client_is_not_offered_deflate(
    make_client: MakeClient, settings: Settings
) -> None:
    client = await make_client(settings)
    url = f"http://127.0.0.1:{client.port}/ws"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        assert ws.compress == 0
        msg = await ws.receive(timeout=timeout(5))
        assert orjson.loads(msg.data)["type"] == "snapshot"
