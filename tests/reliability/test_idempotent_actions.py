"""Client actions are safely retryable: a repeated ship / confirm / forfeit / dispute / resolution
answers 2xx with the same result and moves nothing; POST /listings and POST .../entries honour an
Idempotency-Key (same key and body → the same response, one listing or hold; other body → 422)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tombola_dev.driver import Driver


def _items(d: Driver) -> int:
    return int(d.store.client.scan(TableName=d.store.table, Select="COUNT")["Count"])


def _listing_body(d: Driver, **fields: Any) -> dict[str, Any]:
    return {
        "title": "Camera",
        "price": 1_000_000,
        "expected_entrants": 1_000,
        "closes_at": (d.clock.now() + timedelta(hours=1)).isoformat(),
    } | fields


def test_a_retried_create_listing_with_the_same_key_creates_one_listing(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    key = {"Idempotency-Key": "create-camera-1"}
    body = _listing_body(d)
    first = d.as_("seller", "POST", "/listings", body, headers=key)
    assert first.status == 201, first
    before = _items(d)
    again = d.as_("seller", "POST", "/listings", body, headers=key)
    assert again.status == 201
    assert again.body == first.body
    assert _items(d) == before
    other = d.as_("seller", "POST", "/listings", _listing_body(d, price=2_000_000), headers=key)
    assert other.status == 422, other
    assert other.body["error"]["field"] == "Idempotency-Key"
    # Without a key each request is its own listing; another seller's key is their own.
    d.user("sally", "seller", payout=True)
    theirs = d.as_("sally", "POST", "/listings", body, headers=key)
    assert theirs.status == 201
    assert theirs.body["listing"]["listing_id"] != first.body["listing"]["listing_id"]
    bad = d.as_("seller", "POST", "/listings", body, headers={"Idempotency-Key": "bad key!"})
    assert bad.status == 400
    assert bad.body["error"]["field"] == "Idempotency-Key"


def test_a_retry_after_the_response_was_lost_finds_the_listing(d: Driver) -> None:
    """The request wrote the listing and died before its response was kept: the retry finds
    the listing by the id derived from the key, and creates nothing more."""
    d.user("seller", "seller", payout=True)
    key = {"Idempotency-Key": "lost-response"}
    body = _listing_body(d)
    first = d.ok(d.as_("seller", "POST", "/listings", body, headers=key), 201)
    idem = d.store.client.scan(TableName=d.stack.refs["IdempotencyTable"])["Items"]
    assert len(idem) == 1
    d.store.client.delete_item(
        TableName=d.stack.refs["IdempotencyTable"], Key={"id": idem[0]["id"]}
    )
    before = _items(d)
    again = d.ok(d.as_("seller", "POST", "/listings", body, headers=key), 201)
    assert again["listing"]["listing_id"] == first["listing"]["listing_id"]
    assert (
        again["deposit"]["checkout"]["checkout_id"] == first["deposit"]["checkout"]["checkout_id"]
    )
    assert _items(d) == before


def test_a_retried_entry_with_the_same_key_holds_once(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=10)
    d.user("ann", "buyer")
    key = {"Idempotency-Key": "ann-entry-1"}
    first = d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 2}, headers=key), 201)
    again = d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 2}, headers=key), 201)
    assert again == first
    assert len(d.holds(lid)) == 1
    other = d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 3}, headers=key)
    assert other.status == 422
    d.ok(d.pay(first["checkout"]["checkout_id"]))
    assert d.listing(lid)["paid_tickets"] == 2
    # Lost response: the retry finds the entry (paid by now) and holds nothing more.
    table = d.stack.refs["IdempotencyTable"]
    for item in d.store.client.scan(TableName=table)["Items"]:
        d.store.client.delete_item(TableName=table, Key={"id": item["id"]})
    late = d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 2}, headers=key), 201)
    assert late["entry"]["entry_id"] == first["entry"]["entry_id"]
    assert late["entry"]["status"] == "paid"
    assert d.holds(lid) == []
    assert d.listing(lid)["paid_tickets"] == 2
    d.conserved(lid)


def test_repeated_sale_steps_answer_the_same_and_move_nothing(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    d.user("op", "operator")
    lid = d.open_listing("seller", ticket_limit=2, deadlines={"second_payment": 30})
    for b in ("ann", "bob", "cat"):
        d.user(b, "buyer")
        d.buy(b, lid, tickets=1)
    d.close_window(lid)
    d.wait_status(lid, "awaiting_second_payment")
    first = d.record(lid).candidate
    assert first is not None
    answers = [d.ok(d.as_(first, "POST", f"/listings/{lid}/forfeit")) for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    d.stack.wait_for(lambda: d.record(lid).candidate not in (None, first), 10, "the re-draw")
    assert d.forfeited(lid) == [first]
    candidate = d.record(lid).candidate
    assert candidate is not None
    due = d.ok(d.as_(candidate, "POST", f"/listings/{lid}/second-payment"))
    assert d.ok(d.as_(candidate, "POST", f"/listings/{lid}/second-payment")) == due
    d.ok(d.pay(due["checkout"]["checkout_id"]))
    d.wait_status(lid, "final_buyer")
    d.stack.wait_for(lambda: "shipment" in d.record(lid).waits, 10, "the shipment wait")

    ship = {"carrier": "CJ", "tracking_number": "T-1"}
    shipped = [d.ok(d.as_("seller", "POST", f"/listings/{lid}/shipment", ship)) for _ in range(2)]
    assert shipped[0] == shipped[1]
    # a mistyped number is corrected while the carrier has said nothing; back again, the same
    fixed = {"carrier": "CJ", "tracking_number": "X"}
    for _ in "ab":
        d.ok(d.as_("seller", "POST", f"/listings/{lid}/shipment", fixed))
    assert d.record(lid).shipment.tracking_number == "X"
    d.ok(d.as_("seller", "POST", f"/listings/{lid}/shipment", ship))
    assert d.record(lid).shipment.tracking_number == "T-1"

    d.stack.wait_for(lambda: "delivery" in d.record(lid).waits, 10, "the delivery wait")
    reason = {"reason": "scratched"}
    disputed = [d.ok(d.as_(candidate, "POST", f"/listings/{lid}/dispute", reason)) for _ in "ab"]
    assert disputed[0] == disputed[1]
    assert d.as_(candidate, "POST", f"/listings/{lid}/dispute", {"reason": "other"}).status == 409
    d.wait_status(lid, "disputed")
    late = d.as_("seller", "POST", f"/listings/{lid}/shipment", fixed)
    assert late.status == 409  # disputed: no correction any more
    assert d.record(lid).shipment.tracking_number == "T-1"
    d.stack.wait_for(lambda: "resolution" in d.record(lid).waits, 10, "the resolution wait")
    decision = {"decision": "release"}
    path = f"/listings/{lid}/dispute/resolution"
    resolved = [d.ok(d.as_("op", "POST", path, decision)) for _ in "ab"]
    assert resolved[0] == resolved[1]
    d.wait_status(lid, "settled")
    assert d.ok(d.as_("op", "POST", path, decision)) == resolved[0]
    assert d.as_("op", "POST", path, {"decision": "refund"}).status == 409
    assert len(d.psp.records("PAYOUT")) == 1
    d.conserved(lid)


def test_a_repeated_confirm_answers_the_same(d: Driver) -> None:
    lid = d.sold_out()
    d.ok(
        d.as_(
            "seller", "POST", f"/listings/{lid}/shipment", {"carrier": "CJ", "tracking_number": "T"}
        )
    )
    buyer = d.record(lid).final_buyer
    assert buyer is not None
    d.stack.wait_for(lambda: "delivery" in d.record(lid).waits, 10, "the delivery wait")
    answers = [d.ok(d.as_(buyer, "POST", f"/listings/{lid}/confirm")) for _ in range(2)]
    d.wait_status(lid, "settled")
    answers.append(d.ok(d.as_(buyer, "POST", f"/listings/{lid}/confirm")))
    assert answers[0] == answers[1] == answers[2] == {"listing_id": lid, "status": "confirmed"}
    assert len(d.psp.records("PAYOUT")) == 1
    d.conserved(lid)
