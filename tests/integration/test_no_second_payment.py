"""When the tickets already cover the price: [0048] operator policy, [0050] mileage policy,
[0051] close-when-full."""

from __future__ import annotations

from random import Random

from tombola_dev.doubles import SeededRandomness
from tombola_dev.driver import Driver, complete_sale

from tombola.adapters import container
from tombola.domain import draw
from tombola.domain.ledger import OPERATOR_REVENUE


def revenue(d: Driver) -> int:
    return sum(
        p.amount
        for e in d.store.all_journal_entries()
        for p in e.postings
        if p.account == OPERATOR_REVENUE
    )


def test_0048_operator_policy_final_buyer_at_once_and_100_000_to_the_operator(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing(
        "seller",
        close_when_full=False,
        ticket_limit=100,
        surplus_policy="operator",
        deadlines={"confirm": 1},
    )
    for i in range(11):
        d.user(f"b{i}", "buyer")
        d.buy(f"b{i}", lid, tickets=100)
    assert d.listing(lid)["second_payment_if_drawn_now"] == 0
    d.close_window(lid)
    d.wait_status(lid, "final_buyer")
    assert d.record(lid).second_payment_due == 0
    complete_sale(d, lid, confirm=False)  # auto-confirmed when the window passes
    st = d.conserved(lid)
    assert revenue(d) == 100_000
    assert st.paid_out["seller_payout"] == 1_000_000
    assert "second_payment" not in st.paid_in
    assert d.record(lid).outcome_reason == "auto_confirmed"


def seed_making_winner(listing_id: str, tickets: list[draw.PublicTicket], winner: str) -> int:
    """A randomness seed under which ``winner`` is drawn first: a draw-v1 draw is deterministic
    in its seed, so the test can pick the patent's case (the final buyer holds one ticket)."""
    for k in range(100_000):
        seed = Random(k).randbytes(32)
        if draw.candidate_order(seed, listing_id, tickets)[0] == winner:
            return k
    raise AssertionError("no seed found")


def test_0050_mileage_policy_90_per_losing_ticket_then_spent_elsewhere(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    buyers = {f"b{i}": 100 for i in range(10)} | {"b10": 99, "winner": 1}
    # ids are predictable: L000001 for the listing, then one entry id per purchase, in order.
    expected = [
        draw.PublicTicket(f"E{n:06d}-{t + 1}", b)
        for n, (b, count) in enumerate(buyers.items(), start=2)
        for t in range(count)
    ]
    container.override(
        randomness=SeededRandomness(seed_making_winner("L000001", expected, "winner"))
    )
    lid = d.open_listing(
        "seller", close_when_full=False, ticket_limit=100, surplus_policy="mileage"
    )
    assert lid == "L000001"
    d.as_draw_v1(lid)  # foreseen from the seed alone (draw-v2 would need the beacon's round)
    for b, count in buyers.items():
        d.user(b, "buyer")
        d.buy(b, lid, tickets=count)
    d.close_window(lid)

    def earned(buyer: str) -> list[int | None]:
        entries = d.ok(d.as_(buyer, "GET", "/me/entries"))["entries"]
        return [e["mileage_earned"] for e in entries if e["listing_id"] == lid]

    assert earned("b0") == [None]  # not settled yet
    complete_sale(d, lid)
    assert d.record(lid).final_buyer == "winner"
    st = d.conserved(lid)
    assert st.paid_out["mileage_issued"] == 90 * 1_099
    assert (earned("b0"), earned("b10"), earned("winner")) == ([9_000], [8_910], [0])
    assert revenue(d) == 1_090
    assert d.store.mileage_balance("b0", "KRW") == 9_000
    assert d.store.mileage_balance("b10", "KRW") == 8_910
    assert d.store.mileage_balance("winner", "KRW") == 0
    assert d.ok(d.as_("b0", "GET", "/me/mileage"))["balance"] == 9_000

    # A loser spends mileage on another listing's tickets.
    other = d.open_listing("seller", expected_entrants=1_000)
    entry = d.buy("b0", other, tickets=4, method="mileage")
    assert entry["entry"]["status"] == "paid"
    assert d.store.mileage_balance("b0", "KRW") == 5_000
    assert d.listing(other)["paid_tickets"] == 4
    d.conserved(other)
    # More than the balance is refused, and nothing is written.
    d.user("poor", "buyer")
    r = d.as_(
        "poor", "POST", f"/listings/{other}/entries", {"tickets": 1, "payment_method": "mileage"}
    )
    assert r.status == 402, r
    assert r.body["error"]["field"] == "payment_method"
    assert d.listing(other)["paid_tickets"] == 4


def test_0051_the_thousandth_ticket_closes_and_starts_the_execution(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", ticket_limit=100)  # close_when_full defaults to yes
    for i in range(10):
        d.user(f"b{i}", "buyer")
        d.buy(f"b{i}", lid, tickets=100)
    # No schedule ran: the 1,000th paid ticket closed the listing and started the execution.
    assert d.stack.execution(lid)["status"] == "RUNNING"
    d.wait_status(lid, "final_buyer")
    assert d.record(lid).second_payment_due == 0
    d.user("late", "buyer")
    r = d.as_("late", "POST", f"/listings/{lid}/entries", {"tickets": 1})
    assert r.status == 409, r
    assert r.body["error"]["code"] == "listing_not_open"
    complete_sale(d, lid)
    st = d.conserved(lid)
    assert st.paid_in["first_payments"] == 1_000_000
    assert revenue(d) == 0
