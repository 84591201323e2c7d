from __future__ import annotations

from tombola_dev.driver import Driver


def test_listing_opens_after_the_deposit(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    created = d.create_listing("seller")
    assert created["listing"]["status"] == "awaiting_deposit"
    assert created["deposit"]["amount"] == 50_000
    d.ok(d.pay(created["deposit"]["checkout"]["checkout_id"]))
    lid = created["listing"]["listing_id"]
    assert d.listing(lid)["status"] == "open"
    d.conserved(lid)
