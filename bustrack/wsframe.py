"""WebSocket frames built once and written to many sockets.

Pure; no I/O. A server-to-client frame is not masked (RFC 6455 section 5.1), and
bustrack negotiates no compression, so one frame's bytes are the same for every
client: the hub builds them once per tick and writes them to each transport, as
the ``websockets`` library's ``broadcast()`` does.
"""

from __future__ import annotations

import struct

__all__ = ["text_frame"]

_FIN_TEXT = 0x81


def text_frame(payload: bytes) -> bytes:
    """Return a complete, unmasked, final text frame carrying ``payload`` (UTF-8)."""
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", _FIN_TEXT, n)
    elif n < 1 << 16:
        header = struct.pack("!BBH", _FIN_TEXT, 126, n)
    else:
        header = struct.pack("!BBQ", _FIN_TEXT, 127, n)
    return header + payload
