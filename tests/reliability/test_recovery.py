"""No execution is left failed with money held: tasks retry, what still fails is seen (attention
list, alert, failed execution) and resumed from the listing's last safe step, by the sweep or by
the operator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from tombola_dev.driver import Driver, complete_sale

from tests.support.faults import failing
from tombola.services import drawing, recovery, settling, waits


def _sold_out(d: Driver, buyers: tuple[str, ...] = ("ann", "bob")) -> str:
    d.user("seller", "seller", payout=True)
    d.user("op", "operator")
    lid = d.open_listing("seller", expected_entrants=len(buyers), ticket_limit=1)
    for b in buyers:
        d.user(b, "buyer")
    return lid


def _buy_all(d: Driver, lid: str, buyers: tuple[str, ...] = ("ann", "bob")) -> None:
    for b in buyers:
        d.buy(b, lid)


def _execution_status(d: Driver, lid: str) -> str:
    return str(d.stack.execution(d.record(lid).execution)["status"])


def _alerts(d: Driver, kind: str) -> list[dict[str, object]]:
    d.stack.deliver_events()
    return [
        e["detail"]
        for fn, e in d.stack.invocations
        if fn == "NotifierFunction"
        and e.get("detail-type") == "OperatorAlert"
        and e["detail"]["alert"] == kind
    ]


def test_a_task_that_fails_a_few_times_is_retried_and_the_sale_goes_on(d: Driver) -> None:
    lid = _sold_out(d)
    with failing(drawing, "run_draw", times=2) as calls:
        _buy_all(d, lid)
        d.wait_status(lid, "final_buyer")
    assert calls[0] == 3
    with failing(settling, "settle_chunk", times=3) as chunk_calls:
        complete_sale(d, lid)
    assert chunk_calls[0] >= 4  # the three failures, then the chunk that went through
    assert d.record(lid).attention is None
    assert d.stack.execution(lid)["status"] == "SUCCEEDED"
    d.conserved(lid)


def test_a_task_that_keeps_failing_is_seen_and_the_operator_resumes_it(d: Driver) -> None:
    lid = _sold_out(d)
    with failing(drawing, "run_draw"):
        _buy_all(d, lid)
        d.stack.wait_for(lambda: d.record(lid).attention is not None, 20, "attention")
        d.stack.wait_for(lambda: _execution_status(d, lid) == "FAILED", 10, "the failed end")
    record = d.record(lid)
    assert record.status.value == "closed"  # with every P1 and the deposit held
    assert record.attention is not None
    assert record.attention.error == "Fault"
    listed = d.ok(d.as_("op", "GET", "/operator/attention"))["listings"]
    assert [(x["listing_id"], x["status"], x["error"], x["resumes_at"]) for x in listed] == [
        (lid, "closed", "Fault", "draw")
    ]
    [alert] = _alerts(d, "ListingNeedsAttention")
    assert alert["listing_id"] == lid
    # Only an operator may list or resume; a buyer or seller is refused and nothing moves.
    assert d.as_("seller", "POST", f"/listings/{lid}/resume").status == 403
    assert d.as_("ann", "GET", "/operator/attention").status == 403
    # The bug is fixed; the operator resumes the listing from its last safe step.
    resumed = d.ok(d.as_("op", "POST", f"/listings/{lid}/resume"))
    assert resumed["resumed"] is True
    assert resumed["start_at"] == "draw"
    assert resumed["execution"] == f"{lid}--r1"
    # Asking again while it runs changes nothing.
    again = d.ok(d.as_("op", "POST", f"/listings/{lid}/resume"))
    assert again["resumed"] is False
    assert again["execution"] == f"{lid}--r1"
    complete_sale(d, lid)
    assert d.ok(d.as_("op", "GET", "/operator/attention"))["listings"] == []
    d.conserved(lid)


def test_the_sweep_resumes_a_stopped_execution_and_gives_up_after_a_few_tries(d: Driver) -> None:
    lid = _sold_out(d)
    with failing(settling, "begin"):
        _buy_all(d, lid)
        complete_sale(d, lid, until="confirmed")
        d.stack.wait_for(lambda: d.record(lid).attention is not None, 20, "attention")
        for n in range(1, 4):
            d.stack.wait_for(lambda: _execution_status(d, lid) == "FAILED", 20, "failed")
            [sweep] = d.stack.run_schedules({"RecoveryFunction"})
            assert sweep["resumed"] == [lid], n
            assert d.record(lid).execution == f"{lid}--r{n}"
            d.stack.wait_for(lambda: d.record(lid).attention is not None, 20, "attention")
        d.stack.wait_for(lambda: _execution_status(d, lid) == "FAILED", 20, "failed")
        [sweep] = d.stack.run_schedules({"RecoveryFunction"})
        assert sweep == {"resumed": [], "left_for_operator": [lid]}
    assert d.record(lid).status.value == "confirmed"
    # Fixed: the next sweep still leaves it (no progress since); the operator resumes it.
    d.ok(d.as_("op", "POST", f"/listings/{lid}/resume"))
    d.wait_status(lid, "settled")
    assert d.stack.execution(d.record(lid).execution)["status"] in {"RUNNING", "SUCCEEDED"}
    d.conserved(lid)


@pytest.mark.parametrize("bound", ["page", "time"])
def test_the_sweep_looks_at_a_bounded_part_and_goes_on_next_time(
    d: Driver, monkeypatch: pytest.MonkeyPatch, bound: str
) -> None:
    """Three listings stopped at their draw: a run resumes two (a page of 2) or one (the time
    budget spent after the first), and the next runs go on from where it stopped."""
    d.user("seller", "seller", payout=True)
    lids = []
    with failing(drawing, "run_draw"):
        for n in range(3):
            lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1)
            for b in (f"a{n}", f"b{n}"):
                d.user(b, "buyer")
                d.buy(b, lid)
            lids.append(lid)
        for lid in lids:
            _wait_stopped(d, lid)
    if bound == "page":
        monkeypatch.setattr(recovery, "SWEEP_PAGE", 2)
        expected = [2, 1, 0]
    else:  # every invocation is told it has 30 s left: less than the reserve
        monkeypatch.setattr(recovery, "SWEEP_RESERVE_MS", 30_001)
        expected = [1, 1, 1, 0]
    runs = [d.stack.run_schedules({"RecoveryFunction"})[0]["resumed"] for _ in expected]
    assert [len(r) for r in runs] == expected
    assert sorted(lid for r in runs for lid in r) == sorted(lids)  # each once
    for lid in lids:
        d.wait_status(lid, "final_buyer")


def _wait_stopped(d: Driver, lid: str) -> None:
    d.stack.wait_for(lambda: d.record(lid).attention is not None, 20, "attention")
    d.stack.wait_for(lambda: _execution_status(d, lid) == "FAILED", 20, "failed")


WAIT_OF = {
    "awaiting_second_payment": "second_payment",
    "final_buyer": "shipment",
    "shipped": "delivery",
    "delivered": "confirmation",
    "disputed": "resolution",
}


@pytest.mark.parametrize("stopped_at", list(WAIT_OF))
def test_an_execution_stopped_at_any_wait_is_resumed_there_by_the_sweep(
    d: Driver, stopped_at: str
) -> None:
    """The wait's own task keeps failing, so the execution ends failed in that status; once it
    works again the sweep resumes the listing at that wait and the sale goes on."""
    d.user("seller", "seller", payout=True)
    d.user("op", "operator")
    lid = d.open_listing("seller", ticket_limit=4, deadlines={"second_payment": 30})
    d.waiting_for_close(lid)  # the close wait stored its token before any wait is made to fail
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        d.buy(b, lid, tickets=2)

    @contextmanager
    def entering(status: str) -> Iterator[None]:
        if stopped_at != status:
            yield
            return
        with failing(waits, "store_token"):
            yield
            d.wait_status(lid, status)
            d.stack.wait_for(lambda: _execution_status(d, lid) == "FAILED", 20, "failed")
        assert d.record(lid).attention is not None
        [sweep] = d.stack.run_schedules({"RecoveryFunction"})
        assert sweep["resumed"] == [lid]
        wait = WAIT_OF[status]
        d.stack.wait_for(lambda: wait in d.record(lid).waits, 10, f"the resumed {wait} wait")
        assert d.record(lid).attention is None

    with entering("awaiting_second_payment"):
        d.close_window(lid)
    d.wait_status(lid, "awaiting_second_payment")
    candidate = d.record(lid).candidate
    assert candidate is not None
    due = d.ok(d.as_(candidate, "POST", f"/listings/{lid}/second-payment"))
    with entering("final_buyer"):
        d.ok(d.pay(due["checkout"]["checkout_id"]))
    d.wait_status(lid, "final_buyer")
    d.stack.wait_for(lambda: "shipment" in d.record(lid).waits, 10, "the shipment wait")
    with entering("shipped"):
        d.ok(
            d.as_(
                "seller",
                "POST",
                f"/listings/{lid}/shipment",
                {"carrier": "CJ", "tracking_number": "T-1"},
            )
        )
    d.stack.wait_for(lambda: "delivery" in d.record(lid).waits, 10, "the delivery wait")
    with entering("delivered"):
        d.ok(d.deliver(lid, "T-1"))
    d.stack.wait_for(lambda: "confirmation" in d.record(lid).waits, 10, "the confirm wait")
    if stopped_at == "disputed":
        with entering("disputed"):
            d.ok(d.as_(candidate, "POST", f"/listings/{lid}/dispute", {"reason": "broken"}))
        d.stack.wait_for(lambda: "resolution" in d.record(lid).waits, 10, "the resolution wait")
        d.ok(d.as_("op", "POST", f"/listings/{lid}/dispute/resolution", {"decision": "release"}))
    else:
        d.ok(d.as_(candidate, "POST", f"/listings/{lid}/confirm"))
    d.wait_status(lid, "settled")
    st = d.conserved(lid)
    assert st.paid_out["seller_payout"] == 1_000_000
    assert len(d.psp.records("PAYOUT")) == 1


def test_a_draw_over_tickets_that_disagree_with_the_count_at_close_stops_for_the_operator(
    d: Driver,
) -> None:
    lid = _sold_out(d, ("ann", "bob", "cy"))
    _buy_all(d, lid, ("ann", "bob"))
    # a write around the rules: one shard counts a ticket no buyer holds
    d.store.client.update_item(
        TableName=d.store.table,
        Key={"pk": {"S": f"QUOTA#{lid}#0"}, "sk": {"S": "QUOTA"}},
        UpdateExpression="ADD paid :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    d.close_window(lid)
    d.stack.wait_for(lambda: d.record(lid).attention is not None, 20, "attention")
    record = d.record(lid)
    assert record.status.value == "closed"
    assert record.paid_tickets == 3
    assert record.attention is not None
    assert record.attention.error == "DrawError"
    assert "closed with 3 paid tickets but its buyers hold 2" in record.attention.cause
    assert d.store.draw_order(lid, 0, 10) == []  # nothing drawn
    d.conserved(lid)
