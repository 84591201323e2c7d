"""[0045] 900 tickets: the first candidate lets the deadline pass, the next pays 100,000, the
seller ships, the carrier delivers, the buyer confirms, settlement pays everyone."""

from __future__ import annotations

from tombola_dev.driver import Driver, complete_sale

from tombola.domain.ledger import OPERATOR_REVENUE, seller_payable


def test_0045_redraw_then_second_payment_then_settlement(d: Driver) -> None:

    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", close_when_full=False, ticket_limit=100)
    buyers = [f"buyer{i}" for i in range(9)]
    for b in buyers:
        d.user(b, "buyer")
        d.buy(b, lid, tickets=100)
    assert d.listing(lid)["paid_tickets"] == 900
    assert d.listing(lid)["second_payment_if_drawn_now"] == 100_000

    d.close_window(lid)
    d.wait_status(lid, "awaiting_second_payment")
    first = d.record(lid).candidate
    # The first candidate lets the deadline pass: the state machine re-draws, and the second
    # candidate pays what is left.
    second, paid = d.redrawn_pays(lid, first)
    assert paid["amount"] == 100_000
    assert paid["result"] == "final_buyer"
    assert d.forfeited(lid) == [first]
    d.wait_status(lid, "final_buyer")

    # A buyer who was not drawn cannot get a second payment checkout.
    other = next(b for b in buyers if b not in (first, second))
    assert d.as_(other, "POST", f"/listings/{lid}/second-payment").status == 404

    buyer = d.ok(d.as_("seller", "GET", f"/listings/{lid}/final-buyer"))
    assert buyer["name"] == f"Name {second}"
    complete_sale(d, lid)
    assert d.record(lid).outcome_reason == "confirmed"

    st = d.conserved(lid)
    assert d.store.mileage_balance(first, "KRW") == 0
    assert st.paid_out["seller_payout"] == 1_000_000
    assert st.paid_out["deposit_refund"] == 50_000
    assert st.paid_in == {"deposit": 50_000, "first_payments": 900_000, "second_payment": 100_000}
    payouts = d.psp.records("PAYOUT")
    assert [(p["payee_id"], p["amount"]) for p in payouts] == [("seller", 1_000_000)]
    refunds = d.psp.records("REFUND")
    assert [r["amount"] for r in refunds] == [50_000]
    assert d.stack.execution(lid)["status"] == "SUCCEEDED"
    # Nothing stayed with the operator: Pp + k was exactly covered.
    ledger_revenue = sum(
        p.amount
        for e in d.store.all_journal_entries()
        for p in e.postings
        if p.account == OPERATOR_REVENUE
    )
    assert ledger_revenue == 0
    # The provider reports the payout: the seller's payable is emptied, once.
    for _ in range(2):
        d.ok(d.payout_paid(lid, 1_000_000))
    assert payable(d, "seller") == 0
    d.conserved(lid)


def payable(d: Driver, seller: str) -> int:
    account = seller_payable(seller)
    return sum(
        p.amount for e in d.store.all_journal_entries() for p in e.postings if p.account == account
    )
