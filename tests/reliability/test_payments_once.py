"""A payment is applied once per provider payment id, whatever events carry it; refunds are
derived from the payment they refund; a payout is reconciled against the one we issued."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from tombola_dev.driver import Driver, complete_sale
from tombola_dev.sandbox import payment_webhook

from tombola.domain.ledger import seller_payable


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


def _stray(d: Driver, reference: str, payment_id: str, **event: str) -> Any:
    raw, headers = payment_webhook(
        d.secret,
        reference=reference,
        amount=7_000,
        currency="KRW",
        now_epoch=int(d.clock.now().timestamp()),
        payment_id=payment_id,
        **event,
    )
    return d.stack.http("POST", "/webhooks/payments", raw=raw, headers=headers)


@pytest.mark.parametrize(
    "reference", ["gift:card-1", "unknown:pay_zzz", "entry", "entry:{lid}:E-nope:ann"]
)
def test_a_payment_for_nothing_of_ours_is_refunded_once_and_the_operator_told(
    d: Driver, reference: str
) -> None:
    """The provider confirms a payment no checkout of ours names: it is recorded as received and
    returned on the platform's ledger, refunded once however often it is reported, and the
    operator is alerted; a failure of such a payment moves nothing."""
    if "{lid}" in reference:  # a real listing, an entry it never had
        d.user("seller", "seller", payout=True)
        reference = reference.format(lid=d.open_listing("seller"))
    before = len(d.store.all_journal_entries())
    for event_id in ("evt_stray_1", "evt_stray_2"):
        r = _stray(d, reference, "pay_stray", event_id=event_id)
        assert r.status == 200, r.body
        assert r.body["result"] == ("refunded" if event_id == "evt_stray_1" else "duplicate")
    d.stack.deliver_events()
    refunds = [x for x in d.psp.records("REFUND") if x.get("payment_id") == "pay_stray"]
    assert [(x["amount"], x["currency"]) for x in refunds] == [(7_000, "KRW")]
    entries = [e for e in d.store.all_journal_entries() if e.key.startswith("stray")]
    assert sorted(e.key for e in entries) == ["stray-refund:pay_stray", "stray:pay_stray"]
    held: Counter[str] = Counter()
    for entry in entries:
        for posting in entry.postings:
            held[posting.account] += posting.amount
    assert all(v == 0 for v in held.values()), held  # nothing stays anywhere
    alerts = [
        e["detail"]
        for fn, e in d.stack.invocations
        if fn == "NotifierFunction" and e.get("detail-type") == "OperatorAlert"
    ]
    assert [(a["alert"], a["payment_id"]) for a in alerts] == [("StrayPayment", "pay_stray")]
    r = _stray(d, reference, "pay_stray_failed", event_type="payment.failed")
    assert (r.status, r.body["result"]) == (200, "ignored")
    assert len(d.store.all_journal_entries()) == before + 2
