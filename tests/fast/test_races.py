"""The MemoryStore under real threads: its transactions are atomic as DynamoDB's are, so the
services' optimistic writes (read, decide, commit under the version read) hold under races."""

from __future__ import annotations

from tests.support.fast_platform import FastWorld
from tests.support.interleavings import together
from tombola.domain.errors import ListingFull


def test_buyers_racing_for_the_last_tickets_never_oversell(w: FastWorld) -> None:
    w.open(expected_entrants=3, ticket_limit=1)
    buyers = ("ann", "bob", "cat", "dan", "eve")
    held = together(*(lambda b=b: w.hold(b) for b in buyers))
    won = [c for c in held if isinstance(c, str)]
    assert len(won) == 3, held
    assert all(isinstance(c, str | ListingFull) for c in held), held
    results = together(*(lambda c=c: w.pay(c) for c in won))
    assert results == ["tickets_issued"] * 3
    assert w.status == "closed"  # the third paid ticket closed it
    assert w.record().paid_tickets == 3
    w.conserved()


def test_one_payment_delivered_many_times_at_once_is_applied_once(w: FastWorld) -> None:
    w.open()
    checkout = w.hold("ann", 2)
    assert checkout is not None
    results = together(*(lambda n=n: w.pay(checkout, event_id=f"e{n}") for n in range(6)))
    assert sorted(results) == ["duplicate"] * 5 + ["tickets_issued"]
    assert sum(s.paid for s in w.store.quota(w.listing_id, range(1))) == 2
    w.conserved()


def test_a_forfeit_racing_the_second_payment_ends_one_way(w: FastWorld) -> None:
    w.open(expected_entrants=4)
    w.buy("ann", 2)
    w.buy("bob", 1)
    w.close()
    assert w.run() == "wait_p2"
    checkout = w.second_payment()
    candidate = w.record().candidate
    paid, _ = together(lambda: w.pay(checkout), lambda: w.forfeit(candidate))
    phase = w.run()
    if paid == "final_buyer":
        assert phase == "wait_ship"
    else:  # forfeited first: the late P2 is refunded
        assert paid == "refunded"
        assert w.psp.refunded(f"pay_{checkout}") == w.psp.payments[f"pay_{checkout}"]["amount"]
    w.conserved()
