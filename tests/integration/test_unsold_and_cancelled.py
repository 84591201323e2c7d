"""Listings that do not sell, and sales that are undone: rules 8 and 12, and disputes."""

from __future__ import annotations

from collections.abc import Callable

from tombola_dev.driver import Driver, complete_sale


def refunds(d: Driver) -> list[tuple[str, int]]:
    return sorted((r["payment_id"], r["amount"]) for r in d.psp.records("REFUND"))


def redrawn(d: Driver, lid: str, candidate: str) -> Callable[[], bool]:
    return lambda: d.record(lid).candidate != candidate


def test_the_schedule_closes_a_listing_and_one_without_tickets_ends_unsold(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller")
    assert d.stack.run_schedules()[0]["closed"] == []  # not due yet
    d.close_window(lid)
    d.wait_status(lid, "unsold")
    assert d.stack.execution(lid)["status"] in {"RUNNING", "SUCCEEDED"}
    d.stack.wait_for(lambda: d.stack.execution(lid)["status"] == "SUCCEEDED", 10, "execution end")
    st = d.conserved(lid)
    assert st.paid_out == {"deposit_refund": 50_000}
    assert refunds(d) == [(f"pay_{d.psp.records('CHECKOUT')[0]['sk']}", 50_000)]
    assert _why(d, lid) == "no_entries"  # the seller's page words it so


def test_an_unpaid_deposit_cancels_the_listing_at_close(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.create_listing("seller")["listing"]["listing_id"]
    d.close_window(lid)
    assert d.record(lid).status.value == "cancelled"
    assert _why(d, lid) == "deposit_not_paid"
    d.conserved(lid)


def test_forfeit_redraws_and_when_everyone_forfeits_the_listing_ends_unsold(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", ticket_limit=10, deadlines={"second_payment": 30})
    buyers = ["ann", "bob", "cat"]
    for b in buyers:
        d.user(b, "buyer")
        d.buy(b, lid, tickets=2)
    d.buy("ann", lid, tickets=1, method="card")
    d.close_window(lid)
    passed: list[str] = []
    for _ in buyers:
        d.wait_status(lid, "awaiting_second_payment", "unsold")
        candidate = d.record(lid).candidate
        # Only the current candidate may forfeit; others get 404 and nothing changes; one who
        # passed before is told so again.
        waiting = [b for b in buyers if b != candidate and b not in passed]
        if waiting:
            assert d.as_(waiting[0], "POST", f"/listings/{lid}/forfeit").status == 404
        for b in passed:
            assert d.ok(d.as_(b, "POST", f"/listings/{lid}/forfeit"))["status"] == "forfeited"
        d.ok(d.as_(candidate, "POST", f"/listings/{lid}/forfeit"))
        passed.append(candidate)
        d.stack.wait_for(redrawn(d, lid, candidate), 10, "the re-draw")
    d.wait_status(lid, "unsold")
    assert sorted(passed) == buyers
    assert d.forfeited(lid) == passed
    st = d.conserved(lid)
    # Everyone forfeited: forfeited P1 is not refunded (operator revenue); the deposit is.
    assert st.paid_out["operator_revenue"] == 7 * 1_000
    assert st.paid_out["deposit_refund"] == 50_000
    assert "refunds" not in st.paid_out
    assert _why(d, lid) == "order_exhausted"


def test_a_deadline_passing_counts_as_forfeiting(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", ticket_limit=10, deadlines={"second_payment": 1})
    d.user("ann", "buyer")
    d.user("bob", "buyer")
    d.buy("ann", lid, tickets=3)
    d.buy("bob", lid, tickets=2, method="card")
    d.close_window(lid)
    d.wait_status(lid, "awaiting_second_payment")
    first = d.record(lid).candidate
    d.ok(d.as_(first, "POST", f"/listings/{lid}/forfeit"))
    # The second candidate lets the 1 s deadline pass: the order is exhausted.
    d.wait_status(lid, "unsold")
    st = d.conserved(lid)
    assert st.paid_out["deposit_refund"] == 50_000
    # Both were passed over; both forfeited their P1, nothing is refunded but the deposit.
    assert st.paid_out["operator_revenue"] == 5_000


def test_seller_misses_the_ship_deadline_sale_cancelled_and_refunded(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", ticket_limit=10, deadlines={"second_payment": 30, "ship": 1})
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid, tickets=5)
    d.close_window(lid)
    d.wait_status(lid, "awaiting_second_payment")
    candidate = d.record(lid).candidate
    due = d.ok(d.as_(candidate, "POST", f"/listings/{lid}/second-payment"))
    assert due["amount"] == 990_000
    d.ok(d.pay(due["checkout"]["checkout_id"]))
    d.wait_status(lid, "cancelled")  # the 1 s ship deadline passed
    st = d.conserved(lid)
    assert st.paid_out["deposit_forfeit"] == 50_000
    assert st.paid_out["refunds"] == 10_000 + 990_000
    assert sum(a for _, a in refunds(d)) == 1_000_000
    assert d.record(lid).outcome_reason == "not_shipped"
    assert _why(d, lid) == "not_shipped"


def _why(d: Driver, lid: str) -> str | None:
    """Why the listing ended, as its seller's statement says it."""
    reason: str | None = d.ok(d.as_("seller", "GET", f"/listings/{lid}/statement"))[
        "outcome_reason"
    ]
    return reason


def _sold_and_delivered(d: Driver) -> str:
    d.user("seller", "seller", payout=True)
    d.user("op", "operator")
    lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1, deadlines={"confirm": 30})
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid)
    complete_sale(d, lid, until="delivered")
    return lid


def test_dispute_resolved_as_refund(d: Driver) -> None:
    lid = _sold_and_delivered(d)
    buyer = d.record(lid).final_buyer
    d.ok(d.as_(buyer, "POST", f"/listings/{lid}/dispute", {"reason": "broken lens"}))
    # Only an operator resolves.
    assert (
        d.as_(
            "seller", "POST", f"/listings/{lid}/dispute/resolution", {"decision": "release"}
        ).status
        == 403
    )
    d.stack.wait_for(lambda: "resolution" in d.record(lid).waits, 10, "the resolution wait")
    d.ok(d.as_("op", "POST", f"/listings/{lid}/dispute/resolution", {"decision": "refund"}))
    d.wait_status(lid, "cancelled")
    st = d.conserved(lid)
    assert st.paid_out["deposit_forfeit"] == 50_000
    assert st.paid_out["refunds"] == 1_000_000
    assert _why(d, lid) == "dispute_refunded"


def test_dispute_resolved_as_release(d: Driver) -> None:
    lid = _sold_and_delivered(d)
    buyer = d.record(lid).final_buyer
    d.ok(d.as_(buyer, "POST", f"/listings/{lid}/dispute", {"reason": "late"}))
    d.stack.wait_for(lambda: "resolution" in d.record(lid).waits, 10, "the resolution wait")
    d.ok(d.as_("op", "POST", f"/listings/{lid}/dispute/resolution", {"decision": "release"}))
    d.wait_status(lid, "settled")
    st = d.conserved(lid)
    assert st.paid_out["seller_payout"] == 1_000_000


def test_no_dispute_auto_confirms_after_the_window(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1, deadlines={"confirm": 1})
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid)
    complete_sale(d, lid, confirm=False)
    assert d.record(lid).outcome_reason == "auto_confirmed"
    d.conserved(lid)
