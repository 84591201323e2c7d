"""Many whole listings, each choice at random (seeded): who buys, who pays late or twice, what
the candidate, the seller, the buyer and the operator do at each wait, what the provider gives
back on its own. Every life must end in a final status with the money conserved and the
provider's records matching the books."""

from __future__ import annotations

from datetime import timedelta
from random import Random

import pytest

from tests.support.fast_platform import FastWorld, fast_deps
from tests.support.interleavings import refused
from tombola.domain.errors import DomainError

BUYERS = ("ann", "bob", "cat", "dan", "eve")
FINAL = {"settled", "unsold", "cancelled"}


def maybe_charge_back(w: FastWorld, r: Random) -> None:
    """Now and then the provider gives part of a payment back on its own."""
    if r.random() > 0.15:
        return
    candidates = [p for p, v in w.psp.payments.items() if v["amount"] > v["cancelled"]]
    if candidates:
        payment_id = r.choice(sorted(candidates))
        left = w.psp.payments[payment_id]["amount"] - w.psp.payments[payment_id]["cancelled"]
        w.provider_cancels(payment_id, amount=r.randint(1, left))


def entries(w: FastWorld, r: Random) -> None:
    unpaid: list[str] = []
    for _ in range(r.randint(0, 8)):
        buyer, tickets = r.choice(BUYERS), r.randint(1, 2)
        made = refused(lambda: w.hold(buyer, tickets))  # noqa: B023 (called at once)
        if isinstance(made, str):
            unpaid.append(made)
        if unpaid and r.random() < 0.6:
            checkout = unpaid.pop(r.randrange(len(unpaid)))
            if r.random() < 0.2:
                w.fail(checkout)
            else:
                w.pay(checkout)
                if r.random() < 0.2:
                    w.pay(checkout)  # reported again
        if r.random() < 0.2:
            w.clock.advance(timedelta(minutes=r.choice([3, 11])))
            if r.random() < 0.5:
                w.schedule()
        maybe_charge_back(w, r)
        if w.status != "open":
            break
    if r.random() < 0.3:
        w.stray(f"stray-{r.randint(0, 3)}", 700)
    for checkout in unpaid:  # some pay after everything: late, maybe after the close
        if r.random() < 0.5:
            w.pay(checkout)


def waits(w: FastWorld, r: Random) -> None:
    """Play the execution to its end, a random choice at each wait."""
    for _ in range(40):
        phase = w.run()
        if phase == "done":
            return
        choice = r.random()
        maybe_charge_back(w, r)
        if phase == "wait_p2":
            if choice < 0.5:
                w.pay(w.second_payment())
            elif choice < 0.75:
                w.forfeit()
            else:
                w.lapse()
        elif phase == "wait_ship":
            w.ship() if choice < 0.8 else w.lapse()
        elif phase == "wait_delivery":
            if choice < 0.4:
                w.deliver()
            elif choice < 0.6:
                w.confirm()
            elif choice < 0.8:
                w.dispute()
            else:
                w.lapse()
        elif phase == "wait_confirm":
            if choice < 0.5:
                w.confirm()
            elif choice < 0.75:
                w.dispute()
            else:
                w.lapse()
        elif phase == "wait_resolution":
            w.resolve("refund" if choice < 0.5 else "release")
        if r.random() < 0.1:  # a late or repeated webhook for something already paid
            paid = sorted(w.checkouts_paid())
            if paid:
                w.pay(r.choice(paid), event_id=f"again-{r.randint(0, 3)}")
    raise AssertionError(f"the execution never ended: {w.execution}")


@pytest.mark.parametrize("seed", range(60))
def test_a_random_life_ends_with_the_money_right(seed: int) -> None:
    r = Random(seed)
    deps, clock = fast_deps()
    w = FastWorld(deps, clock)
    w.open(
        expected_entrants=r.randint(2, 6),
        ticket_limit=r.randint(1, 3),
        close_when_full=r.random() < 0.5,
        surplus_policy=r.choice(["operator", "mileage"]),
    )
    entries(w, r)
    if w.status == "open":
        w.close()
    waits(w, r)
    assert w.status in FINAL, w.status
    if w.store.issued_payouts():
        w.payout_reported()
    w.drain()
    st = w.conserved()
    assert st.held_in_escrow == 0
    assert w.store.pending_effects(-(10**6)) == []
    assert w.store.dead_effects() == []
    # a person acting once it is over is refused, never a failure
    for step in (w.ship, w.confirm, w.dispute, lambda: w.forfeit("ann")):
        outcome = refused(step)
        assert outcome is None or isinstance(outcome, DomainError)
