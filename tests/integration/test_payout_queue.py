"""The operator's payout queue shows where each payout was issued to: the seller's payout
account when it was issued, and a warning with the profile's account if the seller changed it."""

from __future__ import annotations

from tombola_dev.driver import Driver, complete_sale


def test_a_payout_keeps_the_account_it_was_issued_to(d: Driver) -> None:
    lid = d.sold_out("sam")
    complete_sale(d, lid)
    [queued] = d.ok(d.as_op("GET", "/operator/payouts"))["payouts"]
    assert queued["listing_id"] == lid
    assert queued["payout_account"] == "KB-sam"
    assert queued["profile_payout_account"] == "KB-sam"
    assert queued["warning"] is None
    # The seller changes their payout account after the payout was issued.
    profile = d.ok(d.as_("sam", "GET", "/me/profile"))
    del profile["user_id"], profile["texts_reach_phone"]
    d.ok(d.as_("sam", "PUT", "/me/profile", profile | {"payout_account": "SH-999"}))
    [queued] = d.ok(d.as_op("GET", "/operator/payouts"))["payouts"]
    assert queued["payout_account"] == "KB-sam"  # where it was issued to, not the new account
    assert queued["profile_payout_account"] == "SH-999"
    assert "changed their payout account" in queued["warning"]
    payout_id = queued["payout_id"]
    paid = d.ok(
        d.as_op("POST", f"/operator/payouts/{payout_id}/paid", {"transfer_reference": "TR-1"})
    )
    # paid: the history names the account it went to by its last characters only
    assert (paid["status"], paid["payout_account"], paid["warning"]) == ("paid", "…-sam", None)
    assert paid["profile_payout_account"] is None
    assert paid["transfer_reference"] == "TR-1"
    # the same confirmation again is the same answer; another transfer for it is refused
    path = f"/operator/payouts/{payout_id}/paid"
    assert d.ok(d.as_op("POST", path, {"transfer_reference": "TR-1"})) == paid
    again = d.as_op("POST", path, {"transfer_reference": "TR-2"})
    assert again.status == 409, again.body
    assert again.body["error"]["field"] == "transfer_reference"
    assert "TR-1" in again.body["error"]["message"]
    assert d.store.get_payout(payout_id).payout_account == "KB-sam"  # type: ignore[union-attr]
    # it left the queue for the history, with its transfer reference
    assert d.ok(d.as_op("GET", "/operator/payouts"))["payouts"] == []
    [history] = d.ok(d.as_op("GET", "/operator/payouts", query={"status": "paid"}))["payouts"]
    assert (history["payout_id"], history["transfer_reference"]) == (payout_id, "TR-1")
    assert d.as_op("GET", "/operator/payouts", query={"status": "lost"}).status == 422
    d.conserved(lid)
