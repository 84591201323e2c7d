"""What the web client shows people: a seller's own listings (one awaiting its deposit too), the
deposit's checkout offered again, the payout's status on the statement, and each buyer's entries
saying where the listing stands for them."""

from __future__ import annotations

from tests.support.app_driver import Driver, complete_sale


def test_a_seller_finds_an_unpaid_listing_and_its_deposit_checkout_again(d: Driver) -> None:
    d.user("sam", "seller", payout=True)
    d.user("sue", "seller", payout=True)
    d.user("ann", "buyer")
    created = d.create_listing("sam")
    lid = created["listing"]["listing_id"]
    mine = d.ok(d.as_("sam", "GET", "/me/listings"))["listings"]
    assert [(x["listing_id"], x["status"]) for x in mine] == [(lid, "awaiting_deposit")]
    assert d.ok(d.as_("sue", "GET", "/me/listings"))["listings"] == []
    again = d.ok(d.as_("sam", "POST", f"/listings/{lid}/deposit"))
    assert again["checkout"]["checkout_id"] == created["deposit"]["checkout"]["checkout_id"]
    assert again["amount"] == created["deposit"]["amount"] > 0
    assert d.as_("sue", "POST", f"/listings/{lid}/deposit").status == 403
    assert d.as_("ann", "POST", f"/listings/{lid}/deposit").status == 403
    d.ok(d.pay(again["checkout"]["checkout_id"]))
    refused = d.as_("sam", "POST", f"/listings/{lid}/deposit")
    assert refused.status == 409
    assert refused.body["error"]["code"] == "not_allowed_now"
    assert d.ok(d.as_("sam", "GET", "/me/listings"))["listings"][0]["status"] == "open"


def test_entries_and_the_statement_say_where_things_stand(d: Driver) -> None:
    lid = d.sold_out()  # ann and bob, one ticket each: drawn, the tickets cover the price
    record = d.record(lid)
    winner = record.final_buyer
    loser = "bob" if winner == "ann" else "ann"
    won = d.ok(d.as_(winner, "GET", "/me/entries"))["entries"]
    lost = d.ok(d.as_(loser, "GET", "/me/entries"))["entries"]
    assert [(e["listing_status"], e["final_buyer"], e["candidate"]) for e in won] == [
        ("final_buyer", True, False)
    ]
    assert [(e["final_buyer"], e["shipment"]) for e in lost] == [(False, None)]
    assert won[0]["listing_title"] == "Camera"
    statement = d.ok(d.as_("seller", "GET", f"/listings/{lid}/statement"))
    assert statement["payout"] is None  # not settled yet
    complete_sale(d, lid)
    won = d.ok(d.as_(winner, "GET", "/me/entries"))["entries"]
    assert won[0]["shipment"]["carrier"] == "CJ"
    statement = d.ok(d.as_("seller", "GET", f"/listings/{lid}/statement"))
    assert statement["payout"]["status"] == "issued"
    d.ok(d.payout_paid(lid, statement["payout"]["amount"]))
    statement = d.ok(d.as_("seller", "GET", f"/listings/{lid}/statement"))
    assert statement["payout"]["status"] == "paid"
    assert statement["payout"]["paid_at"] is not None
    d.conserved(lid)


def test_a_candidate_sees_the_second_payment_due(d: Driver) -> None:
    lid = d.awaiting_second_payment(3600)
    record = d.record(lid)
    entries = d.ok(d.as_(record.candidate, "GET", "/me/entries"))["entries"]
    assert [e["candidate"] for e in entries] == [True]
    due = entries[0]["second_payment"]
    assert due["amount"] == record.second_payment_due > 0
    assert due["due_at"] == record.candidate_due_at.isoformat()
    other = "bob" if record.candidate == "ann" else "ann"
    theirs = d.ok(d.as_(other, "GET", "/me/entries"))["entries"]
    assert [(e["candidate"], e["second_payment"]) for e in theirs] == [(False, None)]
