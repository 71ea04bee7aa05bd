"""Cross-origin rules for /ws: which pages may open the WebSocket.

Pure. Browsers send ``Origin`` on WebSocket handshakes but do not apply CORS to
them, so the server must check it: otherwise any web site could open a user's
connection. Clients that are not browsers send no ``Origin`` and are allowed.
"""

from __future__ import annotations

from collections.abc import Set

__all__ = ["origin_allowed"]


def origin_allowed(origin: str | None, own_origin: str, allowed: Set[str]) -> bool:
    """Return whether a handshake with ``Origin: origin`` may proceed.

    Args:
        origin: the request's Origin header, or None when it has none.
        own_origin: ``scheme://host[:port]`` of this server as the request reached it.
        allowed: extra allowed origins; ``"*"`` allows any.
    """
    if origin is None:
        return True
    origin = origin.rstrip("/").lower()
    if origin == own_origin.lower() or "*" in allowed:
        return True
    return origin in {o.lower() for o in allowed}
