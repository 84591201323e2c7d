"""HMAC-SHA256 in the draw's loops: the key's pads hashed once, their states copied per message."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any


def hmac_pads(key: bytes) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """HMAC-SHA256's inner and outer hash states under ``key`` (RFC 2104), to copy per message:
    HMAC(key, m) = outer().update(inner().update(m).digest()).digest(), the same bytes as
    ``hmac.digest`` and about twice as fast in a loop (no HMAC object per message)."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    padded = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
    return inner.copy, outer.copy
