"""Contention: transactions cancelled by TransactionConflict as DynamoDB does under load, real
threads racing for the last tickets, one webhook delivered ten times at once, and a second
payment racing its deadline."""

from __future__ import annotations

import threading
import zlib
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from tombola_dev.contention import Conflicts
from tombola_dev.driver import Driver
from tombola_dev.parameters import FAST

from tests.reliability.test_crash_points import clean, same_money
from tests.support.crash import converged, world
from tests.support.flows import FLOWS
from tests.support.interleavings import together
from tombola.domain.money import Money


@pytest.mark.parametrize("flow", list(FLOWS))
def test_a_quarter_of_transactions_conflicting_changes_nothing(flow: str) -> None:
    expected, paid_in, paid_out, _ = clean(flow)
    with world(FAST) as (w, _):
        conflicts = Conflicts(0.3, seed=zlib.crc32(flow.encode()))
        w.d.stack.on_call = conflicts
        lid, _ = FLOWS[flow](w)
        st = converged(w, lid, expected)
    assert conflicts.injected > 0, conflicts
    same_money(st, paid_in, paid_out)


def _together(jobs: list[Callable[[], Any]]) -> list[Any]:
    return together(*jobs)


def test_buyers_racing_for_the_last_tickets_never_pass_np(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=6, ticket_limit=2)
    buyers = [f"b{i}" for i in range(12)]
    for b in buyers:
        d.user(b, "buyer")
    holds = _together(
        [
            lambda b=b: d.as_(b, "POST", f"/listings/{lid}/entries", {"tickets": 1})  # type: ignore[misc]
            for b in buyers
        ]
    )
    statuses = Counter(r.status for r in holds)
    assert statuses[201] == 6, statuses  # paid + held never pass Np
    assert set(statuses) <= {201, 409}, statuses
    refused = [r.body["error"]["code"] for r in holds if r.status == 409]
    assert set(refused) == {"listing_full"}, [r.body for r in holds if r.status == 409]
    paid = _together(
        [
            lambda r=r: d.pay(r.body["checkout"]["checkout_id"])  # type: ignore[misc]
            for r in holds
            if r.status == 201
        ]
    )
    assert all(p.status == 200 for p in paid)
    assert d.listing(lid)["paid_tickets"] == 6
    d.wait_status(lid, "final_buyer", "awaiting_second_payment")
    d.conserved(lid)


def test_the_same_webhook_ten_times_at_once_is_applied_once(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller")
    d.user("ann", "buyer")
    entry = d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 2}), 201)
    chk = entry["checkout"]["checkout_id"]
    results = _together([lambda: d.pay(chk, event_id="evt-same") for _ in range(10)])
    outcomes = Counter(r.body["result"] for r in results)
    assert outcomes == {"tickets_issued": 1, "duplicate": 9}, outcomes
    assert d.listing(lid)["paid_tickets"] == 2
    st = d.conserved(lid)
    assert st.paid_in["first_payments"] == 2_000


@pytest.mark.parametrize("delay", [0.6, 0.9, 1.0, 1.1, 1.4])
def test_a_second_payment_racing_its_deadline_makes_one_final_buyer(
    d: Driver, delay: float
) -> None:
    lid = d.awaiting_second_payment(1)
    record = d.record(lid)
    # the first drawn, even when a loaded machine let its deadline (and the next) pass already
    first, drawn = d.store.draw_order(lid, 0, 1)[0], 1
    asked = d.as_(first, "POST", f"/listings/{lid}/second-payment")
    if asked.status == 200:
        checkout_id = asked.body["checkout"]["checkout_id"]
    else:  # a loaded machine: the 1 s deadline passed before the request; pay the same checkout
        assert asked.status == 404, asked
        checkout_id = d.psp.create_checkout(
            reference=f"p2:{lid}:{first}:{drawn}",
            payer_id=first,
            amount=Money(record.second_payment_due, record.currency),
            expires_at=d.clock.now(),
        ).checkout_id
    timer = threading.Event()
    timer.wait(delay)
    result = d.ok(d.pay(checkout_id))["result"]
    assert result in {"final_buyer", "refunded"}, result
    if result == "final_buyer":
        d.wait_status(lid, "final_buyer")
        assert d.record(lid).final_buyer == first
    else:  # too late: the re-draw named the other buyer, who may still pay
        d.stack.wait_for(lambda: d.record(lid).candidate != first, 10, "the re-draw")
        second = d.record(lid).candidate
        if second is not None:
            asked2 = d.as_(second, "POST", f"/listings/{lid}/second-payment")
            if asked2.status == 200:  # on a loaded machine this 1 s window may pass as well
                outcome = d.ok(d.pay(asked2.body["checkout"]["checkout_id"]))["result"]
                if outcome == "final_buyer":
                    assert d.record(lid).final_buyer == second
            else:
                assert asked2.status == 404, asked2
    d.wait_status(lid, "final_buyer", "unsold", timeout=20)
    record = d.record(lid)
    p2 = [e for e in d.store.journal_of_listing(lid) if e.kind.value == "second_payment_paid"]
    assert len(p2) == (1 if record.final_buyer else 0), p2
    assert record.final_buyer not in d.forfeited(lid)
    d.conserved(lid)


def test_a_rush_on_a_sharded_listing_sells_exactly_np_and_refuses_only_for_full(
    d: Driver,
) -> None:
    """150 tickets over 3 quota shards and 6 entry partitions, 48 buyers asking for up to 4
    tickets at once while a fifth of transactions are cancelled: exactly Np is held and paid,
    the listing closes when full, and nobody is refused for anything but a business reason."""
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=150, ticket_limit=4)
    record = d.record(lid)
    assert (record.quota_shards, record.entry_partitions) == (3, 6)
    buyers = [f"r{i}" for i in range(48)]  # asking for 120 tickets at once
    for b in buyers:
        d.user(b, "buyer")
    d.stack.on_call = Conflicts(0.2, seed=7)
    holds = _together(
        [
            lambda b=b: d.as_(  # type: ignore[misc]
                b, "POST", f"/listings/{lid}/entries", {"tickets": int(b[1:]) % 4 + 1}
            )
            for b in buyers
        ]
    )
    assert {r.status for r in holds} == {201}, [r.body for r in holds if r.status != 201]
    late = [f"s{i}" for i in range(10)]  # 10 × 4 more: 30 of them fit
    for b in late:
        d.user(b, "buyer")
    holds += _together(
        [
            lambda b=b: d.as_(b, "POST", f"/listings/{lid}/entries", {"tickets": 4})  # type: ignore[misc]
            for b in late
        ]
    )
    refused = Counter(r.body["error"]["code"] for r in holds if r.status != 201)
    assert set(refused) <= {"listing_full"}, refused
    held = sum(r.body["entry"]["tickets"] for r in holds if r.status == 201)
    assert held <= 150
    while held < 150:  # the tail: one ticket at a time takes what is left in any shard
        b = f"t{held}"
        d.user(b, "buyer")
        holds.append(d.as_(b, "POST", f"/listings/{lid}/entries", {"tickets": 1}))
        assert holds[-1].status == 201, holds[-1].body
        held += 1
    d.user("last", "buyer")
    full = d.as_("last", "POST", f"/listings/{lid}/entries", {"tickets": 1})
    assert (full.status, full.body["error"]["code"]) == (409, "listing_full")
    paid = _together(
        [
            lambda r=r: d.pay(r.body["checkout"]["checkout_id"])  # type: ignore[misc]
            for r in holds
            if r.status == 201
        ]
    )
    d.stack.on_call = None
    assert {p.status for p in paid} == {200}, [p.body for p in paid if p.status != 200]
    assert {p.body["result"] for p in paid} == {"tickets_issued"}
    d.wait_status(lid, "awaiting_second_payment", "final_buyer")
    assert d.record(lid).paid_tickets == 150
    shards = d.store.quota(lid, range(3))
    assert [s.paid for s in shards] == [s.cap for s in shards]
    assert all(not s.open and s.remaining == 0 for s in shards)
    d.conserved(lid)
