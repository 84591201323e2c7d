from __future__ import annotations

from tests.support.app_driver import Driver


def test_listing_opens_after_the_deposit(driver: Driver) -> None:
    driver.user("seller", "seller", payout=True)
    created = driver.create_listing("seller")
    assert created["listing"]["status"] == "awaiting_deposit"
    assert created["deposit"]["amount"] == 50_000
    driver.ok(driver.pay(created["deposit"]["checkout"]["checkout_id"]))
    lid = created["listing"]["listing_id"]
    assert driver.listing(lid)["status"] == "open"
    driver.conserved(lid)
