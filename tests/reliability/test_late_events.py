"""Events that come back long after they were applied: a console resend, a later webhook for
the same payment, an outbox effect re-run. DynamoDB forgets items whose TTL passed (moto never
does), so `a_month_later` deletes them as DynamoDB's TTL would and moves the clock on; what
decides whether money moves must still know the payment."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tombola_dev.driver import Driver, complete_sale

from tests.support.ttl import forget_expired


def a_month_later(d: Driver, days: int = 45) -> int:
    """The clock moves ``days`` on and every item whose TTL then passed is gone, as DynamoDB's
    TTL deletes them; returns how many went."""
    d.clock.advance(timedelta(days=days))
    return forget_expired(d.store.client, d.store.table, int(d.clock.now().timestamp()))


def journal_keys(d: Driver, lid: str) -> list[str]:
    return [e.key for e in d.store.journal_of_listing(lid)]


def test_a_deposit_and_second_payment_delivered_again_a_month_later_change_nothing(
    d: Driver,
) -> None:
    """Row 2: their dedupe markers expired after 30 days, and a re-delivery was refunded as
    "not due" while the seller was still paid Pp: escrow went negative."""
    d.user("seller", "seller", payout=True)
    created = d.create_listing("seller", ticket_limit=4, deadlines={"second_payment": 30})
    lid = created["listing"]["listing_id"]
    deposit_checkout = created["deposit"]["checkout"]["checkout_id"]
    d.ok(d.pay(deposit_checkout))
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid, tickets=2)
    d.close_window(lid)
    d.wait_status(lid, "awaiting_second_payment")
    candidate = d.record(lid).candidate
    due = d.ok(d.as_(candidate, "POST", f"/listings/{lid}/second-payment"))
    p2_checkout = due["checkout"]["checkout_id"]
    d.ok(d.pay(p2_checkout))
    complete_sale(d, lid)
    before = journal_keys(d, lid)
    refunds_before = len(d.psp.records("REFUND"))
    assert a_month_later(d) > 0  # the markers a month old are gone, as in DynamoDB

    results: list[Any] = [
        d.ok(d.pay(deposit_checkout, event_id="evt-console-resend-1"))["result"],
        d.ok(d.pay(p2_checkout, event_id="evt-console-resend-2"))["result"],
    ]
    assert results == ["duplicate", "duplicate"]
    assert journal_keys(d, lid) == before
    assert len(d.psp.records("REFUND")) == refunds_before
    st = d.conserved(lid)
    assert st.held_in_escrow == 0
