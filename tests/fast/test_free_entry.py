"""The free entry route (docs/RULES.md, rule 20): one ticket with the same chance as a paid one,
in the draw and its entries digest, nothing in the money: ΣP1 and P2 count paid tickets only,
a free ticket earns no mileage and gets nothing back when the sale fails. On the MemoryStore;
the books balance after each."""

from __future__ import annotations

import pytest

from tests.support.fast_platform import FastWorld
from tombola.domain import draw
from tombola.domain.errors import DomainError

P1 = 1_000


def refused(code: str, act: object) -> None:
    with pytest.raises(DomainError) as caught:
        act()  # type: ignore[operator]
    assert caught.value.code == code, caught.value.message


@pytest.fixture
def uk(w: FastWorld) -> FastWorld:
    """The UK's defaults but verification (not what these tests are about): one free entry per
    person per listing, no limit prompt."""
    w.people()
    w.market("UK", identity_required="no", limit_prompt="no")
    return w


def test_a_free_ticket_is_in_the_draw_and_not_in_the_money(uk: FastWorld) -> None:
    w = uk
    w.open(ticket_limit=2)
    made = w.free("ann")
    assert made.entry.payment_method == "free"
    assert made.entry.amount == 0
    assert made.entry.status == "paid"
    [ticket] = made.entry.ticket_ids
    assert "ann" not in ticket  # ticket ids are public: never a user id
    refused("ticket_limit_exceeded", lambda: w.free("ann"))  # one per person here
    w.buy("bob", 2)
    w.buy("ann", 1)  # the free ticket counts towards ann's limit of 2 ...
    refused("ticket_limit_exceeded", lambda: w.hold("ann", 1))  # ... so no third
    w.close()
    assert w.run() == "wait_p2"
    record = w.record()
    assert (record.paid_tickets, record.free_tickets) == (3, 1)
    # P2 is the price less the paid tickets' P1 only: the free one paid nothing
    assert record.second_payment_due == 10_000 - 3 * P1
    transcript = w.store.draw_tickets(w.listing_id, 0)[0]
    assert ticket in [t for t, _ in transcript]
    digest = draw.entries_digest([t for t, _ in transcript])
    assert digest == record.entries_digest
    st = w.conserved()
    assert st.paid_in == {"deposit": 500, "first_payments": 3 * P1}


def test_a_free_entrant_drawn_pays_p2_like_anyone(uk: FastWorld) -> None:
    w = uk
    w.open()
    w.free("ann")
    w.close()
    assert w.run() == "wait_p2"
    assert w.record().candidate == "ann"
    assert w.record().second_payment_due == 10_000
    assert w.pay(w.second_payment()) == "final_buyer"
    w.conserved()


def test_an_unsold_listing_gives_a_free_entrant_nothing_back(uk: FastWorld) -> None:
    w = uk
    w.open()
    w.free("ann")
    w.buy("bob", 1)
    w.close()
    assert w.run() == "wait_p2"
    while w.status == "awaiting_second_payment":
        w.forfeit()
        w.run()
    assert w.status == "unsold"
    st = w.conserved()
    assert st.paid_in == {"deposit": 500, "first_payments": P1}


def test_free_entries_are_refused_where_the_market_has_none_and_after_the_close(
    w: FastWorld,
) -> None:
    w.people()
    w.market("KR", identity_required="no", limit_prompt="no")
    w.open()
    refused("not_allowed_now", lambda: w.free("ann"))
    w.market("UK", identity_required="no", limit_prompt="no")
    w.close()
    refused("listing_not_open", lambda: w.free("ann"))


def test_the_free_route_asks_what_a_purchase_asks_but_money(uk: FastWorld) -> None:
    w = uk
    w.market("UK", identity_required="market")  # verification required
    w.verify("seller")
    w.open()
    refused("verification_needed", lambda: w.free("ann"))
    w.verify("ann")
    w.free("ann")  # no spend limit is needed for nothing spent
    w.conserved()


def test_a_free_ticket_shares_no_surplus_and_earns_no_mileage(uk: FastWorld) -> None:
    """The surplus is shared by the paid tickets of those not chosen; the free one paid nothing
    and gets nothing (the draw may still choose it)."""
    w = uk
    w.open(expected_entrants=2, close_when_full=False, surplus_policy="mileage", ticket_limit=4)
    w.free("dan")
    for buyer, tickets in (("ann", 2), ("bob", 1), ("cat", 1)):
        w.buy(buyer, tickets)  # 20,000 paid: 10,000 over the price
    w.close()
    assert w.run() == "wait_ship"
    final = w.record().final_buyer
    w.ship()
    w.run()
    w.deliver()
    w.run()
    w.confirm()
    w.run()
    assert w.status == "settled"
    earned = {b: w.store.mileage_balance(b, "KRW") for b in ("ann", "bob", "cat", "dan")}
    assert earned["dan"] == 0
    paid = {"ann": 2, "bob": 1, "cat": 1}
    losing = sum(n for b, n in paid.items() if b != final)
    per_ticket = 10_000 // losing
    assert {b: m for b, m in earned.items() if b not in {final, "dan"}} == {
        b: per_ticket * n for b, n in paid.items() if b != final
    }
    w.payout_reported()
    w.conserved()
