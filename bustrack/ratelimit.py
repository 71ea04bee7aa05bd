"""A token bucket: how many messages a client may send, in a burst and over time.

Pure: the caller passes the current monotonic time. A bucket holds up to ``burst``
tokens and gains ``rate`` tokens a second; each message takes one. A page that pans
and zooms spends a few tokens now and then and never runs dry; a client that sends
faster than ``rate`` for long empties it, and is then refused.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TokenBucket"]


@dataclass(slots=True)
class TokenBucket:
    """Tokens left for one client, refilled at ``rate`` per second up to ``burst``."""

    rate: float
    burst: float
    tokens: float
    stamp: float

    @classmethod
    def full(cls, rate: float, burst: float, now: float) -> TokenBucket:
        """Return a bucket holding ``burst`` tokens at monotonic time ``now``."""
        return cls(rate, burst, burst, now)

    def take(self, now: float) -> bool:
        """Take one token at monotonic time ``now``; False if there is none left."""
        elapsed = now - self.stamp
        if elapsed > 0:
            self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
            self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
