"""The /ws endpoint: one WebSocket per client, fed by the hub.

The handler checks the Origin, registers the client with the hub, sends it the
current snapshot, then only reads: a ``subscribe`` changes the client's channels
(and sends their snapshot), a ``ping`` is answered, anything else is refused with
an ``error`` frame that changes nothing. The URL's query may carry the same
subscription (``bbox``, ``routes``, ``stop``, ``vehicle``, ``glance``), so that a
reconnection starts with it. Every socket is tracked until it ends and closed with 1001
when the server shuts down (see :func:`close_websockets`).

Nothing a client sends can make the server hold more for it than a bounded amount
(docs/protocol.md, "Limits"): its messages are rate limited (:class:`MessageLimit`, 1008
past it), the snapshots it asks for follow the hub's backpressure, and a connection that
ends is cut after :data:`CLOSE_GRACE` if it still holds data its peer never read.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import socket
import time
import weakref

from aiohttp import WSCloseCode, WSMsgType, web

from bustrack.broker.hub import Client, Hub
from bustrack.live.fleet import channel_key
from bustrack.ratelimit import TokenBucket
from bustrack.settings import Settings
from bustrack.web.cycles import cut_cycles
from bustrack.web.keys import feed_key, frames_key, hub_key, settings_key
from bustrack.web.origin import origin_allowed, own_origins
from bustrack.web.peers import client_ip, peers_key
from bustrack.wire.channels import Subscription, channels_for
from bustrack.wire.protocol import (
    MAX_CLIENT_MESSAGE,
    ProtocolError,
    encode_error,
    encode_pong,
    parse_client_message,
    parse_query,
)

__all__ = ["CLOSE_GRACE", "MessageLimit", "close_websockets", "ws_handler"]

log = logging.getLogger(__name__)


def _now_ms() -> int:
    return int(time.time() * 1000)


async def ws_handler(request: web.Request) -> web.StreamResponse:
    """Serve one WebSocket client until it leaves or the server shuts down."""
    settings = request.app[settings_key]
    origin = request.headers.get("Origin")
    if origin is not None:
        own = own_origins(settings.public_url, request.scheme, _local_address(request))
        if not origin_allowed(origin, own, settings.origins):
            log.warning(
                "refused /ws from origin %s (own: %s; behind a proxy, set --public-url)",
                origin,
                ", ".join(sorted(own)) or "unknown",
            )
            raise web.HTTPForbidden(
                text=f"origin {origin} may not open this WebSocket; "
                "see --public-url and --allowed-origins\n"
            )
    try:
        sub = parse_query(
            request.query.get("bbox"),
            request.query.get("routes"),
            request.query.get("stop"),
            request.query.get("vehicle"),
            request.query.get("glance"),
        )
    except ProtocolError as err:
        raise web.HTTPBadRequest(text=f"{err}\n") from None
    # A stop the feed does not have (the page kept it across a restart with another feed) is
    # dropped with an error frame rather than refused: the page would retry the URL forever.
    stops = request.app[feed_key].stops
    unknown = [s for s in (sub.stop, *sub.glance) if s is not None and s not in stops]
    if unknown:
        sub = dataclasses.replace(
            sub,
            stop=None if sub.stop in unknown else sub.stop,
            glance=tuple(s for s in sub.glance if s in stops),
        )
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
    peers = request.app[peers_key]
    peer = client_ip(request)
    refused = peers.connections.admit(peer)
    if refused:  # --max-connections(-per-ip): the page backs off and retries on 1013
        peers.refused("/ws", peer, refused)
        await ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=refused.encode())
        _abort_later(asyncio.get_running_loop(), transport)
        return ws
    hub = request.app[hub_key]
    # The window the client allowed for our compressed messages (9-15), or 0 if none.
    deflate_bits = int(ws.compress) if ws.compress else 0
    client = Client(ws=ws, transport=transport, peer=peer, deflate_bits=deflate_bits)
    loop = asyncio.get_running_loop()
    try:
        await _serve(request, client, sub, unknown)
    finally:
        peers.connections.release(peer)
        hub.discard(client)
        cut_cycles(request, ws, transport)
        _abort_later(loop, transport)
    return ws


async def _serve(
    request: web.Request, client: Client, sub: Subscription, unknown: list[str]
) -> None:
    """Send ``client`` its snapshot (after an error for each ``unknown`` stop its URL
    named), then answer its messages until it leaves."""
    settings = request.app[settings_key]
    hub = request.app[hub_key]
    ws = client.ws
    _subscribe(client, sub)
    for stop in unknown:
        # Before the hub knows the client: nothing else is written to it meanwhile.
        await _send_text(client, encode_error(f"subscribe: unknown stop {stop!r}", _now_ms()))
    hub.add(client)
    hub.send_snapshot(client, request.app[frames_key])
    loop = asyncio.get_running_loop()
    limit = MessageLimit(settings, loop.time())
    async for msg in ws:
        if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY) and not limit.take(loop.time()):
            hub.discard(client)
            hub.drops["rate_limit"] += 1
            log.warning("closing %s: %s", client.peer, limit.describe(loop.time()))
            # The close frame goes out, but its answer is not awaited for long: until
            # it comes, every message of the flood would still be read and parsed.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    ws.close(code=WSCloseCode.POLICY_VIOLATION, message=limit.reason()),
                    FLOODER_CLOSE_WAIT,
                )
            break
        if msg.type == WSMsgType.TEXT:
            await _answer(client, msg.data, request.app)
        elif msg.type == WSMsgType.BINARY:
            hub.drops["binary"] += 1
            await ws.close(
                code=WSCloseCode.UNSUPPORTED_DATA, message=b"binary frames are not supported"
            )
        elif msg.type == WSMsgType.ERROR:
            log.info("WebSocket error from %s: %s", client.peer, ws.exception())


class MessageLimit:
    """How many messages one client may send: a token bucket (``--client-message-rate``
    a second, ``--client-message-burst`` at once), and the count for the log."""

    __slots__ = ("_bucket", "_started", "received")

    def __init__(self, settings: Settings, now: float) -> None:
        self._bucket = TokenBucket.full(
            settings.client_message_rate, settings.client_message_burst, now
        )
        self._started = now
        self.received = 0

    def take(self, now: float) -> bool:
        """Count one message at monotonic time ``now``; False once the client is over."""
        self.received += 1
        return self._bucket.take(now)

    def reason(self) -> bytes:
        """The close frame's reason (at most 123 bytes)."""
        b = self._bucket
        return f"too many messages: at most {b.burst:g} at once and {b.rate:g} a second".encode()

    def describe(self, now: float) -> str:
        """One line for the log: the count and the limit."""
        b = self._bucket
        return (
            f"{self.received} messages in {now - self._started:.1f} s, over the limit of "
            f"{b.burst:g} at once and {b.rate:g} a second (1008)"
        )


# Seconds a client closed for sending too much has to answer the close frame before its
# connection is closed (which stops reading it); the frame is still sent.
FLOODER_CLOSE_WAIT = 0.2

# Once its handler has ended, a connection has this long to send what it still holds (its
# close frame, say) before it is cut. A peer that never reads would otherwise keep its
# unsent buffer, hundreds of kilobytes, for as long as it stays connected: closing a
# transport waits for its buffer to drain.
CLOSE_GRACE = 5.0


def _abort_later(loop: asyncio.AbstractEventLoop, transport: asyncio.Transport) -> None:
    ref = weakref.ref(transport)  # not to keep a connection alive that ends by itself

    def abort() -> None:
        left = ref()
        if left is not None and not _closed(left):
            log.info(
                "cutting a connection that did not read its last %d bytes",
                left.get_write_buffer_size(),
            )
            left.abort()

    loop.call_later(CLOSE_GRACE, abort)


def _closed(transport: asyncio.Transport) -> bool:
    # A closing transport that still holds data waits for the peer to read it.
    return transport.is_closing() and transport.get_write_buffer_size() == 0


def _local_address(request: web.Request) -> tuple[str, int] | None:
    transport = request.transport
    name = transport.get_extra_info("sockname") if transport is not None else None
    if isinstance(name, tuple) and len(name) >= 2:
        return str(name[0]), int(name[1])
    return None


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


async def _send_text(client: Client, data: bytes, hub: Hub | None = None) -> None:
    """Send one message through aiohttp's writer, compressed on its own if the client
    negotiated deflate: the hub's shared frames refer to no earlier message, so neither
    may this one (aiohttp's own compressor would refer to its earlier output only).

    A client the ``hub`` finds :meth:`~bustrack.broker.hub.Hub.behind` is sent nothing: it reads
    nothing now, and it gets a fresh snapshot once it drains.
    """
    if hub is not None and hub.behind(client):
        return
    await client.ws.send_str(data.decode(), compress=client.deflate_bits or None)


def _subscribe(client: Client, sub: Subscription) -> None:
    client.key = channel_key(channels_for(sub))
    client.stop = sub.stop
    client.vehicle = sub.vehicle
    if sub.glance != client.glance:
        client.glance_sent = None  # other stops: their glance goes at once
    client.glance = sub.glance


async def _answer(client: Client, text: str, app: web.Application) -> None:
    try:
        kind, sub = parse_client_message(text)
        if sub is not None:
            stops = app[feed_key].stops
            for stop in (sub.stop, *sub.glance):
                if stop is not None and stop not in stops:
                    raise ProtocolError(f"subscribe: unknown stop {stop!r}")
    except ProtocolError as err:
        await _send_text(client, encode_error(str(err), _now_ms()), app[hub_key])
        return
    if kind == "ping":
        await _send_text(client, encode_pong(_now_ms()), app[hub_key])
    elif sub is not None:
        # From now on the client gets what it asked for, starting with a snapshot.
        _subscribe(client, sub)
        app[hub_key].request_snapshot(client, app[frames_key])


async def close_websockets(app: web.Application) -> None:
    """on_shutdown: close every WebSocket with 1001 (going away)."""
    await app[hub_key].close_all(WSCloseCode.GOING_AWAY, b"server shutting down")
