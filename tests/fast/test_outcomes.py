"""Whole listings through the services on the MemoryStore, the state machine played step by
step: every outcome, its money checked against the journal and the provider's records.

A listing of 10,000 with Np = 10 asks P1 = 1,000 a ticket and a deposit of 500 (5 %); no fee."""

from __future__ import annotations

import pytest

from tests.support.fast_platform import FastWorld, fast_deps
from tombola.domain.ledger import OPERATOR_REVENUE, escrow, mileage, seller_payable
from tombola.domain.references import payout_id_for
from tombola.services import settling


def balance(w: FastWorld, account: str) -> int:
    return sum(
        p.amount for e in w.store.all_journal_entries() for p in e.postings if p.account == account
    )


def to_final_buyer(w: FastWorld) -> str:
    """Draw, and the candidate pays P2 when one is due: the shipment wait is reached."""
    assert w.close()["closed"] == [w.listing_id]
    if w.run() == "wait_p2":
        assert w.pay(w.second_payment()) == "final_buyer"
        assert w.run() == "wait_ship"
    assert w.execution is not None
    assert w.execution.phase == "wait_ship"
    final: str = w.record().final_buyer
    return final


def ship_and_deliver(w: FastWorld) -> None:
    w.ship()
    assert w.run() == "wait_delivery"
    assert w.deliver() == "delivered"
    assert w.run() == "wait_confirm"


def test_sold_with_a_second_payment(w: FastWorld) -> None:
    lid = w.open()
    assert w.buy("ann", 2) == "tickets_issued"
    assert w.buy("bob", 1) == "tickets_issued"
    assert w.close()["closed"] == [lid]
    assert w.workflow.started == [lid]
    assert w.run() == "wait_p2"
    record = w.record()
    assert record.status.value == "awaiting_second_payment"
    assert record.second_payment_due == 7_000  # 10,000 - 3 x 1,000
    assert w.pay(w.second_payment()) == "final_buyer"
    assert w.run() == "wait_ship"
    ship_and_deliver(w)
    w.confirm()
    assert w.run() == "done"
    assert (w.status, w.record().outcome_reason) == ("settled", "confirmed")
    assert w.psp.payouts[payout_id_for(lid)]["amount"] == 10_000
    assert w.psp.refunded(f"pay_{w.checkout_of('deposit')}") == 500
    assert w.payout_reported() == "payout_recorded"
    assert w.payout_reported() == "duplicate"
    st = w.conserved()
    assert st.paid_in == {"deposit": 500, "first_payments": 3_000, "second_payment": 7_000}
    assert (st.paid_out["seller_payout"], st.paid_out["deposit_refund"]) == (10_000, 500)
    assert balance(w, seller_payable("seller")) == 0
    assert balance(w, escrow(lid)) == 0
    assert balance(w, OPERATOR_REVENUE) == 0


def test_sold_without_a_second_payment_the_surplus_to_the_operator(w: FastWorld) -> None:
    w.open(expected_entrants=2, close_when_full=False, surplus_policy="operator")
    w.buy("ann", 2)
    w.buy("bob", 1)  # 3 x 5,000 = 15,000 for a price of 10,000
    final = to_final_buyer(w)
    assert final in {"ann", "bob"}
    assert w.record().second_payment_due == 0
    ship_and_deliver(w)
    w.confirm()
    assert w.run() == "done"
    w.payout_reported()
    st = w.conserved()
    assert "second_payment" not in st.paid_in
    assert st.paid_out["seller_payout"] == 10_000
    assert balance(w, OPERATOR_REVENUE) == 5_000
    assert w.store.mileage_balance("ann", "KRW") == w.store.mileage_balance("bob", "KRW") == 0


def test_sold_without_a_second_payment_the_surplus_as_the_losers_mileage(w: FastWorld) -> None:
    w.open(expected_entrants=2, close_when_full=False, surplus_policy="mileage")
    for buyer, tickets in (("ann", 2), ("bob", 1), ("cat", 1)):
        w.buy(buyer, tickets)  # 20,000 paid: 10,000 over the price
    final = to_final_buyer(w)
    ship_and_deliver(w)
    w.lapse()  # nobody confirms: auto-confirmed when the window passes
    assert (w.status, w.record().outcome_reason) == ("settled", "auto_confirmed")
    w.payout_reported()
    st = w.conserved()
    earned = {b: w.store.mileage_balance(b, "KRW") for b in ("ann", "bob", "cat")}
    assert earned[final] == 0
    losing_tickets = {"ann": 2, "bob": 1, "cat": 1}
    per_ticket = 10_000 // (4 - losing_tickets[final])
    assert {b: m for b, m in earned.items() if b != final} == {
        b: per_ticket * n for b, n in losing_tickets.items() if b != final
    }
    assert st.paid_out["mileage_issued"] == sum(earned.values())
    assert balance(w, OPERATOR_REVENUE) == 10_000 - sum(earned.values())
    # each credit lands once, however often its effect runs
    for b, amount in earned.items():
        assert balance(w, mileage(b)) == amount

    # a loser spends the mileage on another listing: paid at once, no checkout
    loser = next(b for b in earned if b != final)
    first = w.listing_id
    w.open()
    assert w.hold(loser, 1, method="mileage") is None
    assert w.store.mileage_balance(loser, "KRW") == earned[loser] - 1_000
    assert w.conserved().paid_in == {"deposit": 500, "first_payments": 1_000}
    w.listing_id = first
    w.conserved()


def test_unsold_when_every_candidate_passes(w: FastWorld) -> None:
    lid = w.open()
    w.buy("ann", 2)
    w.buy("bob", 1)
    w.close()
    assert w.run() == "wait_p2"
    first = w.record().candidate
    assert w.lapse() == "wait_p2"  # the deadline passes: re-drawn
    second = w.record().candidate
    assert second not in {None, first}
    w.forfeit()
    assert w.run() == "done"
    record = w.record()
    assert (record.status.value, record.outcome_reason) == ("unsold", "order_exhausted")
    assert w.store.draw_order(lid, 0, 5) == [first, second]
    forfeited = [b.buyer_id for b in w.store.buyers_of_listing(lid, 1) if b.forfeited]
    assert sorted(forfeited) == sorted([first, second])
    # the deposit goes back; the candidates who passed lose their P1s to the operator
    refunded = {c: w.psp.refunded(f"pay_{c}") for c in w.checkouts_paid()}
    assert refunded == {
        w.checkout_of("deposit"): 500,
        **dict.fromkeys(refunded.keys() - {w.checkout_of("deposit")}, 0),
    }
    st = w.conserved()
    assert st.paid_out == {"deposit_refund": 500, "operator_revenue": 3_000}
    assert balance(w, OPERATOR_REVENUE) == 3_000


def test_unsold_when_nobody_bought_a_ticket(w: FastWorld) -> None:
    w.open()
    w.hold("ann", 1)  # held, never paid
    w.close()
    assert w.run() == "done"
    assert w.status == "unsold"
    assert w.psp.refunded(f"pay_{w.checkout_of('deposit')}") == 500
    assert w.conserved().paid_out == {"deposit_refund": 500}


def test_an_unpaid_deposit_cancels_the_listing_at_close(w: FastWorld) -> None:
    w.people()
    created = w.create()
    assert created.deposit.amount == 500
    assert w.close()["closed"] == [w.listing_id]
    record = w.record()
    assert (record.status.value, record.outcome_reason) == ("cancelled", "deposit_not_paid")
    assert w.workflow.started == []
    assert w.store.all_journal_entries() == []


def test_the_seller_misses_the_ship_deadline(w: FastWorld) -> None:
    w.open()
    w.buy("ann", 2)
    w.buy("bob", 1)
    final = to_final_buyer(w)
    assert w.lapse() == "done"
    record = w.record()
    assert (record.status.value, record.outcome, record.outcome_reason) == (
        "cancelled",
        "seller_fault",
        "not_shipped",
    )
    assert payout_id_for(w.listing_id) not in w.psp.payouts
    # everyone's money goes back, the final buyer's P2 too; the deposit is forfeit
    for checkout, amount in w.checkouts_paid().items():
        reference = w.psp.checkouts[checkout]["reference"]
        refunded = w.psp.refunded(f"pay_{checkout}")
        assert refunded == (0 if reference.startswith("deposit:") else amount), reference
    st = w.conserved()
    assert st.paid_out["refunds"] == 10_000
    assert final in {"ann", "bob"}


def test_a_dispute_refunded_cancels_the_sale(w: FastWorld) -> None:
    w.open(expected_entrants=2, ticket_limit=1)
    w.buy("ann")
    assert w.buy("bob") == "tickets_issued"  # full: closes at once, no schedule needed
    assert w.status == "closed"
    assert w.run() == "wait_ship"
    ship_and_deliver(w)
    w.dispute()
    assert w.run() == "wait_resolution"
    w.resolve("refund")
    assert w.run() == "done"
    assert (w.status, w.record().outcome_reason) == ("cancelled", "dispute_refunded")
    assert w.psp.refunded(f"pay_{w.checkout_of('entry', 'ann')}") == 5_000
    assert w.psp.refunded(f"pay_{w.checkout_of('entry', 'bob')}") == 5_000
    assert w.conserved().held_in_escrow == 0


def test_a_dispute_released_pays_the_seller(w: FastWorld) -> None:
    w.open(expected_entrants=2, ticket_limit=1)
    w.buy("ann")
    w.buy("bob")
    w.run()
    ship_and_deliver(w)
    w.dispute()
    assert w.run() == "wait_resolution"
    w.resolve("release")
    assert w.run() == "done"
    assert (w.status, w.record().outcome_reason) == ("settled", "confirmed")
    w.payout_reported()
    assert w.conserved().paid_out["seller_payout"] == 10_000


def test_a_forfeit_redraws_and_the_next_candidate_buys(w: FastWorld) -> None:
    lid = w.open()
    for buyer in ("ann", "bob", "cat"):
        w.buy(buyer, 2)
    w.close()
    assert w.run() == "wait_p2"
    first = w.record().candidate
    w.forfeit()
    w.forfeit()  # asked again: the same answer, nothing moves
    assert w.run() == "wait_p2"
    second = w.record().candidate
    assert second != first
    assert w.pay(w.second_payment()) == "final_buyer"
    assert w.record().second_payment_paid == 4_000
    assert w.run() == "wait_ship"
    ship_and_deliver(w)
    w.confirm()
    assert w.run() == "done"
    w.payout_reported()
    st = w.conserved()
    assert st.paid_out["seller_payout"] == 10_000
    assert w.store.draw_order(lid, 0, 2) == [first, second]
    # the passed candidate's P1s stay in the pool; nobody is refunded but the deposit
    assert st.paid_out.get("refunds", 0) == 0


def test_a_loser_gets_both_the_surplus_share_and_the_proportional_bonus() -> None:
    """Two mileage postings to one loser in one chunk (the surplus split and the operator-funded
    bonus) are one credit of their sum: a credit is applied once per key, so two credits under
    one key lost the bonus while the journal said it was issued."""
    deps, clock = fast_deps()
    deps.settings = deps.settings.model_copy(update={"mileage_bps": 1_000})  # 10 % of P1
    w = FastWorld(deps, clock)
    w.open(expected_entrants=2, close_when_full=False, surplus_policy="mileage")
    for buyer, tickets in (("ann", 2), ("bob", 1), ("cat", 1)):
        w.buy(buyer, tickets)  # P1 5,000: 20,000 paid, 10,000 over the price
    final = to_final_buyer(w)
    ship_and_deliver(w)
    w.confirm()
    assert w.run() == "done"
    losing = {"ann": 2, "bob": 1, "cat": 1}
    losing.pop(final)
    per_ticket = 10_000 // sum(losing.values()) + 500  # the surplus share, then the bonus
    for buyer, n in losing.items():
        assert w.store.mileage_balance(buyer, "KRW") == per_ticket * n
        assert balance(w, mileage(buyer)) == per_ticket * n
    w.payout_reported()
    w.conserved()


def test_a_chunk_is_cut_by_payments_so_its_journal_item_stays_small(
    w: FastWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refund postings name their payments, so a chunk is bounded by payments as well as
    buyers (at 1,000 buyers of 5 entries each the item passed DynamoDB's 400 KB)."""
    monkeypatch.setattr(settling, "CHUNK_PAYMENTS", 2)
    w.open()
    for buyer, entries in (("ann", 3), ("bob", 2), ("cat", 1)):
        for _ in range(entries):
            w.buy(buyer, 1)
    to_final_buyer(w)
    assert w.lapse() == "done"  # not shipped: every payment goes back
    chunks = [e for e in w.store.journal_of_listing(w.listing_id) if ":chunk:" in e.key]
    assert len(chunks) == 3  # ann (3 > 2 alone), bob, cat: a buyer is never split
    refunds = [p for e in chunks for p in e.postings if p.ref is not None]
    assert len(refunds) == len({p.ref for p in refunds}) == 6
    for checkout, amount in w.checkouts_paid().items():
        reference = w.psp.checkouts[checkout]["reference"]
        refunded = w.psp.refunded(f"pay_{checkout}")
        assert refunded == (0 if reference.startswith("deposit:") else amount), reference
    w.conserved()
