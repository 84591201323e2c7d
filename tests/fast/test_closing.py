"""The close, owned by the listing's execution, and the schedule behind it (services/closing.py):
what happens when the execution is missing, when the schedule meets trouble, and when a deposit
comes after it expired."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tests.support.fast_platform import FastWorld, fast_deps
from tombola.services import closing


def world(**settings: object) -> FastWorld:
    deps, clock = fast_deps()
    if settings:
        deps.settings = deps.settings.model_copy(update=settings)
    return FastWorld(deps, clock)


def test_the_last_ticket_starts_a_draw_when_no_execution_waits_for_the_close() -> None:
    """A listing published before executions began at publish (or whose execution stopped):
    the payment that fills it closes it and starts an execution at the draw at once."""
    w = world()
    lid = w.open(expected_entrants=2, ticket_limit=2)
    w.workflow.started.remove(lid)  # nothing runs for it
    assert w.buy("ann", 2) == "tickets_issued"
    assert w.status == "closed"
    assert lid in w.workflow.started


def test_one_listing_the_schedule_cannot_finish_holds_up_no_other() -> None:
    w = world()
    first = w.open()
    second = w.open()
    w.clock.current = w.record().closes_at + timedelta(seconds=1)
    real = w.workflow.status

    def status(name: str) -> str | None:
        if name == first:
            raise RuntimeError("ThrottlingException: DescribeExecution")
        return real(name)

    w.workflow.status = status  # type: ignore[method-assign]
    out = closing.close_due(w.deps)
    assert out["failed"] == [first]
    assert out["closed"] == [second]
    w.listing_id = second
    assert w.status == "closed"


def test_a_deposit_paid_after_it_expired_is_refunded_before_the_schedule_cancels() -> None:
    w = world(deposit_expiry_seconds=600)
    w.people()
    created = w.create(closes_at=(w.clock.now() + timedelta(days=3)).isoformat())
    assert created.deposit.checkout is not None
    w.clock.advance(timedelta(seconds=630))  # expired; the schedule has not run yet
    assert w.pay(created.deposit.checkout.checkout_id) == "refunded"
    assert w.status == "awaiting_deposit"
    closing.close_due(w.deps)
    assert (w.status, w.record().outcome_reason) == ("cancelled", "deposit_not_paid")
    w.conserved()


class CommitGate:
    """Each named thread's first commit that writes the listing or its ticket counts (a close,
    a payment's tickets) waits until every named thread reached its own, then they commit one at
    a time in ``order``: all decided from the same read, each writes after the others (the
    read-then-write race moto never shows). Any other commit (a retry after a conflict, the
    fill's close after its tickets, effects) goes straight through."""

    def __init__(self, store: Any, order: tuple[str, ...]) -> None:
        self.order = order
        self.turn = 0
        self.arrived: set[str] = set()
        self.done: set[str] = set()
        self.cv = threading.Condition()
        self.real = store.commit
        store.commit = self.commit

    def commit(self, change: Any) -> Any:
        me = threading.current_thread().name
        decisive = change.listing is not None or bool(change.quota)
        if me not in self.order or me in self.arrived or not decisive:
            return self.real(change)
        with self.cv:
            self.arrived.add(me)
            self.cv.notify_all()
            self.cv.wait_for(
                lambda: len(self.arrived) == len(self.order) and self.order[self.turn] == me,
                timeout=5,
            )
        try:
            return self.real(change)
        finally:
            with self.cv:
                self.turn = min(self.turn + 1, len(self.order) - 1)
                self.cv.notify_all()


def named_together(jobs: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def run(name: str) -> None:
        try:
            out[name] = jobs[name]()
        except Exception as exc:  # the result is asserted on
            out[name] = exc

    threads = [threading.Thread(target=run, args=(n,), name=n) for n in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return out


@pytest.mark.parametrize("order", list(itertools.permutations(("timer", "payment", "schedule"))))
def test_the_three_closers_deciding_from_one_read_close_once(order: tuple[str, ...]) -> None:
    """At closes_at the execution's timer, the payment that fills the listing and the minute
    schedule all read it open and decide to close; whichever commits first wins, the others
    retry on what it wrote. The listing is closed once, told once, drawn by one execution, and
    the payment is either in the draw or refunded, never counted and left out."""
    w = world()
    lid = w.open(expected_entrants=3, ticket_limit=2)
    assert w.buy("ann", 2) == "tickets_issued"
    checkout = w.hold("bob", 1)
    assert checkout is not None
    w.clock.current = w.record().closes_at
    CommitGate(w.store, order)
    results = named_together(
        {
            "timer": lambda: closing.close_on_time(w.deps, lid),
            "payment": lambda: w.pay(checkout),
            "schedule": lambda: closing.close_due(w.deps),
        }
    )
    assert not [r for r in results.values() if isinstance(r, Exception)], results
    record = w.record()
    assert record.status.value == "closed"
    closed_notices = [e for e, _ in w.events.published if e == "ListingClosed"]
    assert len(closed_notices) == 1
    assert w.workflow.started == [lid]
    paid = w.psp.payments[f"pay_{checkout}"]["amount"]
    if results["payment"] == "tickets_issued":
        assert record.paid_tickets == 3
    else:
        assert results["payment"] == "refunded", results
        assert record.paid_tickets == 2
        assert w.psp.refunded(f"pay_{checkout}") == paid
    phase = w.run()
    assert phase in {"wait_p2", "wait_ship"}
    assert w.store.draw_order(lid, 0, 10)  # one draw, of what was counted
    w.conserved()
