"""Device tokens: made once, shown once, stored only as their SHA-256 (every engine).

Tokens are 32 random bytes, so no salt or slow hash is needed: nobody can guess one to
match a hash.
"""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["hash_token", "new_token"]


def new_token() -> str:
    """A fresh device token: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What is stored of a token."""
    return hashlib.sha256(token.encode()).hexdigest()
