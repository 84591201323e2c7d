"""Each step that needs someone tells them, by e-mail (SES) and SMS (SNS) [0068]."""

from __future__ import annotations

from typing import Any
from unittest import mock

from moto.ses.models import ses_backends
from moto.sns.models import sns_backends
from tombola_dev.driver import Driver, complete_sale
from tombola_dev.moto_resources import ACCOUNT as DEFAULT_ACCOUNT_ID

from tombola.adapters.aws import EventBridgePublisher
from tombola.services.notices import NOTICE_RECIPIENTS


def emails() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


def sms() -> list[Any]:
    return list(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values())


def test_people_are_told_of_each_step(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1)
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid)
    complete_sale(d, lid)
    delivered = d.stack.deliver_events()
    assert delivered >= 6
    by_subject: dict[str, set[str]] = {}
    for m in emails():  # "[Tombola] <Korean> / <English>"
        english = m.subject.rsplit(" / ", 1)[-1]
        by_subject.setdefault(english, set()).update(m.destinations["ToAddresses"])
    winner = d.record(lid).final_buyer
    assert by_subject["Your listing is open"] == {"seller@example.com"}
    assert by_subject["A final buyer is chosen"] == {"seller@example.com"}
    assert by_subject["It is yours"] == {f"{winner}@example.com"}
    assert by_subject["Please ship the item"] == {"seller@example.com"}
    assert by_subject["Your item is on its way"] == {f"{winner}@example.com"}
    assert by_subject["The sale is settled"] == {f"{winner}@example.com", "seller@example.com"}
    texts = sms()
    assert any("최종 구매자" in str(t) for t in texts)  # SMS: the Korean sentence
    assert any("회원님의 것" in str(t) for t in texts)
    # An event delivered twice is a second message, never a lost one; nothing is pending now.
    assert d.stack.deliver_events() == 0


def test_a_settlement_tells_many_buyers_in_bounded_events(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    n = NOTICE_RECIPIENTS + 5
    lid = d.open_listing("seller", expected_entrants=n, ticket_limit=1, deadlines={"ship": 1})
    for i in range(n):
        d.user(f"b{i}", "buyer")
        d.buy(f"b{i}", lid)
    published: list[dict[str, Any]] = []
    real = EventBridgePublisher.publish

    def spy(self: EventBridgePublisher, detail_type: str, detail: dict[str, Any]) -> None:
        published.append({"type": detail_type, **detail})
        real(self, detail_type, detail)

    with mock.patch.object(EventBridgePublisher, "publish", spy):
        d.wait_status(lid, "cancelled", timeout=30)
    told_of = [e for e in published if e["type"] in {"Cancelled", "CancelledRefunded"}]
    sizes = [len(e["recipients"]) for e in told_of]
    assert max(sizes) <= NOTICE_RECIPIENTS, sizes
    assert sum(sizes) == n + 1, sizes  # every buyer once, and the seller
    record = d.record(lid)
    p1, final = record.terms.first_payment.amount, record.final_buyer
    refunds = [e for e in told_of if e["type"] == "CancelledRefunded"]
    # the final buyer's own notice: their ticket and their second payment, both back
    assert {e["amount"] for e in refunds if e["recipients"] != [final]} == {p1}
    assert [e["amount"] for e in refunds if e["recipients"] == [final]] == [
        p1 + record.second_payment_paid
    ]
    d.stack.deliver_events()
    told = [m for m in emails() if m.subject.endswith("/ The sale was cancelled")]
    to = [a for m in told for a in m.destinations["ToAddresses"]]
    assert to == ["seller@example.com"]
    refunded = [m for m in emails() if m.subject.endswith("/ Cancelled: your payment comes back")]
    to = [a for m in refunded for a in m.destinations["ToAddresses"]]
    assert sorted(to) == sorted(f"b{i}@example.com" for i in range(n))
    assert all("₩" in m.body and "원" in m.body for m in refunded)
    d.conserved(lid)


def test_every_entrant_learns_the_draw_took_place_and_who_bought_it(d: Driver) -> None:
    """On the stack: the draw's one TellEntrants event becomes notices to the buyers not drawn
    (e-mail and the app, no SMS each), and the second payment's to all but the final buyer."""
    lid = d.awaiting_second_payment(600)
    d.user("cat", "buyer")  # not an entrant: told nothing
    candidate = d.record(lid).candidate
    other = "bob" if candidate == "ann" else "ann"
    d.stack.deliver_events()

    def subjects(user: str) -> list[str]:
        return [
            m.subject.rsplit(" / ", 1)[-1]
            for m in emails()
            if f"{user}@example.com" in m.destinations["ToAddresses"]
        ]

    assert subjects(other).count("The draw took place") == 1
    assert "The draw took place" not in subjects(candidate)
    assert not any("다른 분이 먼저" in str(t) for t in sms())
    due = d.ok(d.as_(candidate, "POST", f"/listings/{lid}/second-payment"))
    assert d.ok(d.pay(due["checkout"]["checkout_id"]))["result"] == "final_buyer"
    d.stack.deliver_events()
    assert subjects(other).count("It went to another entrant") == 1
    assert "It went to another entrant" not in subjects(candidate)
    assert subjects("cat") == []
    notes = d.ok(d.as_(other, "GET", "/me/notifications"))["notes"]
    assert [n["kind"] for n in notes if n["kind"] in {"DrawTookPlace", "SoldToAnother"}] == [
        "SoldToAnother",
        "DrawTookPlace",
    ]
    assert d.stack.deliver_events() == 0
    d.conserved(lid)


def test_the_app_shows_what_each_person_was_told_and_the_order_step_by_step(d: Driver) -> None:
    """Over HTTP: the profile keeps a Korean-typed phone as E.164, every notice is a note in
    the person's list with an unread count, reading moves it, the operator sees no one's
    addresses, and each side of the sale reads its own timeline."""
    d.user("seller", "seller", payout=True)
    profile = {
        "name": "김민지",
        "email": "minji@example.com",
        "phone": "010-1234-5678",
        "address": "서울시 중구 1",
    }
    d.user("minji", "buyer")
    saved = d.ok(d.as_("minji", "PUT", "/me/profile", profile))
    assert saved["phone"] == "+821012345678"
    refused = d.as_("minji", "PUT", "/me/profile", {**profile, "phone": "010-123"})
    assert refused.status == 422
    assert refused.body["problems"][0]["type"] == "phone_invalid"
    lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1)
    d.user("bob", "buyer")
    d.buy("minji", lid)
    d.buy("bob", lid)
    complete_sale(d, lid)
    d.stack.deliver_events()
    winner = d.record(lid).final_buyer
    notes = d.ok(d.as_(winner, "GET", "/me/notifications"))
    kinds = [n["kind"] for n in notes["notes"]]
    assert "YouBought" in kinds  # the buyer's own words; the seller's "FinalBuyer" is theirs
    assert "Settled" in kinds
    assert notes["unread"] == len(notes["notes"])
    assert all(n["channels"]["email"] == "sent" for n in notes["notes"])
    newest = notes["notes"][0]["note_id"]
    read = d.ok(d.as_(winner, "POST", "/me/notifications/read", {"upto": newest}))
    assert read["unread"] == 0
    other = "bob" if winner == "minji" else "minji"
    assert d.as_(other, "POST", "/me/notifications/read", {"upto": newest}).status == 404
    assert d.as_(winner, "GET", "/me/notifications", query={"limit": "0"}).status == 422
    assert d.ok(d.as_op("GET", "/operator/undelivered"))["notes"] == []
    assert d.as_(winner, "GET", "/operator/undelivered").status == 403
    dismiss = "/operator/undelivered/dismiss"
    gone = {"user_id": winner, "note_id": "20260101T000000.000000Z#0"}
    assert d.as_op("POST", dismiss, gone).status == 404
    assert d.as_op("POST", dismiss, {"user_id": winner}).status == 422
    assert d.as_(winner, "POST", dismiss, {"user_id": winner, "note_id": newest}).status == 403
    assert d.ok(d.as_op("POST", dismiss, {"user_id": winner, "note_id": newest}))["notes"] == []
    mine = d.ok(d.as_(winner, "GET", f"/listings/{lid}/timeline"))
    assert mine["role"] == "buyer"
    assert [s["state"] for s in mine["steps"]] == ["done"] * len(mine["steps"])
    assert mine["steps"][-1]["step"] == "settled"
    sellers = d.ok(d.as_("seller", "GET", f"/listings/{lid}/timeline"))
    assert sellers["role"] == "seller"
    assert sellers["shipment"] is not None
    d.user("stranger", "buyer")
    assert d.as_("stranger", "GET", f"/listings/{lid}/timeline").status == 404
