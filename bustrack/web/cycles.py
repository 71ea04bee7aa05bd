"""Freeing a closed connection at once, by reference counting, not by the garbage collector.

A WebSocket that ends leaves three reference cycles behind in aiohttp 3.14 and asyncio
3.11. Each holds the whole connection (the response, its request, the protocol, the
transport, their buffers and parsers: about 60 objects), and only a full garbage
collection frees a cycle. The server's full collections are rare, or come soon after
many clients left (see :mod:`bustrack.web.collector`), and their time grows with the
garbage: after 15,000 clients left at once (a network blip, a proxy restart) one took
1.6 s, and every remaining client missed a tick. Cutting the cycles when the
connection ends lets each connection go as it closes, a few microseconds at a time.
A heartbeat timer that aiohttp re-arms after the close would also hold the connection
for another 20-30 s; it is cancelled too.

The cycles, found with ``gc.DEBUG_SAVEALL`` after a disconnect:

1. The error a closed WebSocketResponse keeps (usually the reset met while closing after
   the peer left, with the end-of-stream it met first as its ``__context__``): its
   traceback holds the frames of the response's own methods, whose ``self`` is the
   response.
2. The protocol keeps the response's ``_on_data_received`` (the heartbeat's "data
   arrived" callback) after the connection is lost; the response keeps the request,
   which keeps the protocol.
3. The selector transport keeps its own bound ``_read_ready__data_received``.

The second and third, and the heartbeat's cancel, are private attributes of the
libraries; if a release renames them or drops the cycle, this does nothing for them,
and tests/web/test_cycles.py shows whether connections are still freed.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

__all__ = ["cut_cycles"]


def cut_cycles(
    request: web.Request, ws: web.WebSocketResponse, transport: asyncio.BaseTransport
) -> None:
    """Break the reference cycles of a WebSocket connection that has ended.

    Call it once the handler stops reading ``ws``, with the request's transport as it
    was while the connection was open (``request.transport`` is None once it is lost).
    The exception stays available from ``ws.exception()`` (without its traceback).
    """
    exc = ws.exception()
    while exc is not None:
        exc.__traceback__ = None
        exc = exc.__context__
    protocol = request.protocol
    if protocol is not None and getattr(protocol, "_data_received_cb", None) is not None:
        protocol._data_received_cb = None
    # With the callback gone nothing re-arms the heartbeat: disarm it now.
    cancel_heartbeat = getattr(ws, "_cancel_heartbeat", None)
    if cancel_heartbeat is not None:
        cancel_heartbeat()
    # Only once the transport is closing: close() and abort() have taken it off the
    # selector by then, so nothing calls the callback again.
    if transport.is_closing() and getattr(transport, "_read_ready_cb", None) is not None:
        transport._read_ready_cb = None  # type: ignore[attr-defined]
