"""Attacks on responsible play's money paths (review of d03ed7f..7370636): a refused payment's
re-delivery, a refused payment's harm signal. Each test states what should hold."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.fast_platform import FastWorld
from tests.support.interleavings import caller
from tombola.domain.auth import Role
from tombola.domain.errors import Conflict
from tombola.services import play

P1 = 1_000


@pytest.fixture
def kr(w: FastWorld) -> FastWorld:
    w.people()
    w.market("KR")
    w.verify("seller")
    return w


def ready(w: FastWorld, buyer: str, **limits: int | None) -> None:
    w.verify(buyer)
    w.limits(buyer, "KRW", **limits)


def test_a_refused_p2_redelivered_after_the_day_resets_is_not_accepted(kr: FastWorld) -> None:
    """The P2 refused for the day's limit is refunded (refund-<payment id>). The provider
    re-delivers the same payment after Seoul's midnight: the day's window is empty again, the
    gate passes, and the payment whose money went back must not make its payer the final
    buyer (the entry path keeps entry.payment_id; the P2 path has only the unaccepted journal
    key, which the accepting change does not write)."""
    w = kr
    w.open()
    ready(w, "ann", day=None)
    ready(w, "bob", day=None)
    w.buy("ann", 1)
    w.buy("bob", 1)
    w.close()
    assert w.run() == "wait_p2"
    candidate = w.record().candidate
    due = w.record().second_payment_due
    opened = w.second_payment()
    w.limits(candidate, day=due)  # lower (from none): at once; today's P1 + due > due
    payment = f"pay_{opened}"
    assert w.pay(opened, event_id="evt-p2") == "refunded"
    w.drain()
    assert w.psp.refunded(payment) == due
    # Seoul's midnight (15:00 UTC); the P2 deadline is further off
    w.clock.current = w.clock.now().replace(hour=15, minute=0, second=1)
    assert w.record().candidate == candidate
    assert w.status == "awaiting_second_payment"
    # the provider re-delivers the very same event (a lost 200, a console resend)
    again = w.webhook(
        {
            "id": "evt-p2",
            "type": "payment.succeeded",
            "created": int(w.clock.now().timestamp()),
            "data": {
                "payment_id": payment,
                "reference": w.psp.checkouts[opened]["reference"],
                "amount": due,
                "currency": "KRW",
            },
        }
    )
    w.drain()
    assert again == "duplicate", "a refunded P2 was accepted on re-delivery"
    assert w.record().final_buyer is None
    w.conserved()


def _harm_world(w: FastWorld) -> tuple[str, str]:
    """ann: verified, a week's limit of 150,000; a quiet week before (0); P1 = 10,000. Two
    checkouts opened side by side: 9 tickets (90,000) and 7 (70,000)."""
    w.open(
        closes_at=(w.clock.now() + timedelta(days=3)).isoformat(),
        price=1_000_000,
        expected_entrants=100,
        ticket_limit=100,
    )
    ready(w, "ann", week=150_000)
    nine = w.hold("ann", 9)
    seven = w.hold("ann", 7)
    assert nine
    assert seven
    assert w.pay(nine) == "tickets_issued"  # 90,000: below the ₩100,000 floor
    assert w.pay(seven) == "refunded"  # 160,000 > 150,000: given back, nothing spent
    return nine, seven


def test_a_refused_card_payment_raises_no_harm_signal(kr: FastWorld) -> None:
    w = kr
    _harm_world(w)
    seen = play.overview(w.deps, caller("op", Role.OPERATOR)).harm_signals
    assert [(s.user_id, s.spent) for s in seen] == [], (
        "a payment refused for the limit (and refunded) was reported as spending"
    )


def test_a_refused_payments_harm_item_does_not_block_the_real_crossing(kr: FastWorld) -> None:
    """After the refused payment wrote HARM#ann/KRW#W.., the purchase that really crosses
    ₩100,000 (90,000 → 100,000, within the limit) sets change.harm again; its
    attribute_not_exists fails, Conflict, decided again with the same reads: it can never
    commit this week (12 attempts, then 409 'the listing is busy'; a webhook fails forever)."""
    w = kr
    _harm_world(w)
    w.grant_mileage("ann", 50_000)
    try:
        w.hold("ann", 1, "mileage")
    except Conflict as err:
        pytest.fail(f"a purchase within every limit is refused for ever: {err.message}")
    card = w.hold("ann", 1)  # the card path: 100,000 → 110,000 no longer crosses
    assert card
    assert w.pay(card) == "tickets_issued"


def test_a_card_payment_crossing_after_a_false_harm_item_is_neither_taken_nor_refunded(
    kr: FastWorld,
) -> None:
    """The same livelock on the webhook: the payment (within every limit) cannot commit, the
    webhook answers an error, the provider retries for ever: the buyer's money is held with no
    tickets and no refund."""
    w = kr
    _harm_world(w)
    card = w.hold("ann", 1)  # the checkout's precheck commits nothing: it opens
    assert card
    try:
        result = w.pay(card)
    except Conflict as err:
        pytest.fail(f"the webhook fails for ever ({err.message}); the money is held")
    assert result == "tickets_issued"
