"""Webhooks applied once whatever the delivery; forged, stale and malformed requests refused
with nothing written; every route refuses the wrong actor."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from tombola_dev.driver import Driver, complete_sale
from tombola_dev.sandbox import carrier_webhook, payment_webhook

from tombola.domain.signatures import SIGNATURE_HEADER, sign
from tombola.telemetry import Metric


def _table_items(d: Driver) -> int:
    return int(d.store.client.scan(TableName=d.store.table, Select="COUNT")["Count"])


def test_the_same_payment_webhook_three_times_is_applied_once(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller")
    d.user("ann", "buyer")
    entry = d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 3}), 201)
    chk = entry["checkout"]["checkout_id"]
    results = [d.ok(d.pay(chk, event_id="evt-1"))["result"] for _ in range(3)]
    assert results == ["tickets_issued", "duplicate", "duplicate"]
    assert d.listing(lid)["paid_tickets"] == 3
    st = d.conserved(lid)
    assert st.paid_in["first_payments"] == 3_000


def test_webhooks_out_of_order_are_applied_once(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller")
    d.user("ann", "buyer")
    entry = d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 2}), 201)
    chk = entry["checkout"]["checkout_id"]
    # The success arrives first, the failure of an earlier attempt later: tickets stand.
    d.ok(d.pay(chk, event_id="evt-ok"))
    d.ok(d.pay(chk, event_id="evt-fail", event_type="payment.failed"))
    assert d.listing(lid)["paid_tickets"] == 2
    # The other way round: a failure releases the hold, a later success is still honoured.
    entry2 = d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 1}), 201)
    chk2 = entry2["checkout"]["checkout_id"]
    d.ok(d.pay(chk2, event_id="evt-fail-2", event_type="payment.failed"))
    assert d.ok(d.pay(chk2, event_id="evt-ok-2"))["result"] == "tickets_issued"
    assert d.listing(lid)["paid_tickets"] == 3
    d.conserved(lid)


def test_delivery_before_shipment_is_refused_and_a_repeat_is_applied_once(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1)
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid)
    d.wait_status(lid, "final_buyer")
    assert d.deliver(lid, f"T-{lid}").status == 400  # nothing shipped yet
    complete_sale(d, lid)
    assert d.deliver(lid, f"T-{lid}", event_id="again").status == 200
    assert len(d.record(lid).tracking_events) == 2
    d.conserved(lid)


@pytest.mark.parametrize(
    "problem", ["bad signature", "stale timestamp", "no signature", "non-ASCII signature"]
)
def test_forged_or_stale_webhooks_get_401_and_write_nothing(d: Driver, problem: str) -> None:
    d.user("seller", "seller", payout=True)
    created = d.create_listing("seller")
    lid = created["listing"]["listing_id"]
    chk = d.psp.checkout(created["deposit"]["checkout"]["checkout_id"])
    assert chk is not None
    now = int(d.clock.now().timestamp())
    raw, headers = payment_webhook(
        d.secret, reference=chk["reference"], amount=chk["amount"], currency="KRW", now_epoch=now
    )
    if problem == "bad signature":
        headers = {SIGNATURE_HEADER: sign("not-the-secret-at-all", raw, now)}
    elif problem == "stale timestamp":
        old = now - 301
        raw, headers = payment_webhook(
            d.secret,
            reference=chk["reference"],
            amount=chk["amount"],
            currency="KRW",
            now_epoch=old,
        )
    elif problem == "non-ASCII signature":  # was a 500 (hmac.compare_digest refuses it)
        headers = {SIGNATURE_HEADER: f"t={now},v1=" + "\u00e9" * 64}
    else:
        headers = {}
    before = _table_items(d)
    r = d.stack.http("POST", "/webhooks/payments", raw=raw, headers=headers)
    assert r.status == 401, r
    assert r.body["error"]["code"] == "bad_signature"
    assert d.telemetry.total(Metric.WEBHOOK_REJECTS, Source="payments") == 1
    assert _table_items(d) == before
    assert d.record(lid).status.value == "awaiting_deposit"
    assert d.stack.http("GET", f"/listings/{lid}").status == 404  # unpublished until paid


@pytest.mark.parametrize(
    "signature",
    ["t={now},v1=" + "\u00e9" * 64, "t={now},v1=\u0661\u0662", "t=\u0661\u0662,v1=ab"],
    ids=["non-ASCII hex", "Arabic-Indic digits", "non-ASCII timestamp"],
)
def test_a_carrier_webhook_with_a_non_ascii_signature_gets_401_and_is_counted(
    d: Driver, signature: str
) -> None:
    lid = d.sold_out()
    d.ok(
        d.as_(
            "seller", "POST", f"/listings/{lid}/shipment", {"carrier": "CJ", "tracking_number": "T"}
        )
    )
    now = int(d.clock.now().timestamp())
    raw, _ = carrier_webhook(d.carrier_secret, listing_id=lid, tracking_number="T", now_epoch=now)
    before = _table_items(d)
    headers = {SIGNATURE_HEADER: signature.format(now=now)}
    r = d.stack.http("POST", "/webhooks/delivery", raw=raw, headers=headers)
    assert r.status == 401, r
    assert r.body["error"]["code"] == "bad_signature"
    assert d.telemetry.total(Metric.WEBHOOK_REJECTS, Source="delivery") == 1
    assert _table_items(d) == before
    assert d.record(lid).status.value == "shipped"


def test_malformed_and_extra_fields_get_a_4xx_naming_the_field(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    bad_price = d.as_(
        "seller",
        "POST",
        "/listings",
        {"title": "x", "price": 1.5, "expected_entrants": 10, "closes_at": "2030-01-01T00:00:00Z"},
    )
    assert bad_price.status == 422
    assert bad_price.body["error"]["field"] == "body.price"
    extra = d.as_(
        "seller",
        "POST",
        "/listings",
        {
            "title": "x",
            "price": 100,
            "expected_entrants": 10,
            "closes_at": "2030-01-01T00:00:00Z",
            "discount": 5,
        },
    )
    assert extra.status == 422
    assert extra.body["error"]["field"] == "body.discount"
    both = d.as_(
        "seller",
        "POST",
        "/listings",
        {
            "title": "x",
            "price": 100,
            "expected_entrants": 10,
            "first_payment": 10,
            "closes_at": "2030-01-01T00:00:00Z",
        },
    )
    assert both.status == 422
    assert "exactly one" in both.body["error"]["message"]
    past = d.as_(
        "seller",
        "POST",
        "/listings",
        {"title": "x", "price": 100, "expected_entrants": 10, "closes_at": "2020-01-01T00:00:00Z"},
    )
    assert past.status == 422
    assert past.body["error"]["field"] == "closes_at"
    not_json = d.stack.http("PUT", "/me/profile", raw=b"{not json", claims={"sub": "seller"})
    assert 400 <= not_json.status < 500
    assert "error" in not_json.body
    # A webhook with a valid signature but an unknown field.
    now = int(d.clock.now().timestamp())
    body = json.dumps(
        {
            "id": "e1",
            "type": "payment.succeeded",
            "created": now,
            "data": {"payment_id": "p", "reference": "deposit:x", "amount": 1, "currency": "KRW"},
            "extra": 1,
        }
    ).encode()
    r = d.stack.http(
        "POST",
        "/webhooks/payments",
        raw=body,
        headers={SIGNATURE_HEADER: sign(d.secret, body, now)},
    )
    assert r.status == 422
    assert r.body["error"]["field"] == "extra"
    assert d.ok(d.stack.http("GET", "/listings"))["listings"] == []


def test_every_route_refuses_the_wrong_actor_and_writes_nothing(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    d.user("other_seller", "seller", payout=True)
    d.user("op", "operator")
    lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1)
    for b in ("ann", "bob", "eve"):
        d.user(b, "buyer")
    d.buy("ann", lid)
    d.buy("bob", lid)
    d.wait_status(lid, "final_buyer")
    winner = d.record(lid).final_buyer
    loser = "bob" if winner == "ann" else "ann"
    before = _table_items(d)
    checks = [
        (
            "ann",
            "POST",
            "/listings",
            {
                "title": "x",
                "price": 100,
                "expected_entrants": 10,
                "closes_at": "2030-01-01T00:00:00Z",
            },
            403,
        ),
        (
            "other_seller",
            "POST",
            f"/listings/{lid}/shipment",
            {"carrier": "c", "tracking_number": "t"},
            403,
        ),
        ("other_seller", "GET", f"/listings/{lid}/final-buyer", None, 403),
        (winner, "GET", f"/listings/{lid}/final-buyer", None, 403),
        ("eve", "GET", f"/listings/{lid}/statement", None, 403),
        (loser, "POST", f"/listings/{lid}/confirm", None, 404),
        ("seller", "POST", f"/listings/{lid}/confirm", None, 403),  # not a buyer
        (loser, "POST", f"/listings/{lid}/dispute", {"reason": "x"}, 404),
        ("eve", "POST", f"/listings/{lid}/second-payment", None, 404),
        ("eve", "POST", f"/listings/{lid}/forfeit", None, 404),
        ("seller", "POST", f"/listings/{lid}/dispute/resolution", {"decision": "refund"}, 403),
        ("seller", "POST", f"/listings/{lid}/entries", {"tickets": 1}, 403),
    ]
    for user, method, path, body, status in checks:
        r = d.as_(user, method, path, body)
        assert r.status == status, (user, method, path, r)
        assert "error" in r.body
    assert d.stack.http("GET", "/me/entries").status == 401
    assert _table_items(d) == before
    # The seller sees the final buyer's name and address, nothing about the others.
    seen = d.ok(d.as_("seller", "GET", f"/listings/{lid}/final-buyer"))
    assert seen["name"] == f"Name {winner}"
    assert loser not in json.dumps(seen)
    assert d.ok(d.as_("op", "GET", f"/listings/{lid}/statement"))["balanced"] is True
    complete_sale(d, lid)
    d.conserved(lid)


def test_a_late_second_payment_is_refunded_and_there_is_one_final_buyer(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    # Every candidate gets this deadline in real seconds (the state machine's timer): the first
    # lets it pass; the second must pay within it, even on a loaded machine.
    lid = d.open_listing("seller", ticket_limit=10, deadlines={"second_payment": 4})
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid, tickets=2)
    d.close_window(lid)
    d.wait_status(lid, "awaiting_second_payment")
    first = d.record(lid).candidate
    late = d.ok(d.as_(first, "POST", f"/listings/{lid}/second-payment"))
    second, paid = d.redrawn_pays(lid, first)
    assert paid["result"] == "final_buyer"
    assert d.record(lid).final_buyer == second
    # The first candidate pays after their deadline: refunded at once.
    assert d.ok(d.pay(late["checkout"]["checkout_id"]))["result"] == "refunded"
    complete_sale(d, lid)
    st = d.conserved(lid)
    assert st.paid_in["unaccepted_payments"] == late["amount"]
    assert st.paid_out["seller_payout"] == 1_000_000


def test_ticket_after_close_is_rejected_and_a_late_hold_payment_on_a_full_listing_refunded(
    d: Driver,
) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1)
    for b in ("ann", "bob", "cat"):
        d.user(b, "buyer")
    held = d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 1}), 201)
    d.clock.current += timedelta(minutes=11)  # ann's hold expires unpaid
    d.buy("bob", lid)
    d.buy("cat", lid)  # full: closes
    assert d.ok(d.pay(held["checkout"]["checkout_id"]))["result"] == "refunded"
    r = d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 1})
    assert r.status == 409
    assert r.body["error"]["code"] == "listing_not_open"
    complete_sale(d, lid)
    st = d.conserved(lid)
    assert st.paid_in["unaccepted_payments"] == 500_000
    assert [e["status"] for e in d.ok(d.as_("ann", "GET", "/me/entries"))["entries"]] == [
        "refunded"
    ]


def test_a_seller_cannot_enter_their_own_draw_and_a_lapsed_hold_shows_expired(d: Driver) -> None:
    d.user("both", "seller", "buyer", payout=True)
    lid = d.open_listing("both")
    r = d.as_("both", "POST", f"/listings/{lid}/entries", {"tickets": 1})
    assert r.status == 403, r
    d.user("ann", "buyer")
    d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 2}), 201)
    assert [e["status"] for e in d.ok(d.as_("ann", "GET", "/me/entries"))["entries"]] == ["pending"]
    d.clock.current += timedelta(minutes=10)
    assert [e["status"] for e in d.ok(d.as_("ann", "GET", "/me/entries"))["entries"]] == ["expired"]
    d.conserved(lid)
