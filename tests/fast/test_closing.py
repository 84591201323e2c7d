"""The close, owned by the listing's execution, and the schedule behind it (services/closing.py):
what happens when the execution is missing, when the schedule meets trouble, and when a deposit
comes after it expired."""

from __future__ import annotations

from datetime import timedelta

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
