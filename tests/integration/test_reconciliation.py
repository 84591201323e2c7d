"""Reconciliation: one day of the provider's records (payments, cancellations, refunds, payouts)
against our books, each record looked up by the key it must have been booked under, and back
from the day's index of journal entries and refund receipts that name a provider's record.
The operator reads any day; the daily job counts and alerts once."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from tombola_dev.driver import Driver, complete_sale
from tombola_dev.sandbox import payment_webhook

from tombola.telemetry import Metric

P1 = 100_000  # 1,000,000 over ten tickets
DEPOSIT = 50_000


def _entry(d: Driver, buyer: str, lid: str) -> dict[str, Any]:
    d.user(buyer, "buyer")
    body = d.ok(d.as_(buyer, "POST", f"/listings/{lid}/entries", {"tickets": 1}), 201)
    checkout = d.psp.checkout(body["checkout"]["checkout_id"])
    assert checkout is not None
    return checkout | {"checkout_id": body["checkout"]["checkout_id"]}


def _webhook_only(d: Driver, checkout: dict[str, Any], payment_id: str) -> Any:
    """A payment event our webhook accepts although the provider kept no such payment."""
    raw, headers = payment_webhook(
        d.secret,
        reference=checkout["reference"],
        amount=checkout["amount"],
        currency=checkout["currency"],
        now_epoch=int(d.clock.now().timestamp()),
        payment_id=payment_id,
        checkout_id=checkout["checkout_id"],
    )
    return d.ok(d.stack.http("POST", "/webhooks/payments", raw=raw, headers=headers))


def seeded_day(d: Driver) -> dict[str, str]:
    """A day with every kind of record, and one of each disagreement."""
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=10, ticket_limit=1)
    ann = _entry(d, "ann", lid)
    d.ok(d.pay(ann["checkout_id"]))
    # ann's card issuer gives part of it back: a cancellation of the provider's own
    cancellation, r = d.provider_cancels(f"pay_{ann['checkout_id']}", amount=30_000)
    assert d.ok(r)["result"] == "cancellation_recorded"
    # ann pays the same entry again: refunded by us (a refund id of ours at the provider)
    assert d.ok(d.pay(ann["checkout_id"], payment_id="pay-twice"))["result"] == "refunded"
    # bob paid, the provider kept it, its webhook never came: missing here
    bob = _entry(d, "bob", lid)
    d.psp.record_payment(
        payment_id="pay-lost", reference=bob["reference"], amount=P1, currency="KRW"
    )
    # cat's payment was booked from an event the provider has no record of: missing there
    assert _webhook_only(d, _entry(d, "cat", lid), "pay-phantom")["result"] == "tickets_issued"
    # dan's: the provider's record says another amount than the event we booked
    dan = _entry(d, "dan", lid)
    d.psp.record_payment(
        payment_id="pay-odd", reference=dan["reference"], amount=P1 - 1, currency="KRW"
    )
    assert _webhook_only(d, dan, "pay-odd")["result"] == "tickets_issued"
    return {"lid": lid, "cancellation": cancellation["sk"], "ann": f"pay_{ann['checkout_id']}"}


def test_a_day_reconciled_finds_matched_missing_and_differing_records(d: Driver) -> None:
    seeded = seeded_day(d)
    day = d.clock.now().date().isoformat()
    d.users["op"] = ("operator",)
    report = d.ok(d.as_("op", "GET", "/operator/reconciliation", query={"day": day}))
    assert report["day"] == day
    assert report["provider"] == "sandbox"
    assert report["counts"] == {
        "matched": 5,  # deposit, ann, the second payment, its refund, the chargeback
        "missing_here": 1,
        "missing_there": 1,
        "amount_differs": 1,
    }
    found = {(m["status"], m["kind"], m["provider_id"]) for m in report["mismatches"]}
    assert found == {
        ("missing_here", "payment", "pay-lost"),
        ("missing_there", "payment", "pay-phantom"),
        ("amount_differs", "payment", "pay-odd"),
    }
    odd = next(m for m in report["mismatches"] if m["provider_id"] == "pay-odd")
    assert (odd["provider_amount"], odd["our_amount"]) == (P1 - 1, P1)
    assert odd["our_key"] == f"{seeded['lid']}:tickets:pay-odd"
    phantom = next(m for m in report["mismatches"] if m["provider_id"] == "pay-phantom")
    assert phantom["listing_id"] == seeded["lid"]
    assert "no such record" in phantom["note"]
    matched = {(m["kind"], m["provider_id"]) for m in report["matched"]}
    assert ("cancellation", seeded["cancellation"]) in matched
    assert ("refund", "refund-pay-twice") in matched
    assert ("payment", seeded["ann"]) in matched
    [krw] = report["totals"]
    assert krw == {
        "currency": "KRW",
        "provider_in": DEPOSIT + P1 + P1 + P1 + (P1 - 1),  # deposit, ann, twice, lost, odd
        "provider_out": 30_000 + P1,  # the chargeback, our refund
        "ours_in": DEPOSIT + P1 + P1 + P1 + P1,  # deposit, ann, twice, phantom, odd
        "ours_out": 30_000 + P1,
    }
    assert report["truncated"] is False


def test_only_operators_read_it_and_the_day_is_a_past_date(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    today = d.clock.now().date()
    assert d.as_("seller", "GET", "/operator/reconciliation").status == 403
    d.users["op"] = ("operator",)
    for bad in ("2026-13-01", "yesterday", (today + timedelta(days=1)).isoformat()):
        r = d.as_("op", "GET", "/operator/reconciliation", query={"day": bad})
        assert r.status == 422, (bad, r.body)
        assert r.body["error"]["field"] == "day"
    empty = d.ok(d.as_("op", "GET", "/operator/reconciliation"))  # yesterday by default
    assert empty["day"] == (today - timedelta(days=1)).isoformat()
    assert empty["counts"] == dict.fromkeys(
        ("matched", "missing_here", "missing_there", "amount_differs"), 0
    )


def test_the_daily_job_counts_the_day_before_and_alerts_once(d: Driver) -> None:
    seeded_day(d)
    d.clock.advance(timedelta(days=1))
    for _ in range(2):  # a second run (a retry, a manual one) alerts and counts nothing more
        d.stack.run_schedules({"ReconcileFunction"})
    d.stack.deliver_events()
    alerts = [
        e["detail"]
        for fn, e in d.stack.invocations
        if fn == "NotifierFunction"
        and e.get("detail-type") == "OperatorAlert"
        and e["detail"].get("alert") == "ReconciliationMismatch"
    ]
    assert len(alerts) == 1
    assert alerts[0]["mismatches"] == 3
    assert d.telemetry.total(Metric.RECONCILIATION_MISMATCHES) == 3


def test_a_sale_with_its_payout_and_refunds_reconciles_clean(d: Driver) -> None:
    """Everything the provider did on a day of an ordinary sale is on our books, and back:
    payments, the deposit's refund, the payout."""
    lid = d.sold_out()
    complete_sale(d, lid)
    record = d.store.get_payout(f"payout-{lid}")
    assert record is not None
    d.ok(d.payout_paid(lid, record.amount))
    d.users["op"] = ("operator",)
    day = d.clock.now().date().isoformat()
    report = d.ok(d.as_("op", "GET", "/operator/reconciliation", query={"day": day}))
    assert report["mismatches"] == [], report["mismatches"]
    kinds = sorted(m["kind"] for m in report["matched"])
    assert kinds == ["payment", "payment", "payment", "payout", "refund"]


@pytest.mark.parametrize("d", [{"DepositRateBps": "0"}], indirect=True)
def test_a_stray_payment_and_its_refund_reconcile(d: Driver) -> None:
    """A payment naming nothing of ours is booked as stray and refunded: both sides agree."""
    d.psp.record_payment(
        payment_id="pay-stray", reference="gift:card-1", amount=7_000, currency="KRW"
    )
    raw, headers = payment_webhook(
        d.secret,
        reference="gift:card-1",
        amount=7_000,
        currency="KRW",
        now_epoch=int(d.clock.now().timestamp()),
        payment_id="pay-stray",
    )
    assert d.ok(d.stack.http("POST", "/webhooks/payments", raw=raw, headers=headers))
    d.users["op"] = ("operator",)
    day = d.clock.now().date().isoformat()
    report = d.ok(d.as_("op", "GET", "/operator/reconciliation", query={"day": day}))
    assert report["mismatches"] == []
    assert {(m["kind"], m["our_key"]) for m in report["matched"]} == {
        ("payment", "stray:pay-stray"),
        ("refund", "REFUND#refund-pay-stray"),
    }


def test_a_payment_taken_at_midnight_and_booked_the_next_day_matches_on_both(d: Driver) -> None:
    d.clock.current = datetime.combine(d.clock.now().date(), time(23, 59, 30), UTC)
    d.user("seller", "seller", payout=True)
    created = d.create_listing("seller")
    checkout = created["deposit"]["checkout"]["checkout_id"]
    reference = f"deposit:{created['listing']['listing_id']}"
    d.psp.record_payment(
        payment_id=f"pay_{checkout}", reference=reference, amount=DEPOSIT, currency="KRW"
    )
    taken = d.clock.now().date()
    d.clock.advance(timedelta(minutes=1))  # its webhook arrives after midnight
    assert d.ok(d.pay(checkout))["result"] == "listing_opened"
    d.users["op"] = ("operator",)
    for day in (taken, taken + timedelta(days=1)):
        query = {"day": day.isoformat()}
        report = d.ok(d.as_("op", "GET", "/operator/reconciliation", query=query))
        assert report["mismatches"] == [], (day, report["mismatches"])
        [line] = report["matched"]
        assert (line["kind"], line["provider_id"]) == ("payment", f"pay_{checkout}")
    assert line["note"] == f"the provider's record is of {taken.isoformat()}"
