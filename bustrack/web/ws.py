"""The /ws endpoint: one WebSocket per client, fed by the hub.

The handler checks the Origin, registers the client with the hub, sends it the
current snapshot, then only reads: a ``subscribe`` changes the client's channels
(and sends their snapshot), a ``ping`` is answered, anything else is refused with
an ``error`` frame that changes nothing. The URL's query may carry the same
subscription (``bbox``, ``routes``, ``stop``, ``vehicle``), so that a reconnection starts
with it. Every socket is tracked until it ends and closed with 1001
when the server shuts down (see :func:`close_websockets`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import socket
import time

from aiohttp import WSCloseCode, WSMsgType, web

from bustrack.channels import Subscription, channels_for
from bustrack.fleet import channel_key
from bustrack.hub import Client
from bustrack.protocol import (
    MAX_CLIENT_MESSAGE,
    ProtocolError,
    encode_error,
    encode_pong,
    parse_client_message,
    parse_query,
)
from bustrack.web.cycles import cut_cycles
from bustrack.web.keys import feed_key, frames_key, hub_key, settings_key
from bustrack.web.origin import origin_allowed

__all__ = ["close_websockets", "ws_handler"]

log = logging.getLogger(__name__)


def _now_ms() -> int:
    return int(time.time() * 1000)


async def ws_handler(request: web.Request) -> web.StreamResponse:
    """Serve one WebSocket client until it leaves or the server shuts down."""
    settings = request.app[settings_key]
    origin = request.headers.get("Origin")
    own = f"{request.scheme}://{request.host}"
    if not origin_allowed(origin, own, settings.origins):
        log.warning("refused /ws from origin %s (allowed: %s)", origin, own)
        raise web.HTTPForbidden(
            text=f"origin {origin} may not open this WebSocket; see --allowed-origins\n"
        )
    try:
        sub = parse_query(
            request.query.get("bbox"),
            request.query.get("routes"),
            request.query.get("stop"),
            request.query.get("vehicle"),
        )
    except ProtocolError as err:
        raise web.HTTPBadRequest(text=f"{err}\n") from None
    # A stop the feed does not have (the page kept it across a restart with another feed) is
    # dropped with an error frame rather than refused: the page would retry the URL forever.
    unknown_stop = sub.stop is not None and sub.stop not in request.app[feed_key].stops
    if unknown_stop:
        sub = dataclasses.replace(sub, stop=None)
    ws = web.WebSocketResponse(
        heartbeat=settings.heartbeat,
        compress=settings.compression == "on",
        max_msg_size=MAX_CLIENT_MESSAGE,
        timeout=5.0,
    )
    await ws.prepare(request)
    transport = request.transport
    if transport is None:  # the peer left during the handshake
        return ws
    _limit_kernel_buffer(transport)
    hub = request.app[hub_key]
    # The window the client allowed for our compressed messages (9-15), or 0 if none.
    deflate_bits = int(ws.compress) if ws.compress else 0
    peer = request.remote or "?"
    client = Client(ws=ws, transport=transport, peer=peer, deflate_bits=deflate_bits)
    _subscribe(client, sub)
    if unknown_stop:
        # Before the hub knows the client: nothing else is written to it meanwhile.
        message = f"subscribe: unknown stop {request.query['stop']!r}"
        await _send_text(client, encode_error(message, _now_ms()))
    hub.add(client)
    hub.send_snapshot(client, request.app[frames_key])
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await _answer(client, msg.data, request.app)
            elif msg.type == WSMsgType.BINARY:
                await ws.close(
                    code=WSCloseCode.UNSUPPORTED_DATA, message=b"binary frames are not supported"
                )
            elif msg.type == WSMsgType.ERROR:
                log.info("WebSocket error from %s: %s", client.peer, ws.exception())
    finally:
        hub.discard(client)
        cut_cycles(request, ws, transport)
    return ws


# Bytes the kernel may hold for one client. Autotuned, it grows to megabytes (a minute of
# whole-city frames), and only then does a client that stopped reading show in the
# transport's buffer, where the hub sees it, skips its frames and, after
# --stuck-timeout, drops it. Half a megabyte is still many ticks of any frame.
KERNEL_SEND_BUFFER = 512 * 1024


def _limit_kernel_buffer(transport: asyncio.Transport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, KERNEL_SEND_BUFFER)


async def _send_text(client: Client, data: bytes) -> None:
    """Send one message through aiohttp's writer, compressed on its own if the client
    negotiated deflate: the hub's shared frames refer to no earlier message, so neither
    may this one (aiohttp's own compressor would refer to its earlier output only)."""
    await client.ws.send_str(data.decode(), compress=client.deflate_bits or None)


def _subscribe(client: Client, sub: Subscription) -> None:
    client.key = channel_key(channels_for(sub))
    client.stop = sub.stop
    client.vehicle = sub.vehicle


async def _answer(client: Client, text: str, app: web.Application) -> None:
    try:
        kind, sub = parse_client_message(text)
        if sub is not None and sub.stop is not None and sub.stop not in app[feed_key].stops:
            raise ProtocolError(f"subscribe: unknown stop {sub.stop!r}")
    except ProtocolError as err:
        await _send_text(client, encode_error(str(err), _now_ms()))
        return
    if kind == "ping":
        await _send_text(client, encode_pong(_now_ms()))
    elif sub is not None:
        # From now on the client gets what it asked for, starting with a snapshot.
        _subscribe(client, sub)
        app[hub_key].send_snapshot(client, app[frames_key])


async def close_websockets(app: web.Application) -> None:
    """on_shutdown: close every WebSocket with 1001 (going away)."""
    await app[hub_key].close_all(WSCloseCode.GOING_AWAY, b"server shutting down")
