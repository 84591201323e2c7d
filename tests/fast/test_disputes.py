"""The operator's disputes on the MemoryStore: an open one says what the operator needs to decide
(the buyer's reason, the shipment, the money and what each decision moves, the buyer by their
pseudonym), and a decided one is in the history once, however often the decision is sent.

A listing of 10,000 with Np = 10 asks P1 = 1,000 a ticket and a deposit of 500 (5 %); no fee."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.fast_platform import FastWorld
from tests.support.interleavings import caller
from tombola.domain.auth import Role
from tombola.domain.errors import BadCursor, Forbidden, InvalidInput
from tombola.domain.pseudonyms import buyer_pseudonym
from tombola.services.disputes import disputes
from tombola.services.listing_access import pseudonym_key

OP = caller("op", Role.OPERATOR)


def disputed(w: FastWorld, *, second_payment: bool = True) -> str:
    """ann (2 tickets) and bob (1) on a listing closed by time; the drawn one pays P2 of 7,000
    (``second_payment``), the seller ships, the carrier delivers, the buyer disputes and the
    execution waits for the operator."""
    if second_payment:
        lid = w.open()
        w.buy("ann", 2)
        w.buy("bob", 1)
        assert w.close()["closed"] == [lid]
        assert w.run() == "wait_p2"
        assert w.pay(w.second_payment()) == "final_buyer"
    else:
        lid = w.open(expected_entrants=2, ticket_limit=1)
        w.buy("ann")
        w.buy("bob")  # full: drawn at once, the tickets cover the price
    assert w.run() == "wait_ship"
    w.ship()
    assert w.run() == "wait_delivery"
    assert w.deliver() == "delivered"
    assert w.run() == "wait_confirm"
    w.dispute()
    assert w.run() == "wait_resolution"
    return lid


def test_only_an_operator_reads_the_disputes(w: FastWorld) -> None:
    disputed(w)
    for who, role in (("ann", Role.BUYER), ("seller", Role.SELLER)):
        with pytest.raises(Forbidden):
            disputes(w.deps, caller(who, role))
    with pytest.raises(InvalidInput):
        disputes(w.deps, OP, "lost")


def test_an_open_dispute_says_what_the_operator_decides(w: FastWorld) -> None:
    lid = disputed(w)
    record = w.record()
    [d] = disputes(w.deps, OP).disputes
    assert (d.listing_id, d.title, d.status) == (lid, "Camera", "disputed")
    assert d.reason == "arrived broken"
    shipped = (record.shipment.carrier, record.shipment.tracking_number)
    assert (d.carrier, d.tracking_number) == shipped
    assert d.carrier
    assert d.tracking_number
    assert d.shipped_at is not None
    assert d.delivered_at is not None
    # the buyer by the public draw's pseudonym, never their user id
    assert d.final_buyer == buyer_pseudonym(pseudonym_key(w.deps), lid, record.final_buyer)
    assert record.final_buyer not in d.model_dump_json()
    assert (d.currency, d.price, d.first_payment, d.paid_tickets) == ("KRW", 10_000, 1_000, 3)
    assert (d.tickets_paid, d.second_payment_paid, d.deposit) == (3_000, 7_000, 500)
    assert d.opened_at == record.reached["disputed"].isoformat()
    assert d.resolution_due_at == record.stage_due_at["resolution"].isoformat()
    assert record.stage_due_at["resolution"] > record.reached["disputed"]
    released, refunded = d.if_released, d.if_refunded
    assert (released.seller_paid, released.deposit_returned) == (10_000, 500)
    assert released.second_payment_refunded == released.tickets_refunded == 0
    assert (refunded.second_payment_refunded, refunded.tickets_refunded) == (7_000, 3_000)
    assert (refunded.deposit_forfeited, refunded.seller_paid) == (500, 0)
    assert (d.decision, d.decided_at, d.decided_by) == (None, None, None)
    assert disputes(w.deps, OP, "decided").disputes == []


@pytest.mark.parametrize("decision", ["refund", "release"])
def test_a_decided_dispute_is_in_the_history_once_and_moves_what_it_said(
    w: FastWorld, decision: str
) -> None:
    lid = disputed(w)
    [before] = disputes(w.deps, OP).disputes
    w.clock.advance(timedelta(minutes=5))
    decided_at = w.clock.now()
    w.resolve(decision)
    assert disputes(w.deps, OP).disputes == []  # decided: no longer open
    w.clock.advance(timedelta(minutes=1))
    w.resolve(decision)  # sent again: the same answer, nothing written
    [d] = disputes(w.deps, OP, "decided").disputes
    assert (d.listing_id, d.decision, d.decided_by) == (lid, decision, "op")
    assert d.decided_at == decided_at.isoformat()
    assert d.reason == "arrived broken"
    assert d.resolution_due_at is None
    assert w.run() == "done"
    [after] = disputes(w.deps, OP, "decided").disputes  # settled: still there, once
    assert (after.listing_id, after.decided_at) == (lid, d.decided_at)
    assert after.status == ("cancelled" if decision == "refund" else "settled")
    if decision == "release":
        assert w.payout_reported() == "payout_recorded"
    st = w.conserved()
    moves = before.if_refunded if decision == "refund" else before.if_released
    assert st.paid_out.get("seller_payout", 0) == moves.seller_paid
    assert st.paid_out.get("deposit_refund", 0) == moves.deposit_returned
    assert st.paid_out.get("deposit_forfeit", 0) == moves.deposit_forfeited
    assert st.paid_out.get("refunds", 0) == moves.second_payment_refunded + moves.tickets_refunded


def test_the_history_pages_newest_decision_first(w: FastWorld) -> None:
    decided = []
    for n in range(3):
        lid = disputed(w, second_payment=n == 0)
        w.clock.advance(timedelta(minutes=1))
        w.resolve("refund" if n % 2 else "release")
        decided.append(lid)
    open_ = disputed(w, second_payment=False)  # one still open: not in the history
    assert [d.listing_id for d in disputes(w.deps, OP).disputes] == [open_]
    seen, cursor = [], None
    for _ in range(3):
        page = disputes(w.deps, OP, "decided", cursor, limit=1)
        seen += [d.listing_id for d in page.disputes]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == decided[::-1]
    assert cursor is None
    first = disputes(w.deps, OP, "decided", limit=1)
    assert first.next_cursor is not None
    with pytest.raises(BadCursor):  # a cursor of the history is not one of the open list's
        disputes(w.deps, OP, "open", first.next_cursor)
    # the open list pages the disputed listings: a decided one not yet settled is left out,
    # so a page may come back short, and the cursor goes on
    found, cursor = [], None
    for _ in range(5):
        page = disputes(w.deps, OP, "open", cursor, limit=1)
        found += [d.listing_id for d in page.disputes]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert (found, cursor) == ([open_], None)
