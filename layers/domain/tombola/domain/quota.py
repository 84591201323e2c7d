"""How a listing's tickets are spread over keys so that a rush on one listing has no hot key.

Np is split over quota shards; each shard counts what is left of its share, so a hold is one
conditional decrement (``remaining >= n``) on one shard, or on a few when none has ``n`` left.
Buyers are spread over entry partitions by a hash of their id (see docs/DATA_MODEL.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from tombola.domain.errors import ListingFull

MAX_QUOTA_SHARDS = 32
TICKETS_PER_QUOTA_SHARD = 50
MAX_ENTRY_PARTITIONS = 64
BUYERS_PER_ENTRY_PARTITION = 25
JOURNAL_PARTITIONS = 16
HOLD_INDEX_PARTITIONS = 32
OUTBOX_PARTITIONS = 16


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def quota_shards(expected_entrants: int) -> int:
    return max(1, min(MAX_QUOTA_SHARDS, _ceil_div(expected_entrants, TICKETS_PER_QUOTA_SHARD)))


def entry_partitions(expected_entrants: int) -> int:
    return max(
        1, min(MAX_ENTRY_PARTITIONS, _ceil_div(expected_entrants, BUYERS_PER_ENTRY_PARTITION))
    )


def shard_caps(capacity: int, shards: int) -> list[int]:
    """Each shard's share of Np; the shares sum to Np."""
    base, extra = divmod(capacity, shards)
    return [base + (1 if k < extra else 0) for k in range(shards)]


def bucket(value: str, buckets: int) -> int:
    """A stable bucket in [0, buckets) for a key."""
    return int.from_bytes(hashlib.sha256(value.encode()).digest()[:8], "big") % buckets


@dataclass(frozen=True, slots=True)
class ShardState:
    shard: int
    remaining: int | None  # None: the listing has no cap
    paid: int
    open: bool
    cap: int | None = None
    free: int = 0  # free entries (beyond the cap, never paid: the draw counts them)

    @property
    def fully_paid(self) -> bool:
        return self.cap is not None and self.paid >= self.cap


def allocate(shards: Sequence[ShardState], requested: int, start: int) -> dict[int, int]:
    """Which shards a hold of ``requested`` tickets takes from: one shard with room if any
    (searching from ``start`` so that buyers spread over the shards), else a split over the
    shards with most left. Raises ListingFull when the shards together have too little left."""
    ordered = sorted(shards, key=lambda s: (s.shard - start) % max(len(shards), 1))
    for s in ordered:
        if s.remaining is None or s.remaining >= requested:
            return {s.shard: requested}
    left = sum(s.remaining or 0 for s in shards)
    if left < requested:
        raise ListingFull(f"only {left} tickets are left on this listing", field="tickets")
    taken: dict[int, int] = {}
    need = requested
    for s in sorted(shards, key=lambda s: (-(s.remaining or 0), s.shard)):
        if need == 0:
            break
        take = min(need, s.remaining or 0)
        if take:
            taken[s.shard] = take
            need -= take
    return taken
