"""WebSocket per-message deflate (RFC 7692), compressed once for every client.

Pure: no I/O. A compressed message is raw DEFLATE data; the sender ends it with a
sync flush and leaves out that flush's last four bytes (``00 00 ff ff``), which the
receiver adds back before inflating. Nothing requires one message to be compressed
in one go, or to refer to the messages before it (that is only allowed, with
"context takeover"): so a message may be the concatenation of pieces compressed
independently, each ending byte-aligned. bustrack compresses each channel's part
once per tick and joins the compressed parts for each client, just as it joins the
plain ones, so that compression costs once per distinct content, not per client.

The small pieces between parts (the frame's head, the commas) are sent as stored
(uncompressed) blocks: they would not shrink, and a reader can find ``type`` and
``ts`` in the first bytes of the message as they are.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

__all__ = ["LEVEL", "deflated", "inflated", "message", "stored"]

LEVEL = 1  # zlib's fastest: update parts shrink about 2x, snapshots about 4x
_MAX_STORED = 0xFFFF


def deflated(data: bytes, wbits: int = 15) -> bytes:
    """Return ``data`` as raw DEFLATE blocks that refer to nothing before them, ending
    byte-aligned with a sync flush (``00 00 ff ff``).

    Args:
        data: the bytes to compress.
        wbits: the window size (9-15) the client allowed for the server's messages.
    """
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -wbits)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def inflated(data: bytes, wbits: int = 15) -> bytes:
    """Return the bytes that :func:`deflated` compressed into ``data``.

    Raises:
        zlib.error: ``data`` is not such DEFLATE data.
    """
    return zlib.decompressobj(-wbits).decompress(data)


def stored(data: bytes) -> bytes:
    """Return ``data`` as stored (uncompressed) DEFLATE blocks, byte-aligned, not final."""
    out = []
    for start in range(0, max(1, len(data)), _MAX_STORED):
        chunk = data[start : start + _MAX_STORED]
        n = len(chunk)
        # BFINAL=0 and BTYPE=00 in the first three bits, padded to the byte.
        out.append(b"\x00" + struct.pack("<HH", n, n ^ 0xFFFF) + chunk)
    return b"".join(out)


def message(pieces: Iterable[bytes]) -> bytes:
    """Return the payload of one compressed message made of ``pieces`` in order.

    Each piece comes from :func:`deflated` or :func:`stored`. The payload ends with the
    first byte of an empty stored block: the receiver's ``00 00 ff ff`` completes it.
    """
    return b"".join((*pieces, b"\x00"))
