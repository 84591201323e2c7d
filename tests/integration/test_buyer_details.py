"""The seller reads the final buyer's name, phone and address only while the sale needs them:
from the final buyer on, until the sale settled and for the listing's confirm window after;
never once the sale was cancelled (409 saying why)."""

from __future__ import annotations

from datetime import timedelta

from tombola_dev.api_gateway import HttpResponse
from tombola_dev.driver import Driver, complete_sale

from tombola.domain.references import payout_id_for


def _details(d: Driver, lid: str) -> HttpResponse:
    return d.as_("sam", "GET", f"/listings/{lid}/final-buyer")


def test_the_buyers_details_are_shown_until_the_window_after_settlement(d: Driver) -> None:
    lid = d.sold_out("sam")
    winner = d.record(lid).final_buyer
    assert d.ok(_details(d, lid))["address"] == f"{winner} street 1, Seoul"
    complete_sale(d, lid)  # shipped, delivered, confirmed, settled
    payout = d.store.get_payout(payout_id_for(lid))
    assert payout is not None
    window = timedelta(seconds=d.record(lid).durations.confirm)
    d.clock.current = payout.issued_at + window - timedelta(seconds=1)
    assert d.ok(_details(d, lid))["name"] == f"Name {winner}"  # still within the window
    d.clock.current = payout.issued_at + window
    gone = _details(d, lid)
    assert gone.status == 409, gone.body
    assert "settled" in gone.body["error"]["message"]


def test_the_buyers_details_are_not_shown_after_a_cancelled_sale(d: Driver) -> None:
    d.user("sam", "seller", payout=True)
    lid = d.open_listing("sam", expected_entrants=2, ticket_limit=1, deadlines={"ship": 1})
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid)
    d.wait_status(lid, "final_buyer")
    assert d.ok(_details(d, lid))["phone"] == "+821012345678"  # kept in E.164
    d.wait_status(lid, "cancelled")  # the seller let the 1 s ship deadline pass
    refused = _details(d, lid)
    assert refused.status == 409, refused.body
    assert "cancelled" in refused.body["error"]["message"]
    assert "address" not in refused.body
