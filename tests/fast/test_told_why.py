"""What a newcomer is told, and why: a hold (and its checkout) never outlives the listing's close,
a payment refunded as late says why, the seller's statement says why the listing ended, and the
operator's payouts name the item. On the MemoryStore."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.fast.test_notifications import Outbox, deliver, who
from tests.fast.test_outcomes import ship_and_deliver, to_final_buyer
from tests.support.fast_platform import FastWorld
from tests.support.interleavings import caller
from tombola.domain.auth import Role
from tombola.domain.money import Money
from tombola.domain.references import payout_id_for
from tombola.ports.payment_provider import Checkout
from tombola.services import inbox, listings, payouts
from tombola.services.message_texts import render
from tombola.services.runner import apply
from tombola.state.changes import Change
from tombola.state.records import PayoutRecord


def _entry_expiry(w: FastWorld, buyer: str) -> list[datetime]:
    found = w.store.get_buyer(w.listing_id, 0, buyer)
    assert found is not None
    return [e.expires_at for e in found.entries.values()]


def _refund_notices(w: FastWorld) -> list[dict[str, object]]:
    return [d for t, d in w.events.published if t == "PaymentRefunded"]


def _reason(w: FastWorld) -> str | None:
    view = listings.statement_view(w.deps, caller("seller", Role.SELLER), w.listing_id)
    return view.outcome_reason


# ---------------------------------------------------------------------------- holds
def test_a_hold_and_its_checkout_expire_at_the_close_when_it_comes_first(w: FastWorld) -> None:
    hold = timedelta(seconds=w.deps.settings.hold_seconds)
    w.open(closes_at=(w.clock.now() + hold / 2).isoformat())
    closes_at = w.record().closes_at
    early = w.hold("ann")
    assert early is not None
    assert _entry_expiry(w, "ann") == [closes_at]  # not hold_seconds on, past the close
    w.clock.current = closes_at
    assert w.store.expired_holds(w.clock.now()) == [(w.listing_id, "ann")]
    w.close()
    assert w.status == "closed"
    # the payment that still came (the provider reported it late) is refunded, saying why
    assert w.pay(early) == "refunded"
    assert w.psp.refunded(f"pay_{early}") == 1_000
    (told,) = _refund_notices(w)
    assert (told["why"], told["amount"], told["currency"]) == ("closed", 1_000, "KRW")
    assert told["recipients"] == ["ann"]
    w.conserved()


def test_the_payer_reads_why_in_the_app_and_the_email(w: FastWorld) -> None:
    w.open(closes_at=(w.clock.now() + timedelta(minutes=2)).isoformat())
    late = w.hold("ann", 2)
    assert late is not None
    w.close()
    assert w.pay(late) == "refunded"
    outbox = Outbox()
    deliver(w, outbox)
    (note,) = [n for n in inbox.my_notes(w.deps, who("ann")).notes if n.kind == "PaymentRefunded"]
    assert (note.facts["why"], note.facts["amount"]) == ("closed", 2_000)
    (mail,) = [m for c, a, m in outbox.sent if a == "ann@example.com" and c == "email"]
    assert "The listing closed before your payment arrived" in mail.text
    assert "결제가 도착하기 전에 응모가 마감되어" in mail.text


def test_a_hold_long_before_the_close_keeps_its_whole_hold_time(w: FastWorld) -> None:
    w.open()  # closes in an hour
    w.hold("ann")
    hold = timedelta(seconds=w.deps.settings.hold_seconds)
    assert _entry_expiry(w, "ann") == [w.clock.now() + hold]
    assert w.clock.now() + hold < w.record().closes_at


def test_the_checkout_the_provider_makes_expires_with_the_hold(w: FastWorld) -> None:
    expiries: list[datetime] = []
    make = w.psp.create_checkout

    def spying(*, reference: str, payer_id: str, amount: Money, expires_at: datetime) -> Checkout:
        expiries.append(expires_at)
        return make(reference=reference, payer_id=payer_id, amount=amount, expires_at=expires_at)

    w.psp.create_checkout = spying  # type: ignore[method-assign]
    w.open(closes_at=(w.clock.now() + timedelta(minutes=3)).isoformat())
    w.hold("ann")
    assert expiries[-1] == w.record().closes_at


def test_a_late_payment_for_a_listing_that_filled_says_so(w: FastWorld) -> None:
    w.open(expected_entrants=2, ticket_limit=1)
    late = w.hold("ann")
    assert late is not None
    w.clock.advance(timedelta(minutes=11))
    w.hold("bob")  # ann's lapsed hold is released to make room
    w.hold("cat")
    assert w.pay(late) == "refunded"
    (told,) = _refund_notices(w)
    assert told["why"] == "full"


def test_a_late_payment_past_the_buyers_limit_says_so(w: FastWorld) -> None:
    w.open(ticket_limit=2)
    late = w.hold("ann")
    assert late is not None
    w.clock.advance(timedelta(minutes=11))
    w.hold("ann", 2)  # the lapsed hold is released first; ann holds her limit again
    assert w.pay(late) == "refunded"
    (told,) = _refund_notices(w)
    assert told["why"] == "limit"


@pytest.mark.parametrize(
    ("why", "english", "korean"),
    [
        ("closed", "The listing closed before your payment arrived", "응모가 마감되어"),
        ("full", "Your hold ran out before you paid and the tickets sold", "응모권이 모두 팔려"),
        ("limit", "Your hold ran out before you paid, and with the tickets", "1인 최대 응모권 수"),
    ],
)
def test_the_refund_notice_says_why_in_both_languages(why: str, english: str, korean: str) -> None:
    text = render("PaymentRefunded", "Lamp", {"amount": 2_000, "currency": "KRW", "why": why}).text
    assert "Your payment of ₩2,000 for 'Lamp' was refunded. " + english in text
    assert korean in text
    plain = render("PaymentRefunded", "Lamp", {"amount": 2_000, "currency": "KRW"}).text
    assert plain.endswith("Your payment of ₩2,000 for 'Lamp' was refunded.")


# ---------------------------------------------------------------------------- why it ended
def test_the_statement_says_nobody_entered(w: FastWorld) -> None:
    w.open()
    assert _reason(w) is None  # still open: no reason yet
    w.hold("ann")  # held, never paid
    w.close()
    assert w.run() == "done"
    assert (w.status, w.record().outcome_reason) == ("unsold", "order_exhausted")
    assert _reason(w) == "no_entries"


def test_the_statement_says_every_drawn_buyer_passed(w: FastWorld) -> None:
    w.open()
    w.buy("ann")
    w.close()
    assert w.run() == "wait_p2"
    w.forfeit()
    assert w.run() == "done"
    assert w.status == "unsold"
    assert _reason(w) == "order_exhausted"


def test_the_statement_says_not_shipped(w: FastWorld) -> None:
    w.open()
    w.buy("ann")
    to_final_buyer(w)
    assert w.lapse() == "done"
    assert (w.status, _reason(w)) == ("cancelled", "not_shipped")


def test_the_statement_says_the_dispute_was_decided_for_the_buyer(w: FastWorld) -> None:
    w.open(expected_entrants=2, ticket_limit=1)
    w.buy("ann")
    w.buy("bob")
    assert w.run() == "wait_ship"
    ship_and_deliver(w)
    w.dispute()
    assert w.run() == "wait_resolution"
    w.resolve("refund")
    assert w.run() == "done"
    assert (w.status, _reason(w)) == ("cancelled", "dispute_refunded")


def test_the_statement_says_the_deposit_was_not_paid(w: FastWorld) -> None:
    w.people()
    w.create()
    w.close()
    assert (w.status, _reason(w)) == ("cancelled", "deposit_not_paid")


# ---------------------------------------------------------------------------- payouts
def test_the_operators_payouts_name_the_item(w: FastWorld) -> None:
    w.open(expected_entrants=2, ticket_limit=1, title="Film camera")
    w.buy("ann")
    w.buy("bob")
    assert w.run() == "wait_ship"
    ship_and_deliver(w)
    w.confirm()
    assert w.run() == "done"
    assert _reason(w) == "confirmed"
    op = caller("op", Role.OPERATOR)
    (waiting,) = payouts.payout_queue(w.deps, op).payouts
    assert (waiting.listing_id, waiting.listing_title) == (w.listing_id, "Film camera")
    assert w.payout_reported() == "payout_recorded"
    (paid,) = payouts.payout_queue(w.deps, op, "paid").payouts
    assert paid.listing_title == "Film camera"


def test_a_payout_issued_before_titles_were_kept_has_none(w: FastWorld) -> None:
    w.people()
    stored_before = {  # as a payout issued before titles were kept was stored: no title
        "payout_id": payout_id_for("L-old"),
        "listing_id": "L-old",
        "seller_id": "seller",
        "amount": 10_000,
        "currency": "KRW",
        "status": "issued",
        "issued_at": w.clock.now().isoformat(),
    }
    apply(w.deps, Change(payouts=[PayoutRecord.model_validate(stored_before)]))
    (view,) = payouts.payout_queue(w.deps, caller("op", Role.OPERATOR)).payouts
    assert (view.listing_id, view.listing_title) == ("L-old", None)
