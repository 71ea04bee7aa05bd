"""Per-client limits in the server: the client's address, its WebSockets, its requests.

The thin shell around :mod:`bustrack.peers`:

- :func:`client_ip`: the client's address (``--trusted-proxies`` decides whether
  ``X-Forwarded-For`` is believed);
- the ``/ws`` caps (``--max-connections``, ``--max-connections-per-ip``): past either, the
  handshake completes and the socket is closed at once with 1013 "try again later" and a
  reason (a browser cannot read an HTTP refusal of a WebSocket; the page backs off and
  retries on 1013);
- :func:`request_limits`: a middleware giving each address ``--http-rate`` requests a second
  (``--http-burst`` at once) on ``/api/*`` and ``/gtfs-rt/*``, ingest included; past it,
  ``429 Too Many Requests`` with ``Retry-After``;
- failed ingest logins: :data:`AUTH_FAILURES` at once, then one per
  :data:`AUTH_FAILURE_EVERY` seconds, per address; past it ``429`` before any token is
  looked at, so that guessing tokens is slow, except for the tokens that logged in lately
  (:class:`~bustrack.peers.KnownTokens`): the other buses behind a NAT keep reporting.

Refusals are logged at most once a second (with how many were refused since), never with
a token.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.typedefs import Middleware

from bustrack.peers import (
    ConnectionCaps,
    KnownTokens,
    Network,
    PeerBuckets,
    client_address,
    parse_networks,
)
from bustrack.ratelimit import TokenBucket
from bustrack.settings import Settings

__all__ = [
    "AUTH_FAILURES",
    "AUTH_FAILURE_EVERY",
    "Peers",
    "client_ip",
    "peers_key",
    "request_limits",
]

log = logging.getLogger(__name__)

AUTH_FAILURES = 10  # failed ingest logins one address may make at once...
AUTH_FAILURE_EVERY = 30.0  # ...then one per this many seconds

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Peers:
    """The per-address state of one app."""

    trusted: tuple[Network, ...]
    connections: ConnectionCaps
    requests: PeerBuckets
    auth_failures: PeerBuckets
    known_tokens: KnownTokens = field(default_factory=KnownTokens)
    _log_bucket: TokenBucket = field(default_factory=lambda: TokenBucket.full(1.0, 1.0, 0.0))
    _unlogged: int = 0

    @classmethod
    def of(cls, settings: Settings) -> Peers:
        """The limits ``settings`` ask for."""
        return cls(
            trusted=parse_networks(settings.trusted_proxies),
            connections=ConnectionCaps(settings.max_connections, settings.max_connections_per_ip),
            requests=PeerBuckets(settings.http_rate, settings.http_burst),
            auth_failures=PeerBuckets(1 / AUTH_FAILURE_EVERY, AUTH_FAILURES),
        )

    def refused(self, what: str, address: str, why: str) -> None:
        """Log a refusal, at most once a second (the others are counted into the next)."""
        now = asyncio.get_running_loop().time()
        if not self._log_bucket.take(now):
            self._unlogged += 1
            return
        more = f" (and {self._unlogged} more refused)" if self._unlogged else ""
        self._unlogged = 0
        log.warning("refused %s from %s: %s%s", what, address, why, more)


peers_key = web.AppKey("peers", Peers)


def client_ip(request: web.Request) -> str:
    """The client's address, through the trusted proxies."""
    peers = request.app[peers_key]
    return client_address(request.remote, request.headers.get("X-Forwarded-For"), peers.trusted)


def request_limits() -> Middleware:
    """The middleware of ``--http-rate`` / ``--http-burst`` on ``/api/*`` and ``/gtfs-rt/*``."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if path.startswith(("/api/", "/gtfs-rt/")):
            peers = request.app[peers_key]
            address = client_ip(request)
            if not peers.requests.take(address, asyncio.get_running_loop().time()):
                peers.refused(path, address, "too many requests")
                raise web.HTTPTooManyRequests(
                    text="too many requests from your address; slow down\n",
                    headers={"Retry-After": "1"},
                )
        return await handler(request)

    return middleware
