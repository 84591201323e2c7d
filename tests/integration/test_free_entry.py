"""The free entry route through the API on the stack template.yaml describes, Market=UK: as easy
to find as the paid route (GET /policy and the listing say it is there), one per person per
listing, in the draw like any ticket, nothing in the money; and the chance shown before buying."""

from __future__ import annotations

import pytest
from tombola_dev.driver import Driver
from tombola_dev.parameters import FAST

pytestmark = pytest.mark.parametrize(
    "d", [FAST | {"Market": "UK", "IdentityRequired": "no", "LimitPrompt": "no"}], indirect=True
)


def test_free_and_paid_entries_share_the_draw_and_only_the_paid_pay(d: Driver) -> None:
    assert d.ok(d.stack.http("GET", "/policy"))["play"]["free_entry_cap"] == 1
    d.user("sam", "seller", payout=True)
    lid = d.open_listing("sam", expected_entrants=10, price=10_000, ticket_limit=3)
    d.user("ann", "buyer")
    d.user("bob", "buyer")
    before = d.listing(lid)["one_ticket_chances"]
    assert before == {"mine": 1, "now": 1, "if_full": 10}
    free = d.ok(d.as_("ann", "POST", f"/listings/{lid}/free-entry"), 201)["entry"]
    assert (free["payment_method"], free["amount"], free["status"]) == ("free", 0, "paid")
    again = d.as_("ann", "POST", f"/listings/{lid}/free-entry")
    assert again.status == 409, again.body
    assert again.body["error"]["code"] == "ticket_limit_exceeded"
    d.buy("bob", lid, tickets=3)
    view = d.listing(lid)
    assert (view["paid_tickets"], view["free_tickets"]) == (3, 1)
    assert view["one_ticket_chances"] == {"mine": 1, "now": 5, "if_full": 11}
    d.close_window(lid)
    d.wait_status(lid, "awaiting_second_payment")
    drawn = d.ok(d.stack.http("GET", f"/listings/{lid}/draw"))
    assert free["ticket_ids"][0] in [t["ticket_id"] for t in drawn["tickets"]]
    assert d.record(lid).second_payment_due == 10_000 - 3 * 1_000
    st = d.conserved(lid)
    assert st.paid_in == {"deposit": 500, "first_payments": 3_000}


def test_a_uk_stack_reads_a_phone_typed_the_british_way(d: Driver) -> None:
    assert d.ok(d.stack.http("GET", "/policy"))["play"]["phone_region"] == "GB"
    d.user("amy", "buyer")
    body = {"name": "Amy Lee", "email": "amy@example.com", "address": "1 High St, London"}
    saved = d.ok(d.as_("amy", "PUT", "/me/profile", body | {"phone": "07400 123456"}))
    assert (saved["phone"], saved["texts_reach_phone"]) == ("+447400123456", True)
    refused = d.as_("amy", "PUT", "/me/profile", body | {"phone": "07400 12"})
    assert refused.status == 422, refused.body
    assert refused.body["problems"][0]["type"] == "phone_invalid"
    assert "07400 123456" in refused.body["error"]["message"]
    assert d.ok(d.as_("amy", "GET", "/me/profile"))["phone"] == "+447400123456"
