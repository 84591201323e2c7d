"""The order, step by step: each step the buyer or seller reaches is done at its time, the one
under way names its deadline, and the rest are ahead; a stranger sees none of it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.fast_platform import FastWorld
from tombola.api.views import StepView, TimelineView
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import NotFound
from tombola.services.timeline import timeline


def seen(w: FastWorld, user: str, role: Role = Role.BUYER) -> TimelineView:
    return timeline(w.deps, Caller(user_id=user, roles=frozenset({role})), w.listing_id)


def states(view: TimelineView) -> list[tuple[str, str]]:
    return [(s.step, s.state) for s in view.steps]


def test_a_sale_step_by_step_for_its_buyer_seller_and_a_loser(w: FastWorld) -> None:
    w.open()
    w.buy("ann", 2)
    w.buy("bob", 1)
    assert states(seen(w, "ann"))[:3] == [("entered", "done"), ("closed", "now"), ("drawn", "next")]
    assert seen(w, "ann").paid_so_far == 2_000
    w.clock.advance(timedelta(minutes=1))
    w.close()
    assert w.run() == "wait_p2"
    winner = w.record().candidate
    loser = "bob" if winner == "ann" else "ann"
    mine = seen(w, winner)
    assert states(mine)[2:4] == [("drawn", "done"), ("paid", "now")]
    assert mine.steps[3].due_at == w.record().candidate_due_at.isoformat()
    assert mine.second_payment_due == 7_000
    assert ("other_drawn", "done") in states(seen(w, loser))
    assert "paid" not in dict(states(seen(w, loser)))  # the sale is not the loser's
    w.clock.advance(timedelta(seconds=5))
    assert w.pay(w.second_payment()) == "final_buyer"
    assert w.run() == "wait_ship"
    mine = seen(w, winner)
    assert mine.paid_so_far == (2_000 if winner == "ann" else 1_000) + 7_000
    assert mine.second_payment_due is None
    paid = next(s for s in mine.steps if s.step == "paid")
    assert paid.at == (w.clock.now()).isoformat()
    shipped = next(s for s in seen(w, "seller", Role.SELLER).steps if s.step == "shipped")
    assert shipped.state == "now"
    assert shipped.due_at is not None
    w.ship()
    assert w.run() == "wait_delivery"
    assert seen(w, winner).shipment is not None
    assert seen(w, loser).shipment is None  # the address and tracking stay between the two
    assert w.deliver() == "delivered"
    assert w.run() == "wait_confirm"
    confirm = next(s for s in seen(w, winner).steps if s.step == "confirmed")
    assert confirm.state == "now"
    assert confirm.due_at is not None
    w.confirm()
    assert w.run() == "done"
    for view in (seen(w, winner), seen(w, "seller", Role.SELLER)):
        assert all(s.state == "done" for s in view.steps), states(view)
        assert view.steps[-1].step == "settled"
    assert [s for s, _ in states(seen(w, "seller", Role.SELLER))] == [
        "published",
        "closed",
        "drawn",
        "paid",
        "shipped",
        "delivered",
        "confirmed",
        "settled",
    ]
    assert seen(w, "seller", Role.SELLER).paid_so_far == w.record().deposit
    assert states(seen(w, loser))[-1] == ("settled", "done")


def test_a_buyer_who_passed_and_an_unsold_end(w: FastWorld) -> None:
    w.open()
    w.buy("ann", 1)
    w.close()
    assert w.run() == "wait_p2"
    w.lapse()  # the deadline passes; nobody else to draw
    w.run()
    view = seen(w, "ann")
    assert ("passed", "done") in states(view)
    assert states(view)[-1] == ("unsold", "done")


def test_a_stranger_or_another_seller_sees_no_timeline(w: FastWorld) -> None:
    w.open()
    w.buy("ann", 1)
    with pytest.raises(NotFound):
        seen(w, "cat")
    with pytest.raises(NotFound):
        seen(w, "other-seller", Role.SELLER)


def step(view: TimelineView, name: str) -> StepView:
    return next(s for s in view.steps if s.step == name)


def test_the_first_candidates_passed_time_stays_through_later_redraws(w: FastWorld) -> None:
    """'passed' is when this buyer's turn passed (kept on their record), not when the listing
    last went back to drawing: a second candidate passing later moves nothing."""
    w.open()
    for b in ("ann", "bob", "cat"):
        w.buy(b, 1)
    w.close()
    assert w.run() == "wait_p2"
    first = w.record().candidate
    w.lapse()  # the clock jumps 30 days; the first candidate passes now
    passed_first = w.clock.now().isoformat()
    assert step(seen(w, first), "passed").at == passed_first  # right, for now
    w.lapse()  # the second candidate passes 30 days later
    assert step(seen(w, first), "passed").at == passed_first, (
        "the first candidate's 'passed' time was overwritten by the second re-draw"
    )


def test_a_passed_candidate_still_sees_that_they_were_drawn(w: FastWorld) -> None:
    """Drawn, then the turn passed: both steps stay in their history."""
    w.open()
    w.buy("ann", 1)
    w.buy("bob", 1)
    w.close()
    assert w.run() == "wait_p2"
    first = w.record().candidate
    w.lapse()
    names = [s.step for s in seen(w, first).steps]
    assert "drawn" in names, names


def test_entered_is_the_first_paid_entry_not_an_abandoned_hold(w: FastWorld) -> None:
    """A checkout opened and left to lapse is not an entry: 'entered' is when they paid."""
    w.open()
    w.hold("ann", 1)  # never paid
    w.clock.advance(timedelta(minutes=15))
    w.schedule()  # the hold lapses
    w.clock.advance(timedelta(minutes=15))
    paid_at = w.clock.now().isoformat()
    w.buy("ann", 1)
    assert step(seen(w, "ann"), "entered").at == paid_at


def test_a_buyer_who_only_had_an_expired_hold_has_no_timeline(w: FastWorld) -> None:
    """Never paid anything: no timeline (the entries page shows the lapsed payment)."""
    w.open()
    w.hold("ann", 1)  # never paid
    w.clock.advance(timedelta(minutes=15))
    w.schedule()  # the hold lapses
    with pytest.raises(NotFound):
        seen(w, "ann")
