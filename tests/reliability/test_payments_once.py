"""A payment is applied once per provider payment id, whatever events carry it; refunds are
derived from the payment they refund; a payout is reconciled against the one we issued."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.support.app_driver import Driver, complete_sale
from tombola.ledger import seller_payable


def _captured(d: Driver, payment_id: str) -> int:
    return sum(1 for e in d.store.all_journal_entries() if e.key.endswith(f":{payment_id}"))


def test_a_ticket_payment_reported_under_new_event_ids_is_applied_once(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller")
    d.user("ann", "buyer")
    entry = d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 3}), 201)
    chk = entry["checkout"]["checkout_id"]
    results = [d.ok(d.pay(chk, event_id=f"evt-{i}"))["result"] for i in range(4)]
    assert results == ["tickets_issued", "duplicate", "duplicate", "duplicate"]
    assert d.listing(lid)["paid_tickets"] == 3
    assert d.psp.records("REFUND") == []
    assert _captured(d, f"pay_{chk}") == 1
    st = d.conserved(lid)
    assert st.paid_in == {"deposit": 50_000, "first_payments": 3_000}
    assert "refunds" not in st.paid_out


def test_a_deposit_reported_twice_opens_the_listing_and_is_not_refunded(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    created = d.create_listing("seller")
    lid = created["listing"]["listing_id"]
    chk = created["deposit"]["checkout"]["checkout_id"]
    assert d.ok(d.pay(chk, event_id="evt-a"))["result"] == "listing_opened"
    assert d.ok(d.pay(chk, event_id="evt-b"))["result"] == "duplicate"
    assert d.listing(lid)["status"] == "open"
    assert d.psp.records("REFUND") == []
    assert d.conserved(lid).paid_in == {"deposit": 50_000}


def test_a_second_real_payment_for_a_paid_entry_is_refunded_once(d: Driver) -> None:
    """Another provider payment (the buyer paid twice) is refunded, under the refund id of
    that payment, however many times it is reported."""
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1)
    d.user("ann", "buyer")
    d.user("bob", "buyer")
    entry = d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 1}), 201)
    chk = entry["checkout"]["checkout_id"]
    d.ok(d.pay(chk))
    for i in range(3):
        d.ok(d.pay(chk, payment_id="pay-twice", event_id=f"evt-twice-{i}"))
    d.buy("bob", lid)
    complete_sale(d, lid)
    refunds = Counter(r["payment_id"] for r in d.psp.records("REFUND"))
    assert refunds["pay-twice"] == 1
    assert all(n == 1 for n in refunds.values()), refunds
    st = d.conserved(lid)
    assert st.paid_in["unaccepted_payments"] == 500_000


def _sold_listing(d: Driver) -> str:
    lid = d.sold_out()
    complete_sale(d, lid)
    return lid


def _payable(d: Driver) -> int:
    account = seller_payable("seller")
    return sum(
        p.amount for e in d.store.all_journal_entries() for p in e.postings if p.account == account
    )


def test_a_payout_is_recorded_once_whatever_events_report_it(d: Driver) -> None:
    lid = _sold_listing(d)
    assert _payable(d) == 1_000_000
    results = [d.ok(d.payout_paid(lid, 1_000_000, event_id=f"po-{i}"))["result"] for i in range(3)]
    assert results == ["payout_recorded", "duplicate", "duplicate"]
    assert _payable(d) == 0
    assert d.store.get_payout(f"payout-{lid}").status == "paid"  # type: ignore[union-attr]
    d.conserved(lid)


@pytest.mark.parametrize(
    ("problem", "amount", "currency", "payout_id"),
    [
        ("amount", 999_999, "KRW", None),
        ("currency", 1_000_000, "USD", None),
        ("unknown payout", 1_000_000, "KRW", "payout-Lnope"),
        ("not yet issued", 1_000_000, "KRW", "payout-other"),
    ],
)
def test_a_payout_we_did_not_issue_is_refused_and_alerts_the_operator(
    d: Driver, problem: str, amount: int, currency: str, payout_id: str | None
) -> None:
    lid = _sold_listing(d)
    before = len(d.store.all_journal_entries())
    r = d.payout_paid(lid, amount, currency=currency, payout_id=payout_id)
    assert r.status == 422, (problem, r)
    assert r.body["error"]["code"] == "payout_mismatch"
    assert r.body["error"]["field"] == "data.reference"
    assert len(d.store.all_journal_entries()) == before
    assert _payable(d) == 1_000_000
    d.stack.deliver_events()
    alerts = [
        e
        for fn, e in d.stack.invocations
        if fn == "NotifierFunction" and e.get("detail-type") == "OperatorAlert"
    ]
    assert alerts, problem
    assert alerts[-1]["detail"]["alert"] == "PayoutMismatch"
    d.conserved(lid)
