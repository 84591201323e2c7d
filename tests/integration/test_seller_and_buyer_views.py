"""What the web client shows people: a seller's own listings (one awaiting its deposit too), the
deposit's checkout offered again, the payout's status on the statement, and each buyer's entries
saying where the listing stands for them."""

from __future__ import annotations

import pytest
from tombola_dev.accounts import account_digits
from tombola_dev.driver import Driver, complete_sale


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
    assert statement["payout"]["issued_at"] is not None
    # the last 4 digits of the account it goes to, and its bank with them
    ending = account_digits("seller")[-4:]
    assert statement["payout"]["account_ending"] == ending
    assert statement["payout"]["account"] == f"KB국민 …{ending}"
    assert statement["payout"]["reference"] is None
    d.ok(d.payout_paid(lid, statement["payout"]["amount"]))
    statement = d.ok(d.as_("seller", "GET", f"/listings/{lid}/statement"))
    assert statement["payout"]["status"] == "paid"
    assert statement["payout"]["paid_at"] is not None
    assert statement["payout"]["reference"]  # the provider's payout id, to ask their bank
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
    assert [(e["candidate"], e["second_payment"], e["passed"]) for e in theirs] == [
        (False, None, False)
    ]
    # the candidate gives up: they passed, and the other is drawn
    d.ok(d.as_(record.candidate, "POST", f"/listings/{lid}/forfeit"))
    d.stack.wait_for(lambda: d.record(lid).candidate == other, 20, f"{other} drawn next")
    gave_up = d.ok(d.as_(record.candidate, "GET", "/me/entries"))["entries"]
    assert [(e["candidate"], e["passed"]) for e in gave_up] == [(False, True)]
    theirs = d.ok(d.as_(other, "GET", "/me/entries"))["entries"]
    assert [(e["candidate"], e["passed"]) for e in theirs] == [(True, False)]


POLICY = {
    "FeeK": "500",
    "DepositFixed": "0",
    "DepositRateBps": "250",
    "MileageBps": "50",
    "TicketLimitDefault": "3",
    "SecondPaymentSeconds": "7200",
    "SecondPaymentSecondsMin": "3600",
    "SecondPaymentSecondsMax": "86400",
}


@pytest.mark.parametrize("d", [POLICY], indirect=True)
def test_the_policy_in_force_is_public_and_is_what_a_new_listing_gets(d: Driver) -> None:
    policy = d.ok(d.stack.http("GET", "/policy"))
    assert policy["fee"] == 500
    assert policy["deposit"] == {"fixed": None, "rate_bps": 250}
    assert policy["mileage_bps"] == 50
    assert policy["ticket_limit_default"] == 3
    assert policy["deadlines"]["second_payment"] == {"default": 7200, "min": 3600, "max": 86400}
    assert policy["currencies"]["KRW"] == 0

    d.user("sam", "seller", payout=True)
    listing = d.create_listing("sam", price=99_999)["listing"]
    assert listing["fee"] == policy["fee"]
    assert listing["deposit"] == -(-99_999 * 250 // 10_000)  # the rate, rounded up: 2,500
    assert listing["ticket_limit"] == policy["ticket_limit_default"]
    assert listing["deadlines"]["second_payment"] == 7200
    bounds = policy["deadlines"]["second_payment"]
    made = d.create_listing("sam", deadlines={"second_payment": bounds["max"]})["listing"]
    assert made["deadlines"]["second_payment"] == bounds["max"]
    chosen = {
        "title": "Lens",
        "price": 10_000,
        "expected_entrants": 10,
        "closes_at": made["closes_at"],
    }
    too_long = chosen | {"deadlines": {"second_payment": bounds["max"] + 1}}
    refused = d.as_("sam", "POST", "/listings", too_long)
    assert refused.status == 422, refused.body
    assert refused.body["error"]["field"] == "deadlines.second_payment"


@pytest.mark.parametrize("d", [{"DepositFixed": "30000"}], indirect=True)
def test_a_fixed_deposit_is_the_policy_whatever_the_price(d: Driver) -> None:
    policy = d.ok(d.stack.http("GET", "/policy"))
    assert policy["deposit"] == {"fixed": 30_000, "rate_bps": None}
    d.user("sam", "seller", payout=True)
    assert d.create_listing("sam", price=1_000_000)["deposit"]["amount"] == 30_000
