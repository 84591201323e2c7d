"""The operator's disputes over HTTP on the moto stack: only an operator reads them; an open one
says the buyer's reason, the shipment, the money and what each decision moves; once decided it
is in the history once, however often the decision is sent, and the money moves as it said."""

from __future__ import annotations

from typing import Any

from tombola_dev.driver import Driver, complete_sale

PATH = "/operator/disputes"


def rows(d: Driver, lid: str, status: str = "open") -> list[dict[str, Any]]:
    """The listing's rows in a list, every page of it."""
    found, cursor = [], None
    for _ in range(20):
        query = {"status": status} | ({"cursor": cursor} if cursor else {})
        page = d.ok(d.as_op("GET", PATH, query=query))
        found += [r for r in page["disputes"] if r["listing_id"] == lid]
        cursor = page["next_cursor"]
        if cursor is None:
            return found
    raise AssertionError("the pages never ended")


def test_the_operator_sees_what_to_decide_and_the_decision_stays_in_the_history(
    d: Driver,
) -> None:
    # ann and bob hold 2 tickets each (P1 1,000) of a listing of 1,000,000: P2 996,000
    lid = d.awaiting_second_payment(second_payment_seconds=600)
    candidate = d.record(lid).candidate
    due = d.ok(d.as_(candidate, "POST", f"/listings/{lid}/second-payment"))
    assert due["amount"] == 996_000
    d.ok(d.pay(due["checkout"]["checkout_id"]))
    complete_sale(d, lid, until="delivered")
    d.ok(d.as_(candidate, "POST", f"/listings/{lid}/dispute", {"reason": "broken lens"}))
    d.stack.wait_for(lambda: "resolution" in d.record(lid).waits, 10, "the resolution wait")

    # only an operator: a buyer (the one who disputed too) and the seller are refused
    for who in (candidate, "seller"):
        for status in ("open", "decided"):
            refused = d.as_(who, "GET", PATH, query={"status": status})
            assert refused.status == 403, refused.body

    [open_] = rows(d, lid)
    record = d.record(lid)
    assert (open_["title"], open_["status"], open_["reason"]) == (
        "Camera",
        "disputed",
        "broken lens",
    )
    shipped = (record.shipment.carrier, record.shipment.tracking_number)
    assert (open_["carrier"], open_["tracking_number"]) == shipped
    assert open_["tracking_number"]
    assert open_["shipped_at"]
    assert open_["delivered_at"]
    money = {k: open_[k] for k in ("currency", "price", "first_payment", "paid_tickets")}
    assert money == {
        "currency": "KRW",
        "price": 1_000_000,
        "first_payment": 1_000,
        "paid_tickets": 4,
    }
    assert (open_["tickets_paid"], open_["second_payment_paid"], open_["deposit"]) == (
        4_000,
        996_000,
        50_000,
    )
    assert open_["if_released"] == {
        "seller_paid": 1_000_000,
        "deposit_returned": 50_000,
        "deposit_forfeited": 0,
        "second_payment_refunded": 0,
        "tickets_refunded": 0,
    }
    assert open_["if_refunded"] == {
        "seller_paid": 0,
        "deposit_returned": 0,
        "deposit_forfeited": 50_000,
        "second_payment_refunded": 996_000,
        "tickets_refunded": 4_000,
    }
    # when it was opened, and the operator's deadline
    assert open_["opened_at"] == record.reached["disputed"].isoformat()
    assert open_["resolution_due_at"] == record.stage_due_at["resolution"].isoformat()
    # the buyer by the pseudonym they see in their entries; no user id, name or contact
    [entry] = d.ok(d.as_(candidate, "GET", "/me/entries"))["entries"]
    assert open_["final_buyer"] == entry["pseudonym"]
    shown = str(open_)
    for secret in (candidate, f"Name {candidate}", f"{candidate}@example.com", "+82"):
        assert secret not in shown, secret
    assert (open_["decision"], open_["decided_at"]) == (None, None)
    assert rows(d, lid, "decided") == []

    # decided, then the same decision replayed: one row in the history, none open
    resolution = f"/listings/{lid}/dispute/resolution"
    first = d.ok(d.as_op("POST", resolution, {"decision": "refund"}))
    assert d.ok(d.as_op("POST", resolution, {"decision": "refund"})) == first
    assert rows(d, lid) == []
    [decided] = rows(d, lid, "decided")
    assert (decided["decision"], decided["decided_by"]) == ("refund", "op")
    assert decided["decided_at"] == d.record(lid).resolved_at.isoformat()
    assert decided["reason"] == "broken lens"
    assert decided["resolution_due_at"] is None
    d.wait_status(lid, "cancelled")
    assert d.ok(d.as_op("POST", resolution, {"decision": "refund"})) == first
    [after] = rows(d, lid, "decided")
    assert (after["status"], after["decided_at"]) == ("cancelled", decided["decided_at"])

    # the money moved as the refund said
    st = d.conserved(lid)
    refunded = open_["if_refunded"]
    assert st.paid_out["deposit_forfeit"] == refunded["deposit_forfeited"]
    assert st.paid_out["refunds"] == (
        refunded["second_payment_refunded"] + refunded["tickets_refunded"]
    )
    assert "seller_payout" not in st.paid_out

    assert d.as_op("GET", PATH, query={"status": "lost"}).status == 422
    assert d.as_op("GET", PATH, query={"cursor": "not-ours"}).status == 422
