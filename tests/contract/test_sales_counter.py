"""A seller's completed sales on both Stores: counted once per listing for ever (the listing's
sale record and the seller's counter are written together), read for many sellers at once."""

from __future__ import annotations

from tests.contract.stores import AnyStore


def test_a_sale_counts_once_per_listing(store: AnyStore) -> None:
    assert store.completed_sales(["sam"]) == {"sam": 0}
    assert store.count_sale("sam", "L1")
    assert not store.count_sale("sam", "L1")  # the effect run again: nothing more
    assert not store.count_sale("sue", "L1")  # a listing is one sale, whoever claims it
    assert store.count_sale("sam", "L2")
    assert store.count_sale("sue", "L3")
    assert store.completed_sales(["sam", "sue", "sid", "sam"]) == {"sam": 2, "sue": 1, "sid": 0}
    assert store.completed_sales([]) == {}
