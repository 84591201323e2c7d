"""A listing's execution owns its whole life: it starts when the listing is published, closes it
at closes_at by its own timer (or when the last ticket fills it), and goes on to the draw. The
schedule is only the safety net: it closes what nobody closed, starts the execution that is not
running, counts a close more than a minute late, and cancels a listing whose deposit never came.

The state machine's timers are real seconds; the domain clock is the test's."""

from __future__ import annotations

from datetime import timedelta

import boto3
import pytest
from tombola_dev.driver import Driver

from tombola.adapters.container import deps
from tombola.services.closing import close_on_time
from tombola.telemetry import Metric


def history(d: Driver, name: str) -> list[str]:
    arn = d.stack.execution(name)["executionArn"]
    events = boto3.client("stepfunctions").get_execution_history(executionArn=arn, maxResults=1000)
    return [
        e["stateEnteredEventDetails"]["name"]
        for e in events["events"]
        if "stateEnteredEventDetails" in e
    ]


def open_with_a_ticket(d: Driver) -> str:
    """Open for an hour, ann holding one paid ticket of 1,000 (P2 due when drawn)."""
    d.user("seller", "seller", payout=True)
    d.user("ann", "buyer")
    lid = d.open_listing("seller", expected_entrants=1_000)
    d.buy("ann", lid, tickets=1)
    return lid


def test_publishing_starts_the_execution_which_closes_on_time_by_its_timer(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    d.user("ann", "buyer")
    closes_at = d.clock.now() + timedelta(seconds=2)
    lid = d.open_listing("seller", expected_entrants=1_000, closes_at=closes_at.isoformat())
    assert d.stack.execution(lid)["status"] == "RUNNING"  # started by the deposit, not the close
    d.buy("ann", lid, tickets=2)
    d.waiting_for_close(lid)
    assert d.record(lid).status.value == "open"
    d.clock.current = closes_at  # the function's clock agrees the window ended
    # no schedule runs: the execution's own timer closes the listing and draws
    d.wait_status(lid, "awaiting_second_payment", "final_buyer", timeout=15)
    record = d.record(lid)
    assert record.closed_at == closes_at
    assert record.paid_tickets == 2
    assert "close" not in record.waits  # the timed-out token was dropped, not kept for ever
    states = history(d, lid)
    assert states[:4] == ["Begin", "WaitForClose", "CloseListing", "AfterClose"]
    assert "Draw" in states
    d.conserved(lid)


def test_a_timer_early_by_the_functions_clock_waits_again_for_what_is_left(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=1_000)
    left = close_on_time(deps(), lid)
    assert left == {"closed": False, "close_in": 3600}
    assert d.record(lid).status.value == "open"


def test_the_close_waits_out_the_timers_last_fraction_of_a_second(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=1_000)
    closes_at = d.record(lid).closes_at
    d.clock.current = closes_at - timedelta(milliseconds=400)  # the timer counts whole seconds
    assert close_on_time(deps(), lid) == {"closed": True, "close_in": 0}
    assert d.record(lid).closed_at == closes_at  # never before its time


def test_the_payment_that_fills_the_listing_resumes_its_execution_at_once(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    for b in ("ann", "bob"):
        d.user(b, "buyer")
    lid = d.open_listing("seller", price=10_000, expected_entrants=4, ticket_limit=2)
    d.waiting_for_close(lid)
    d.buy("ann", lid, tickets=2)
    d.buy("bob", lid, tickets=2)
    # closes_at is an hour away and no schedule runs: the last ticket closed it
    d.wait_status(lid, "final_buyer", timeout=15)
    assert "CloseListing" in history(d, lid)
    d.conserved(lid)


@pytest.mark.parametrize("d", [{"DepositExpirySeconds": "600"}], indirect=True)
def test_an_unpaid_deposit_expires_and_the_listing_is_cancelled(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    created = d.create_listing("seller", closes_at=(d.clock.now() + timedelta(days=3)).isoformat())
    lid = created["listing"]["listing_id"]
    checkout = created["deposit"]["checkout"]
    assert checkout["expires_at"] == (d.clock.now() + timedelta(seconds=600)).isoformat()
    assert d.ok(d.stack.http("GET", "/policy"))["deposit_expiry_seconds"] == 600
    [mine] = d.ok(d.as_("seller", "GET", "/me/listings"))["listings"]
    assert mine["deposit_due_at"] == checkout["expires_at"]  # the seller sees the deadline
    d.clock.advance(timedelta(seconds=599))
    d.stack.run_schedules({"CloseFunction"})
    assert d.record(lid).status.value == "awaiting_deposit"
    d.clock.advance(timedelta(seconds=2))
    d.stack.run_schedules({"CloseFunction"})
    record = d.record(lid)
    assert (record.status.value, record.outcome_reason) == ("cancelled", "deposit_not_paid")
    # the deposit arriving now is refunded, never opening the listing
    assert d.ok(d.pay(checkout["checkout_id"]))["result"] == "refunded"
    assert d.record(lid).status.value == "cancelled"
    d.conserved(lid)


def test_the_schedule_closes_a_listing_whose_execution_stopped_and_counts_it_late(
    d: Driver,
) -> None:
    lid = open_with_a_ticket(d)
    d.waiting_for_close(lid)
    # its close wait fails (say, its task kept failing): the execution ends on the operator's list
    token = d.record(lid).waits["close"].token
    boto3.client("stepfunctions").send_task_failure(taskToken=token, error="Lost", cause="test")
    d.stack.wait_for(lambda: d.stack.execution(lid)["status"] == "FAILED", what="failed")
    d.clock.current = d.record(lid).closes_at + timedelta(minutes=2)
    d.stack.run_schedules({"CloseFunction"})
    record = d.record(lid)
    assert record.closed_at == d.clock.now()
    assert record.execution_name == f"{lid}--r1"  # a new execution, at the draw
    d.wait_status(lid, "awaiting_second_payment", timeout=15)
    assert history(d, record.execution)[:2] == ["Begin", "Draw"]
    assert d.telemetry.total(Metric.LATE_CLOSES) == 1
    d.conserved(lid)


def test_the_schedule_on_time_resumes_the_waiting_execution_and_counts_nothing(
    d: Driver,
) -> None:
    lid = open_with_a_ticket(d)
    d.waiting_for_close(lid)
    d.close_window(lid)
    d.wait_status(lid, "awaiting_second_payment", timeout=15)
    assert d.record(lid).execution_name is None  # the execution started at publish went on
    assert d.telemetry.total(Metric.LATE_CLOSES) == 0
