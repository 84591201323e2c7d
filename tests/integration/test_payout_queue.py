"""The operator's payout queue shows where each payout was issued to: the seller's payout
account when it was issued, and a warning with the profile's account if the seller changed it."""

from __future__ import annotations

from datetime import timedelta

from tombola_dev.accounts import account_digits
from tombola_dev.driver import Driver, complete_sale

SAM = {"bank": "004", "bank_name": "KB국민", "number": account_digits("sam")}


def test_a_payout_keeps_the_account_it_was_issued_to(d: Driver) -> None:
    lid = d.sold_out("sam")
    complete_sale(d, lid)
    [queued] = d.ok(d.as_op("GET", "/operator/payouts"))["payouts"]
    assert (queued["listing_id"], queued["listing_title"]) == (lid, d.record(lid).title)
    # waiting: the account in full, for the transfer
    assert queued["payout_account"] == SAM | {
        "holder_name": "Name sam",
        "masked": f"KB국민 …{SAM['number'][-4:]}",
    }
    assert queued["profile_payout_account"] == queued["payout_account"]
    assert queued["warning"] is None
    # The seller changes their payout account after the payout was issued.
    profile = d.ok(d.as_("sam", "GET", "/me/profile"))
    del profile["user_id"], profile["texts_reach_phone"]
    new = {"bank": "088", "number": "110-987-654321", "holder_name": "김 민지"}
    d.ok(d.as_("sam", "PUT", "/me/profile", profile | {"payout_account": new}))
    [queued] = d.ok(d.as_op("GET", "/operator/payouts"))["payouts"]
    # where it was issued to, not the new account
    assert queued["payout_account"]["number"] == SAM["number"]
    assert queued["profile_payout_account"] == {
        "bank": "088",
        "bank_name": "신한",
        "number": "110987654321",
        "holder_name": "김 민지",
        "masked": "신한 …4321",
    }
    assert "changed their payout account" in queued["warning"]
    assert "신한 …4321" in queued["warning"]
    assert "110987654321" not in queued["warning"]
    payout_id = queued["payout_id"]
    paid = d.ok(
        d.as_op("POST", f"/operator/payouts/{payout_id}/paid", {"transfer_reference": "TR-1"})
    )
    # paid: the history names the account it went to by its bank and last 4 digits only
    assert (paid["status"], paid["payout_account"], paid["warning"]) == ("paid", None, None)
    assert paid["payout_account_masked"] == f"KB국민 …{SAM['number'][-4:]}"
    assert paid["profile_payout_account"] is None
    assert paid["transfer_reference"] == "TR-1"
    # the same confirmation again is the same answer; another transfer for it is refused
    path = f"/operator/payouts/{payout_id}/paid"
    assert d.ok(d.as_op("POST", path, {"transfer_reference": "TR-1"})) == paid
    again = d.as_op("POST", path, {"transfer_reference": "TR-2"})
    assert again.status == 409, again.body
    assert again.body["error"]["field"] == "transfer_reference"
    assert "TR-1" in again.body["error"]["message"]
    kept = d.store.get_payout(payout_id).payout_account  # type: ignore[union-attr]
    assert kept.number == SAM["number"]  # type: ignore[union-attr]
    # it left the queue for the history, with its transfer reference
    assert d.ok(d.as_op("GET", "/operator/payouts"))["payouts"] == []
    [history] = d.ok(d.as_op("GET", "/operator/payouts", query={"status": "paid"}))["payouts"]
    assert (history["payout_id"], history["transfer_reference"]) == (payout_id, "TR-1")
    assert history["listing_title"] == d.record(lid).title
    assert d.as_op("GET", "/operator/payouts", query={"status": "lost"}).status == 422
    d.conserved(lid)


def test_an_account_kept_as_free_text_shows_its_digits_only_and_is_asked_for_again(
    d: Driver,
) -> None:
    """A profile saved before payout accounts had a bank keeps its text: the operator still sees
    it in full to transfer a payout issued to it, everyone else its last digits, never its
    letters; a new listing needs the account entered with its bank."""
    lid = d.sold_out("kim")
    old = d.store.get_profile("kim")
    assert old is not None
    d.store.put_profile(old.model_copy(update={"payout_account": "국민 123-45-6789 김민지"}))
    mine = d.ok(d.as_("kim", "GET", "/me/profile"))["payout_account"]
    assert mine == {
        "bank": None,
        "bank_name": None,
        "number": "국민 123-45-6789 김민지",
        "holder_name": None,
        "masked": "…6789",
    }
    # saved again without naming a payout account (it cannot be sent back as it was): kept
    profile = d.ok(d.as_("kim", "GET", "/me/profile"))
    del profile["user_id"], profile["texts_reach_phone"], profile["payout_account"]
    d.ok(d.as_("kim", "PUT", "/me/profile", profile | {"phone": "010-9876-5432"}))
    assert d.ok(d.as_("kim", "GET", "/me/profile"))["payout_account"] == mine
    complete_sale(d, lid)
    [queued] = d.ok(d.as_op("GET", "/operator/payouts"))["payouts"]
    assert queued["payout_account"]["number"] == "국민 123-45-6789 김민지"  # to transfer
    assert queued["payout_account_masked"] == "…6789"
    statement = d.ok(d.as_("kim", "GET", f"/listings/{lid}/statement"))
    assert (statement["payout"]["account_ending"], statement["payout"]["account"]) == (
        "6789",
        "…6789",
    )
    paid = d.ok(
        d.as_op(
            "POST", f"/operator/payouts/{queued['payout_id']}/paid", {"transfer_reference": "T"}
        )
    )
    assert (paid["payout_account"], paid["payout_account_masked"]) == (None, "…6789")
    # a new listing needs the account with its bank
    body = {
        "title": "Lamp",
        "price": 10_000,
        "expected_entrants": 10,
        "closes_at": (d.clock.now() + timedelta(hours=1)).isoformat(),
    }
    r = d.as_("kim", "POST", "/listings", body)
    assert r.status == 400, r.body
    assert r.body["error"]["field"] == "payout_account"
    # an explicit null removes it
    d.ok(d.as_("kim", "PUT", "/me/profile", profile | {"payout_account": None}))
    assert d.ok(d.as_("kim", "GET", "/me/profile"))["payout_account"] is None
