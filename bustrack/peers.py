"""Who is asking, and how much each may ask: client addresses and per-address limits.

Pure: addresses are strings, time is a parameter.

- :func:`client_address`: the address of the client behind ``--trusted-proxies``. A request
  from a trusted proxy is judged by its ``X-Forwarded-For``, read from the right (the hop
  nearest us) past every trusted proxy: the first address left is the client's. Anything a
  client writes there itself sits further left and is never believed. A request from an
  untrusted address is judged by that address, whatever its headers say.
- :class:`ConnectionCaps`: open WebSockets in total and per address.
- :class:`PeerBuckets`: a token bucket per address (HTTP requests, failed ingest logins),
  holding at most ``max_peers`` addresses: the least recently seen are forgotten first,
  so memory stays bounded whatever the number of addresses.
- :class:`KnownTokens`: the (hashed) tokens that logged in lately. An address locked out
  for its failed logins still has these looked up: buses behind one carrier NAT share an
  address, and one misconfigured unit guessing wrong must not lock the others out.
"""

from __future__ import annotations

import ipaddress
from collections import OrderedDict, defaultdict
from collections.abc import Sequence

from bustrack.ratelimit import TokenBucket

__all__ = [
    "ConnectionCaps",
    "KnownTokens",
    "Network",
    "PeerBuckets",
    "client_address",
    "parse_networks",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """Parse comma-separated addresses or CIDR blocks (``10.0.0.0/8, ::1``).

    Raises:
        ValueError: one of them is not an address or a network.
    """
    return tuple(
        ipaddress.ip_network(p.strip(), strict=False) for p in text.split(",") if p.strip()
    )


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def client_address(
    remote: str | None, forwarded_for: str | None, trusted: Sequence[Network]
) -> str:
    """The client's address: ``remote`` unless it is a trusted proxy (see the module)."""
    address = remote or "?"
    if not trusted or not forwarded_for or not _trusted(address, trusted):
        return address
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a mangled header: the proxy's own address is all we know
        if not _trusted(hop, trusted):
            return hop
        address = hop
    return address


class ConnectionCaps:
    """How many WebSockets are open, in total and per address, against two caps."""

    def __init__(self, total: int, per_address: int) -> None:
        """At most ``total`` connections, and ``per_address`` from one address."""
        self.total = total
        self.per_address = per_address
        self.open = 0
        self._by_address: defaultdict[str, int] = defaultdict(int)

    def admit(self, address: str) -> str:
        """Count a new connection from ``address``; return why it is refused ('' if it is
        admitted: then :meth:`release` it when it closes)."""
        if self.open >= self.total:
            return f"the server is full ({self.total} connections); try again later"
        if self._by_address[address] >= self.per_address:
            return f"too many connections from your address (at most {self.per_address})"
        self.open += 1
        self._by_address[address] += 1
        return ""

    def release(self, address: str) -> None:
        """Forget one admitted connection from ``address``."""
        self.open -= 1
        left = self._by_address[address] - 1
        if left > 0:
            self._by_address[address] = left
        else:
            del self._by_address[address]

    def of(self, address: str) -> int:
        """Open connections from ``address``."""
        return self._by_address.get(address, 0)


class PeerBuckets:
    """A :class:`~bustrack.ratelimit.TokenBucket` per address, for at most ``max_peers``."""

    def __init__(self, rate: float, burst: float, max_peers: int = 100_000) -> None:
        """Each address may do ``burst`` at once and ``rate`` a second."""
        self.rate = rate
        self.burst = burst
        self.max_peers = max_peers
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def _bucket(self, address: str, now: float) -> TokenBucket:
        bucket = self._buckets.get(address)
        if bucket is None:
            bucket = self._buckets[address] = TokenBucket.full(self.rate, self.burst, now)
            while len(self._buckets) > self.max_peers:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(address)
        return bucket

    def take(self, address: str, now: float) -> bool:
        """Take one token for ``address`` at monotonic ``now``; False when it has none."""
        return self._bucket(address, now).take(now)

    def allows(self, address: str, now: float) -> bool:
        """Whether ``address`` has a token left at ``now`` (none is taken)."""
        bucket = self._buckets.get(address)
        if bucket is None:
            return True
        return min(bucket.burst, bucket.tokens + (now - bucket.stamp) * bucket.rate) >= 1


class KnownTokens:
    """Token hashes that logged in within ``keep_s`` seconds, at most ``max_tokens`` of them
    (the least recently used are forgotten first). Only a hash a valid login gave is ever
    kept, so a guess is never known; a known one is still looked up (it may be revoked)."""

    def __init__(self, keep_s: float = 7 * 86400.0, max_tokens: int = 100_000) -> None:
        """Remember a login for ``keep_s`` seconds (default a week: a bus off for the
        weekend is still known), for at most ``max_tokens`` tokens."""
        self.keep_s = keep_s
        self.max_tokens = max_tokens
        self._seen: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def remember(self, token_hash: str, now: float) -> None:
        """A login with ``token_hash`` succeeded at monotonic ``now``."""
        self._seen[token_hash] = now
        self._seen.move_to_end(token_hash)
        while len(self._seen) > self.max_tokens:
            self._seen.popitem(last=False)

    def knows(self, token_hash: str, now: float) -> bool:
        """Whether ``token_hash`` logged in within ``keep_s`` of ``now``."""
        seen = self._seen.get(token_hash)
        if seen is None:
            return False
        if now - seen > self.keep_s:
            del self._seen[token_hash]
            return False
        return True
