"""Effects committed with a change are not lost when the Lambda stops before running them."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from tombola_dev.driver import Driver

from tombola.adapters.container import deps
from tombola.telemetry import Metric


def outbox(d: Driver) -> int:
    return len(d.store.pending_effects(-3600))


def test_an_effect_that_failed_after_commit_is_run_by_the_schedule(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    created = d.create_listing("seller")
    lid = created["listing"]["listing_id"]
    events = deps().events
    with mock.patch.object(type(events), "publish", side_effect=RuntimeError("bus down")):
        answered = d.pay(created["deposit"]["checkout"]["checkout_id"], event_id="evt-dep")
    # The state change and its journal entry were committed; the notification that failed
    # waits in the outbox for its own retry, and the webhook is answered.
    assert answered.status == 200, answered.body
    assert d.record(lid).status.value == "open"
    assert outbox(d) == 1
    # The provider retries: nothing is applied twice.
    assert (
        d.ok(d.pay(created["deposit"]["checkout"]["checkout_id"], event_id="evt-dep"))["result"]
        == "duplicate"
    )
    d.clock.current += timedelta(minutes=2)  # past its first retry's pause
    [result] = d.stack.run_schedules({"CloseFunction"})
    assert result["effects_recovered"] == 1
    # the effect lag the alarm watches: how long the oldest batch waited
    assert d.telemetry.totals[(Metric.EFFECT_LAG, ())] >= 120
    assert outbox(d) == 0
    assert d.stack.deliver_events() == 1  # the ListingOpened notification, once
    d.conserved(lid)
