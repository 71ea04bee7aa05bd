"""Cross-origin rules for /ws: which pages may open the WebSocket.

Pure. Browsers send ``Origin`` on WebSocket handshakes but do not apply CORS to
them, so the server must check it: otherwise any web site could open a user's
connection. Clients that are not browsers send no ``Origin`` and are allowed.

The page's own origin comes from configuration (``--public-url``) or, without it,
from the address the connection arrived at (the socket's, which a client cannot
choose); never from the ``Host`` header, which a client writes as it likes. A page
at ``http://evil.example`` whose DNS name was pointed at this server (DNS rebinding)
sends ``Origin`` and ``Host`` that agree with each other, and is refused all the same.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Set

__all__ = ["normalise_origin", "origin_allowed", "own_origins"]

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_LOOPBACK_NAMES = ("localhost",)


def normalise_origin(origin: str) -> str:
    """Return ``origin`` as ``scheme://host[:port]``: lower case, no trailing slash, no
    default port, IPv6 hosts in brackets; ``""`` if it is not such an origin."""
    try:
        parts = urllib.parse.urlsplit(origin.strip().rstrip("/").lower())
        port = parts.port
    except ValueError:
        return ""
    host = parts.hostname
    if not parts.scheme or not host:
        return ""
    return _origin(parts.scheme, host, port)


def _origin(scheme: str, host: str, port: int | None) -> str:
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def own_origins(public_url: str, scheme: str, local: tuple[str, int] | None) -> frozenset[str]:
    """Return the origins of this server's own page.

    Args:
        public_url: ``--public-url``; when set, the only own origin.
        scheme: ``http`` or ``https``, as this server serves.
        local: the (address, port) the connection arrived at (the socket's own name),
            or None if unknown. A loopback address also admits ``localhost``.
    """
    if public_url:
        return frozenset({normalise_origin(public_url)})
    if local is None:
        return frozenset()
    host, port = local[0].lower(), local[1]
    own = {_origin(scheme, host, port)}
    try:
        loopback = ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        loopback = False
    if loopback:
        own.update(_origin(scheme, name, port) for name in _LOOPBACK_NAMES)
    return frozenset(own)


def origin_allowed(origin: str | None, own: Set[str], allowed: Set[str]) -> bool:
    """Return whether a handshake with ``Origin: origin`` may proceed.

    Args:
        origin: the request's Origin header, or None when it has none.
        own: this server's own origins (:func:`own_origins`).
        allowed: extra allowed origins (``--allowed-origins``); ``"*"`` allows any.
    """
    if origin is None or "*" in allowed:
        return True
    found = normalise_origin(origin)
    if not found:
        return False
    return found in own or found in {normalise_origin(o) for o in allowed}
