"""Quota shards: the shares add up to Np, and a hold never takes more than a shard has left."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tombola.domain.errors import ListingFull
from tombola.domain.quota import (
    MAX_ENTRY_PARTITIONS,
    MAX_QUOTA_SHARDS,
    ShardState,
    allocate,
    bucket,
    entry_partitions,
    quota_shards,
    shard_caps,
)


@given(st.integers(2, 10_000_000))
def test_shares_add_up_to_np_and_differ_by_at_most_one(np_: int) -> None:
    shards = quota_shards(np_)
    caps = shard_caps(np_, shards)
    assert sum(caps) == np_
    assert max(caps) - min(caps) <= 1
    assert 1 <= shards <= MAX_QUOTA_SHARDS
    assert 1 <= entry_partitions(np_) <= MAX_ENTRY_PARTITIONS


def test_a_big_listing_uses_every_shard_a_small_one_one() -> None:
    assert quota_shards(15_000) == MAX_QUOTA_SHARDS
    assert entry_partitions(15_000) == MAX_ENTRY_PARTITIONS
    assert quota_shards(10) == entry_partitions(10) == 1


@given(
    st.lists(st.integers(0, 20), min_size=1, max_size=32),
    st.integers(1, 40),
    st.integers(0, 31),
)
def test_allocation_takes_exactly_the_request_within_each_shard(
    left: list[int], requested: int, start: int
) -> None:
    shards = [ShardState(k, r, 0, True) for k, r in enumerate(left)]
    if sum(left) < requested:
        with pytest.raises(ListingFull, match=f"only {sum(left)} tickets are left"):
            allocate(shards, requested, start)
        return
    taken = allocate(shards, requested, start)
    assert sum(taken.values()) == requested
    assert all(0 < n <= left[k] for k, n in taken.items())
    if any(r >= requested for r in left):
        assert len(taken) == 1  # one shard when one can


def test_allocation_without_a_cap_takes_the_start_shard() -> None:
    shards = [ShardState(k, None, 0, True) for k in range(4)]
    assert allocate(shards, 100, 2) == {2: 100}


def test_buckets_are_stable_and_spread() -> None:
    assert bucket("alice", 64) == bucket("alice", 64)
    used = {bucket(f"buyer-{i}", 16) for i in range(500)}
    assert used == set(range(16))
