"""What the product reports: one log line per business decision, metrics counted once per
committed fact (a replayed webhook counts nothing), and the API request id as the correlation id
of every line a request logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from tombola_dev.driver import Driver, complete_sale

from tombola.adapters import container
from tombola.adapters.observability import logger
from tombola.telemetry import Metric


@contextmanager
def log_lines() -> Iterator[list[dict[str, object]]]:
    """The JSON lines the functions log meanwhile, formatted as Lambda would write them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    lines: list[dict[str, object]] = []
    try:
        yield lines
    finally:
        logger.removeHandler(handler)  # type: ignore[attr-defined]
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines() if line)


def test_a_sale_reports_each_decision_once_with_fixed_metrics(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=10, close_when_full=False, ticket_limit=4)
    bought = {}
    for b, n in (("ann", 3), ("bob", 2)):
        d.user(b, "buyer")
        bought[b] = d.buy(b, lid, tickets=n)
    # the provider delivers a ticket payment again: nothing is counted twice
    d.ok(d.pay(bought["ann"]["checkout"]["checkout_id"]))
    d.close_window(lid)
    d.wait_status(lid, "awaiting_second_payment")
    first = d.record(lid).candidate
    assert d.redrawn_pays(lid, first)[1]["result"] == "final_buyer"
    complete_sale(d, lid)
    p1 = d.record(lid).first_payment

    t = d.telemetry
    assert t.total(Metric.TICKETS_SOLD) == 5
    assert t.total(Metric.FIRST_PAYMENTS) == 5 * p1
    assert t.total(Metric.DRAWS) == 1
    assert t.total(Metric.REDRAWS) == 1
    assert t.total(Metric.SECOND_PAYMENT_TIMEOUTS) == 1
    assert t.total(Metric.SETTLEMENTS, Outcome="sold") == 1
    assert t.total(Metric.SETTLEMENTS, Outcome="unsold") == 0
    assert t.total(Metric.REFUNDS) == 1  # the seller's deposit
    assert t.total(Metric.REFUNDED) == d.record(lid).deposit
    names = [x.name for x in t.decisions if x.listing_id == lid]
    assert names.count("tickets_accepted") == 2
    assert [n for n in names if n != "tickets_accepted"] == [
        "drawn",
        "redrawn",
        "settled",
        "refunded",
    ]
    redrawn = next(x for x in t.decisions if x.name == "redrawn")
    assert redrawn.facts["reason"] == "States.Timeout"
    d.conserved(lid)


def test_every_line_a_request_logs_carries_its_request_id(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=4)
    d.user("ann", "buyer")
    with log_lines() as lines:
        refused = d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 9})
    assert refused.status == 409
    _, event = next(i for i in reversed(d.stack.invocations) if i[0] == "EntryFunction")
    request_id = event["requestContext"]["requestId"]
    assert lines, "the refusal is logged"
    assert {line.get("correlation_id") for line in lines} == {request_id}
    refusal = next(line for line in lines if line["message"] == "request refused")
    assert refusal["code"] == "ticket_limit_exceeded"


def test_a_telemetry_failure_never_holds_back_a_committed_changes_effects(d: Driver) -> None:
    class Broken:
        def decided(self, decision: object) -> None:
            raise RuntimeError("metrics backend down")

        def count(self, point: object) -> None:
            raise RuntimeError("metrics backend down")

    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1)
    container.override(telemetry=Broken())
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid)  # the second payment fills the listing; its effects start the draw
    d.wait_status(lid, "final_buyer")
    assert d.store.pending_effects(-3600) == []
    d.conserved(lid)
