"""PortOne V2 behind the payment port, against its recorded exchanges (tests/fixtures/portone/)
served by a stateful fake through pytest-httpx: pre-registration, webhook verification with the
SDK, the payment read back, refunds by cancellation exactly once, PortOne erring or timing out;
then a whole sale with PaymentProvider=portone through the stack, payout confirmed by the
operator, money conserved."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import boto3
import httpx
import pytest
from aws_lambda_powertools.utilities import parameters
from pytest_httpx import HTTPXMock
from tombola_dev.driver import Driver

from tests.support.portone_fake import FakePortOne
from tombola.adapters import portone as portone_adapter
from tombola.adapters.portone import (
    AskedFor,
    PortOneCredentials,
    PortOnePaymentProvider,
    RefundAccountMissing,
)
from tombola.domain.errors import ProviderUnavailable
from tombola.domain.money import Money
from tombola.domain.signatures import BadSignature
from tombola.state.records import ProfileRecord
from tombola.telemetry import Metric

LATER = datetime(2030, 1, 1, tzinfo=UTC)


@dataclass
class MemoryBook:
    asked: dict[str, AskedFor] = field(default_factory=dict)

    def put(self, asked: AskedFor) -> None:
        self.asked[asked.checkout_id] = asked

    def get(self, checkout_id: str) -> AskedFor | None:
        return self.asked.get(checkout_id)


@pytest.fixture
def fake(httpx_mock: HTTPXMock) -> FakePortOne:
    portone = FakePortOne()
    httpx_mock.add_callback(portone.handle, is_reusable=True, is_optional=True)
    return portone


def provider(fake: FakePortOne, book: MemoryBook | None = None) -> PortOnePaymentProvider:
    credentials = PortOneCredentials(fake.api_secret, fake.webhook_secret, fake.store_id)
    return PortOnePaymentProvider(credentials, book or MemoryBook(), "https://tombola.example/pay")


def test_a_checkout_is_pre_registered_with_its_amount_before_anyone_pays(fake: FakePortOne) -> None:
    book = MemoryBook()
    checkout = provider(fake, book).create_checkout(
        reference="entry:L1:E1:ann", payer_id="ann", amount=Money(3_000, "KRW"), expires_at=LATER
    )
    assert fake.preregistered[checkout.checkout_id] == (3_000, "KRW")
    method, path, body = fake.requests[-1]
    assert (method, path) == ("POST", f"/payments/{checkout.checkout_id}/pre-register")
    assert body == {"storeId": fake.store_id, "totalAmount": 3_000, "currency": "KRW"}
    assert checkout.url == f"https://tombola.example/pay?paymentId={checkout.checkout_id}"
    assert book.get(checkout.checkout_id) == AskedFor(
        checkout.checkout_id, "entry:L1:E1:ann", "ann", 3_000, "KRW"
    )


@pytest.mark.parametrize(
    "failure",
    [
        (502, "PG_PROVIDER"),
        (401, "UNAUTHORIZED"),
        (httpx.ReadTimeout("PortOne took too long"), None),
    ],
    ids=["provider error", "refused credentials", "timeout"],
)
def test_portone_erring_or_timing_out_is_a_clear_retryable_refusal(
    fake: FakePortOne, failure: tuple[Any, str | None]
) -> None:
    fake.failures.append(("pre-register", failure[0], failure[1]))
    with pytest.raises(ProviderUnavailable, match="could not pre-register"):
        provider(fake).create_checkout(
            reference="deposit:L1", payer_id="sam", amount=Money(500, "KRW"), expires_at=LATER
        )


def _checkout(fake: FakePortOne, p: PortOnePaymentProvider, amount: int = 1_000) -> str:
    return p.create_checkout(
        reference="entry:L1:E1:ann", payer_id="ann", amount=Money(amount, "KRW"), expires_at=LATER
    ).checkout_id


def test_a_webhook_is_verified_then_the_payment_read_back_from_portone(fake: FakePortOne) -> None:
    p = provider(fake)
    cid = _checkout(fake, p)
    body, headers = fake.pay(cid)
    event = p.verified_event(body, headers)
    assert event is not None
    assert (event.type, event.data.payment_id, event.data.reference) == (
        "payment.succeeded",
        cid,
        "entry:L1:E1:ann",
    )
    assert (event.data.amount, event.data.currency) == (1_000, "KRW")
    assert ("GET", f"/payments/{cid}", None) in fake.requests  # never the webhook's word


def test_the_amount_comes_from_portone_not_from_what_we_asked(fake: FakePortOne) -> None:
    p = provider(fake)
    cid = _checkout(fake, p)
    body, headers = fake.pay(cid, amount=700)  # PortOne's record says 700 was paid
    event = p.verified_event(body, headers)
    assert event is not None
    assert event.data.amount == 700  # the domain compares it with what is due, and refunds it


def test_a_declined_payment_is_a_failure_event(fake: FakePortOne) -> None:
    p = provider(fake)
    cid = _checkout(fake, p)
    event = p.verified_event(*fake.decline(cid))
    assert event is not None
    assert event.type == "payment.failed"


@pytest.mark.parametrize("forgery", ["wrong secret", "stale", "future", "body changed", "unsigned"])
def test_a_forged_or_stale_webhook_is_refused(fake: FakePortOne, forgery: str) -> None:
    p = provider(fake)
    cid = _checkout(fake, p)
    fake.pay(cid)
    now = int(time.time())
    if forgery == "wrong secret":
        body, headers = fake.webhook("Transaction.Paid", cid, secret=FakePortOne().webhook_secret)
    elif forgery == "stale":
        body, headers = fake.webhook("Transaction.Paid", cid, at=now - 600)
    elif forgery == "future":
        body, headers = fake.webhook("Transaction.Paid", cid, at=now + 600)
    else:
        body, headers = fake.webhook("Transaction.Paid", cid)
        if forgery == "body changed":
            body = body.replace(b"Transaction.Paid", b"Transaction.Fail")
        else:
            headers.pop("webhook-signature")
    reads_before = len(fake.requests)
    with pytest.raises(BadSignature):
        p.verified_event(body, headers)
    assert len(fake.requests) == reads_before  # nothing is read for a forged event


def test_a_refund_cancels_once_whatever_retries_or_races_happen(fake: FakePortOne) -> None:
    p = provider(fake)
    cid = _checkout(fake, p, amount=1_000)
    fake.pay(cid)
    p.refund(refund_id="R-ann-1", payment_id=cid, amount=Money(1_000, "KRW"), reason="not drawn")
    p.refund(refund_id="R-ann-1", payment_id=cid, amount=Money(1_000, "KRW"), reason="not drawn")
    assert [c["reason"] for c in fake.cancels(cid)] == ["not drawn [R-ann-1]"]
    cancel = next(b for m, path, b in fake.requests if path.endswith("/cancel"))
    assert cancel["currentCancellableAmount"] == 1_000  # a concurrent cancel cannot double it


def test_a_refund_whose_answer_was_lost_is_not_sent_again(fake: FakePortOne) -> None:
    p = provider(fake)
    cid = _checkout(fake, p, amount=2_000)
    fake.pay(cid)
    # PortOne cancelled, but the answer never reached us: the outbox retries the refund.
    fake.handle(
        httpx.Request(
            "POST",
            f"https://api.portone.io/payments/{cid}/cancel",
            headers={"authorization": f"PortOne {fake.api_secret}"},
            json={"reason": "unsold [R-1]", "amount": 2_000, "storeId": fake.store_id},
        )
    )
    p.refund(refund_id="R-1", payment_id=cid, amount=Money(2_000, "KRW"), reason="unsold")
    assert len(fake.cancels(cid)) == 1


def test_partial_refunds_of_one_payment_each_happen_once(fake: FakePortOne) -> None:
    p = provider(fake)
    cid = _checkout(fake, p, amount=3_000)
    fake.pay(cid)
    for refund_id in ("R-a", "R-b", "R-a"):
        p.refund(refund_id=refund_id, payment_id=cid, amount=Money(1_000, "KRW"), reason="part")
    assert [c["totalAmount"] for c in fake.cancels(cid)] == [1_000, 1_000]
    assert fake.payments[cid]["status"] == "PARTIAL_CANCELLED"


def test_a_refund_portone_cannot_make_now_is_left_for_the_outbox(fake: FakePortOne) -> None:
    p = provider(fake)
    cid = _checkout(fake, p)
    fake.pay(cid)
    fake.failures.append(("/cancel", httpx.ConnectTimeout("no route"), None))
    with pytest.raises(ProviderUnavailable):
        p.refund(refund_id="R-1", payment_id=cid, amount=Money(1_000, "KRW"), reason="x")
    p.refund(refund_id="R-1", payment_id=cid, amount=Money(1_000, "KRW"), reason="x")
    assert len(fake.cancels(cid)) == 1


# ------------------------------------------------------------------ through the whole stack


@pytest.fixture
def portone_stack(d: Driver, fake: FakePortOne) -> FakePortOne:
    """The stack as deployed with PaymentProvider=portone: the secret filled as the operator
    fills it after deploying."""
    arn = d.stack.refs["PortOneSecret"]
    boto3.client("secretsmanager").put_secret_value(
        SecretId=arn,
        SecretString=json.dumps(
            {
                "api_secret": fake.api_secret,
                "webhook_secret": fake.webhook_secret,
                "store_id": fake.store_id,
            }
        ),
    )
    return fake


def _pay(d: Driver, fake: FakePortOne, checkout: dict[str, Any], amount: int | None = None) -> Any:
    body, headers = fake.pay(checkout["checkout_id"], amount)
    return d.ok(d.stack.http("POST", "/webhooks/payments", raw=body, headers=headers))


PORTONE = {"PaymentProvider": "portone", "CheckoutPageUrl": "https://tombola.example/pay"}


@pytest.mark.parametrize("d", [PORTONE], indirect=True)
def test_a_whole_sale_through_portone(d: Driver, portone_stack: FakePortOne) -> None:
    fake = portone_stack
    d.user("sam", "seller", payout=True)
    for b in ("ann", "bob", "cat"):
        d.user(b, "buyer")
    created = d.create_listing("sam", price=9_000, expected_entrants=3, ticket_limit=1)
    lid = created["listing"]["listing_id"]
    deposit = created["deposit"]["checkout"]
    assert deposit["url"].endswith(f"?paymentId={deposit['checkout_id']}")
    assert _pay(d, fake, deposit)["result"] == "listing_opened"
    entries = {}
    for b in ("ann", "bob", "cat"):
        entry = d.ok(d.as_(b, "POST", f"/listings/{lid}/entries", {"tickets": 1}), 201)
        entries[b] = entry["checkout"]
        assert fake.preregistered[entry["checkout"]["checkout_id"]] == (3_000, "KRW")
    assert _pay(d, fake, entries["ann"])["result"] == "tickets_issued"
    assert _pay(d, fake, entries["bob"])["result"] == "tickets_issued"
    # cat's payment: PortOne's record shows another amount than asked: refunded, not accepted
    assert _pay(d, fake, entries["cat"], amount=4_000)["result"] == "refunded"
    assert [c["totalAmount"] for c in fake.cancels(entries["cat"]["checkout_id"])] == [4_000]
    d.close_window(lid)
    d.wait_status(lid, "awaiting_second_payment")
    d.stack.wait_for(lambda: d.record(lid).candidate is not None, 10, "a candidate")
    candidate = d.record(lid).candidate
    second = d.ok(d.as_(candidate, "POST", f"/listings/{lid}/second-payment"))
    assert second["amount"] == 3_000  # Pp - 2 x P1
    assert _pay(d, fake, second["checkout"])["result"] == "final_buyer"
    d.wait_status(lid, "final_buyer")
    d.stack.wait_for(lambda: "shipment" in d.record(lid).waits, 10, "the shipment wait")
    shipment = {"carrier": "CJ", "tracking_number": "1"}
    d.ok(d.as_("sam", "POST", f"/listings/{lid}/shipment", shipment))
    d.ok(d.as_(candidate, "POST", f"/listings/{lid}/confirm"))
    d.wait_status(lid, "settled")
    # the deposit went back to the seller by cancellation, once
    assert len(fake.cancels(deposit["checkout_id"])) == 1
    # the payout waits in the operator's queue; the journal has no payout until it is confirmed
    d.user("op", "operator")
    queue = d.ok(d.as_("op", "GET", "/operator/payouts"))["payouts"]
    mine = [q for q in queue if q["listing_id"] == lid]
    assert len(mine) == 1
    assert mine[0]["status"] == "issued"
    before = d.conserved(lid)
    assert before.paid_out.get("payout", 0) == 0
    payout_id = mine[0]["payout_id"]
    path = f"/operator/payouts/{payout_id}/paid"
    transfer = {"transfer_reference": "KB-20261129-001"}
    assert d.ok(d.as_("op", "POST", path, transfer))["status"] == "paid"
    assert (
        d.ok(d.as_("op", "POST", path, {"transfer_reference": "KB-20261129-001"}))["status"]
        == "paid"
    )
    assert d.ok(d.as_("op", "GET", "/operator/payouts"))["payouts"] == []
    after = d.conserved(lid)
    assert after.held_in_escrow == 0
    assert sum(after.paid_out.values()) == after.total_in
    assert d.as_("sam", "POST", path, {"transfer_reference": "x"}).status == 403


@pytest.mark.parametrize("d", [PORTONE | {"DepositRateBps": "0"}], indirect=True)
def test_before_the_secret_is_filled_nothing_is_held_and_the_answer_is_a_clear_503(
    d: Driver, fake: FakePortOne
) -> None:
    d.user("sam", "seller", payout=True)
    d.user("ann", "buyer")
    lid = d.open_listing("sam", price=9_000, expected_entrants=3, ticket_limit=3)
    refused = d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 3})
    assert refused.status == 503
    assert refused.body["error"]["code"] == "provider_unavailable"
    assert d.holds(lid) == []  # the hold nobody could pay was withdrawn at once
    assert fake.requests == []
    parameters.clear_caches()  # type: ignore[no-untyped-call]  # as a new container would
    secret = {"api_secret": fake.api_secret, "webhook_secret": fake.webhook_secret}
    boto3.client("secretsmanager").put_secret_value(
        SecretId=d.stack.refs["PortOneSecret"],
        SecretString=json.dumps(secret | {"store_id": fake.store_id}),
    )
    entry = d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 3}), 201)
    assert fake.preregistered[entry["checkout"]["checkout_id"]] == (9_000, "KRW")


@pytest.mark.parametrize("d", [PORTONE], indirect=True)
def test_a_forged_portone_webhook_is_refused_counted_and_reads_nothing(
    d: Driver, portone_stack: FakePortOne
) -> None:
    fake = portone_stack
    body, headers = fake.webhook("Transaction.Paid", "chk_x", secret=FakePortOne().webhook_secret)
    refused = d.stack.http("POST", "/webhooks/payments", raw=body, headers=headers)
    assert refused.status == 401
    assert refused.body["error"]["code"] == "bad_signature"
    assert d.telemetry.total(Metric.WEBHOOK_REJECTS, Source="payments") == 1
    assert fake.requests == []
    # a signed event about a payment we never asked for is read back, then cancelled once
    body, headers = fake.webhook("Transaction.Paid", "chk_unknown")
    fake.preregistered["chk_unknown"] = (1_000, "KRW")
    fake.pay("chk_unknown")
    for _ in range(2):
        unknown = d.stack.http("POST", "/webhooks/payments", raw=body, headers=headers)
        assert unknown.status == 200, unknown.body
    d.stack.deliver_events()
    assert [c["totalAmount"] for c in fake.cancels("chk_unknown")] == [1_000]


# ------------------------------------------------------------------ PortOne's own cancellations


def _paid(
    fake: FakePortOne,
    p: PortOnePaymentProvider,
    amount: int = 1_000,
    reference: str = "entry:L1:E1:ann",
) -> str:
    cid = p.create_checkout(
        reference=reference, payer_id="ann", amount=Money(amount, "KRW"), expires_at=LATER
    ).checkout_id
    fake.pay(cid)
    return cid


@pytest.mark.parametrize(("given_back", "kind"), [(None, "whole"), (400, "partial")])
def test_a_chargeback_is_read_back_and_reported_as_a_cancellation(
    fake: FakePortOne, given_back: int | None, kind: str
) -> None:
    p = provider(fake)
    cid = _paid(fake, p)
    cancellation, (body, headers) = fake.charge_back(cid, given_back)
    assert json.loads(body)["type"] == (
        "Transaction.Cancelled" if kind == "whole" else "Transaction.PartialCancelled"
    )
    event = p.verified_event(body, headers)
    assert event is not None
    assert event.type == "payment.cancelled"
    assert event.data.cancellation_id == cancellation["id"]
    assert (event.data.amount, event.data.currency) == (given_back or 1_000, "KRW")
    assert event.data.refund_id is None  # not ours
    assert event.data.reason == "카드사 차지백 (CHARGEBACK)"
    assert event.data.reference == "entry:L1:E1:ann"
    assert ("GET", f"/payments/{cid}", None) in fake.requests  # PortOne's record, not the body's


def test_our_own_refund_reported_back_carries_our_refund_id(fake: FakePortOne) -> None:
    p = provider(fake)
    cid = _paid(fake, p)
    assert (
        p.refund(
            refund_id=f"refund-{cid}", payment_id=cid, amount=Money(1_000, "KRW"), reason="unsold"
        )
        == 1_000
    )
    [ours] = fake.cancels(cid)
    event = p.verified_event(*fake.cancelled_webhook(cid, ours["id"]))
    assert event is not None
    assert (event.type, event.data.refund_id) == ("payment.cancelled", f"refund-{cid}")


def test_a_late_paid_webhook_of_a_payment_given_back_since_is_still_the_payment(
    fake: FakePortOne,
) -> None:
    """Its cancellation is reported on its own; the payment itself must still be booked."""
    p = provider(fake)
    cid = _paid(fake, p)
    fake.charge_back(cid)
    event = p.verified_event(*fake.webhook("Transaction.Paid", cid))
    assert event is not None
    assert (event.type, event.data.amount) == ("payment.succeeded", 1_000)


def test_a_dispute_is_reported_and_moves_nothing(fake: FakePortOne) -> None:
    p = provider(fake)
    cid = _paid(fake, p)
    event = p.verified_event(*fake.webhook("Transaction.DisputeCreated", cid))
    assert event is not None
    assert event.type == "payment.disputed"


@pytest.mark.parametrize(("given_back", "refunded"), [(None, 0), (300, 700)])
def test_a_refund_after_portone_gave_money_back_asks_only_for_what_is_left(
    fake: FakePortOne, given_back: int | None, refunded: int
) -> None:
    """Before: it asked for the whole payment, PortOne refused (already cancelled, or more than
    the cancellable amount), and the outbox retried it for ever."""
    p = provider(fake)
    cid = _paid(fake, p)
    fake.charge_back(cid, given_back)
    for _ in range(2):  # a retry answers the same, and cancels nothing more
        done = p.refund(refund_id="R-1", payment_id=cid, amount=Money(1_000, "KRW"), reason="x")
        assert done == refunded
    ours = [c for c in fake.cancels(cid) if "[R-1]" in c["reason"]]
    assert [c["totalAmount"] for c in ours] == ([refunded] if refunded else [])
    assert fake.payments[cid]["amount"]["cancelled"] == 1_000
    cancels = [b for m, path, b in fake.requests if path.endswith("/cancel")]
    assert all(b["amount"] <= b["currentCancellableAmount"] for b in cancels)


def test_a_days_payment_events_are_read_by_cursor_page_by_page(
    fake: FakePortOne, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(portone_adapter, "EVENTS_PAGE", 2)
    book = MemoryBook()
    p = provider(fake, book)
    fake.now = datetime(2026, 11, 28, 23, 59, tzinfo=UTC)
    _paid(fake, p, amount=500, reference="entry:L9:E0:ann")  # the day before: not in it
    fake.now = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    a = p.create_checkout(
        reference="deposit:L9", payer_id="sam", amount=Money(2_000, "KRW"), expires_at=LATER
    ).checkout_id
    fake.pay(a)
    b = _paid(fake, p, amount=1_000, reference="entry:L9:E1:bob")
    fake.charge_back(b, 250)
    p.refund(refund_id=f"refund-{a}", payment_id=a, amount=Money(2_000, "KRW"), reason="unsold")
    records, cursor, pages = [], None, 0
    while True:
        page, cursor = p.records_of_day(date(2026, 11, 29), cursor)
        records.extend(page)
        pages += 1
        if cursor is None:
            break
    assert pages >= 2
    got = [(r.kind, r.payment_id, r.amount, r.refund_id) for r in records]
    assert got == [
        ("payment", a, 2_000, None),
        ("payment", b, 1_000, None),
        ("cancellation", b, 250, None),
        ("cancellation", a, 2_000, f"refund-{a}"),
    ]
    assert records[0].reference == "deposit:L9"
    assert all(r.at.date() == date(2026, 11, 29) for r in records)
    # one record by its id, whatever its day
    found = p.find_record("cancellation", "", payment_id=a, refund_id=f"refund-{a}")
    assert found is not None
    assert found.amount == 2_000
    assert p.find_record("payment", b) is not None
    assert p.find_record("payment", "chk_never") is None


@pytest.mark.parametrize("d", [PORTONE], indirect=True)
def test_a_chargeback_through_portone_reaches_the_ledger_once_and_reconciles(
    d: Driver, portone_stack: FakePortOne
) -> None:
    fake = portone_stack
    fake.now = d.clock.now()  # PortOne's records and ours on the same day
    d.user("sam", "seller", payout=True)
    d.user("ann", "buyer")
    created = d.create_listing("sam", price=9_000, expected_entrants=3, ticket_limit=1)
    lid = created["listing"]["listing_id"]
    assert _pay(d, fake, created["deposit"]["checkout"])["result"] == "listing_opened"
    entry = d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 1}), 201)
    assert _pay(d, fake, entry["checkout"])["result"] == "tickets_issued"
    cid = entry["checkout"]["checkout_id"]
    cancellation, (body, headers) = fake.charge_back(cid)
    for expected in ("cancellation_recorded", "duplicate"):
        r = d.ok(d.stack.http("POST", "/webhooks/payments", raw=body, headers=headers))
        assert r["result"] == expected
    keys = [e.key for e in d.store.journal_of_listing(lid)]
    assert f"provider-cancel:{cancellation['id']}" in keys
    st = d.conserved(lid)
    assert st.paid_out == {"provider_cancelled": 3_000}
    d.users["op"] = ("operator",)
    day = d.clock.now().date().isoformat()
    report = d.ok(d.as_("op", "GET", "/operator/reconciliation", query={"day": day}))
    assert report["provider"] == "portone"
    assert report["mismatches"] == []
    matched = sorted((m["kind"], m["provider_id"]) for m in report["matched"])
    deposit = created["deposit"]["checkout"]["checkout_id"]
    assert matched == sorted(
        [("payment", deposit), ("payment", cid), ("cancellation", cancellation["id"])]
    )


def _payer(refund_account: dict[str, str] | None) -> Callable[[str], ProfileRecord | None]:
    profile = ProfileRecord(
        user_id="ann",
        name="김민지",
        email="ann@example.com",
        phone="+821012345678",
        address="Seoul",
        refund_account=refund_account,  # type: ignore[arg-type]
    )
    return lambda payer_id: profile if payer_id == "ann" else None


def test_a_virtual_account_payment_is_refunded_to_the_account_its_payer_gave(
    fake: FakePortOne,
) -> None:
    """Row 4: a virtual-account payment has no card to go back to; PortOne refuses its refund
    without a refund account, which we never sent, so it failed for ever."""
    account = {"bank": "KOOKMIN", "number": "12345678901234", "holder_name": "김민지"}
    credentials = PortOneCredentials(fake.api_secret, fake.webhook_secret, fake.store_id)
    book = MemoryBook()
    p = PortOnePaymentProvider(credentials, book, "https://tombola.example/pay", _payer(account))
    cid = _checkout(fake, p, amount=1_000)
    fake.pay(cid, virtual_account=True)
    assert p.refund(refund_id="R1", payment_id=cid, amount=Money(1_000, "KRW"), reason="unsold")
    cancel = next(b for _, path, b in fake.requests if path.endswith("/cancel"))
    assert cancel["refundAccount"] == {
        "bank": "KOOKMIN",
        "number": "12345678901234",
        "holderName": "김민지",
        "holderPhoneNumber": "+821012345678",
    }
    card = _checkout(fake, p, amount=1_000)  # a card payment goes back to the card
    fake.pay(card)
    p.refund(refund_id="R2", payment_id=card, amount=Money(1_000, "KRW"), reason="unsold")
    last = [b for _, path, b in fake.requests if path.endswith("/cancel")][-1]
    assert "refundAccount" not in last


def test_without_a_refund_account_the_refund_waits_with_a_reason_the_operator_can_act_on(
    fake: FakePortOne,
) -> None:
    credentials = PortOneCredentials(fake.api_secret, fake.webhook_secret, fake.store_id)
    page = "https://tombola.example/pay"
    p = PortOnePaymentProvider(credentials, MemoryBook(), page, _payer(None))
    cid = _checkout(fake, p, amount=1_000)
    fake.pay(cid, virtual_account=True)
    with pytest.raises(RefundAccountMissing, match="no refund account"):
        p.refund(refund_id="R1", payment_id=cid, amount=Money(1_000, "KRW"), reason="unsold")
    assert not [path for _, path, _ in fake.requests if path.endswith("/cancel")]
