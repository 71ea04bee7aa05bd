"""WebSocket frames built once and written to many sockets.

Pure; no I/O. A server-to-client frame is not masked (RFC 6455 section 5.1), and a
compressed one (RFC 7692, see :mod:`bustrack.wire.deflate`) never refers to earlier
messages, so one frame's bytes are the same for every client that gets it: the hub
builds them once per tick and writes them to each transport, as the ``websockets``
library's ``broadcast()`` does.
"""

from __future__ import annotations

import struct

__all__ = ["text_frame"]

_FIN_TEXT = 0x81
_RSV1 = 0x40  # per-message deflate: the payload is compressed


def text_frame(payload: bytes, *, compressed: bool = False) -> bytes:
    """Return a complete, unmasked, final text frame carrying ``payload`` (UTF-8, or its
    per-message-deflate compression when ``compressed``)."""
    first = _FIN_TEXT | (_RSV1 if compressed else 0)
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", first, n)
    elif n < 1 << 16:
        header = struct.pack("!BBH", first, 126, n)
    else:
        header = struct.pack("!BBQ", first, 127, n)
    return header + payload
