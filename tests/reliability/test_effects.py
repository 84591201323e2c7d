"""Effects after a commit (refunds, payouts, credits, notifications, callbacks) are independent:
one that keeps failing holds up none of the others, is retried on its own with a growing pause,
and after MAX_EFFECT_ATTEMPTS lands on the operator's list of dead letters, alarmed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from unittest import mock

from tombola_dev.driver import Driver

from tests.reliability.test_late_events import a_month_later
from tombola.adapters.container import deps
from tombola.adapters.sandbox_psp import SandboxPaymentProvider
from tombola.services.runner import MAX_EFFECT_ATTEMPTS, effect_backoff
from tombola.telemetry import Metric


@contextmanager
def refunds_of(payment_id: str, *, failing: bool = True) -> Iterator[list[str]]:
    """The provider refuses every refund of ``payment_id`` (as PortOne refuses a virtual
    account's refund without a refund account); the others go through."""
    real = SandboxPaymentProvider.refund
    tried: list[str] = []

    def refund(self: SandboxPaymentProvider, **kw: Any) -> None:
        if kw["payment_id"] == payment_id:
            tried.append(kw["refund_id"])
            if failing:
                raise RuntimeError("refund account required")
        real(self, **kw)

    with mock.patch.object(SandboxPaymentProvider, "refund", refund):
        yield tried


def refunded(d: Driver) -> set[str]:
    return {r["payment_id"] for r in d.psp.records("REFUND")}


def not_shipped(d: Driver) -> tuple[str, dict[str, str]]:
    """ann and bob fill a listing of two; the seller never ships: the sale is cancelled and
    both P1 are refunded in one settlement chunk. Returns each buyer's payment id."""
    d.user("seller", "seller", payout=True)
    lid = d.open_listing("seller", expected_entrants=2, ticket_limit=1, deadlines={"ship": 2})
    payments = {}
    for b in ("ann", "bob"):
        d.user(b, "buyer")
        payments[b] = "pay_" + d.buy(b, lid)["checkout"]["checkout_id"]
    return lid, payments


def sweep(d: Driver, attempts: int) -> None:
    d.clock.advance(effect_backoff(attempts) + timedelta(seconds=1))
    d.stack.run_schedules({"CloseFunction"})


def test_a_refund_that_keeps_failing_holds_up_nothing_and_reaches_the_operator(
    d: Driver,
) -> None:
    """Row 4: the failing refund blocked every effect after it in its batch and re-ran those
    before it each minute."""
    lid, payments = not_shipped(d)
    with refunds_of(payments["ann"]) as tried:
        d.wait_status(lid, "cancelled")
        # bob's refund and the notifications went out at once, beside the failing one
        assert payments["bob"] in refunded(d)
        assert payments["ann"] not in refunded(d)
        assert len(tried) == 1
        [pending] = [p for p in d.store.pending_effects(-3600) if p.attempts]
        assert [e.kind for e in pending.effects] == ["refund"]  # only the one that failed
        assert "refund account required" in (pending.last_error or "")
        assert d.store.pending_effects() == []  # not due before its backoff
        for attempt in range(1, MAX_EFFECT_ATTEMPTS):
            sweep(d, attempt)
        assert len(tried) == MAX_EFFECT_ATTEMPTS
    assert d.store.pending_effects(-(10**6)) == []
    [dead] = d.ok(d.as_op("GET", "/operator/effects"))["effects"]
    assert dead["attempts"] == MAX_EFFECT_ATTEMPTS
    assert "refund account required" in dead["last_error"]
    assert dead["effects"][0]["kind"] == "refund"
    assert dead["listing_id"] == lid
    assert d.telemetry.totals[(Metric.DEAD_EFFECTS, ())] == 1
    # the escrow shows what is still owed: the statement is not balanced to zero yet
    assert payments["ann"] not in refunded(d)
    # the operator fixed the cause and retries it: it runs at the next sweep
    d.ok(d.as_op("POST", f"/operator/effects/{dead['dead_id']}/retry"))
    d.stack.run_schedules({"CloseFunction"})
    assert payments["ann"] in refunded(d)
    assert d.ok(d.as_op("GET", "/operator/effects"))["effects"] == []
    d.conserved(lid)


def test_an_operator_resolves_a_dead_effect_once_and_it_stays_in_the_history(
    d: Driver,
) -> None:
    lid, payments = not_shipped(d)
    with refunds_of(payments["ann"]):
        d.wait_status(lid, "cancelled")
        for attempt in range(1, MAX_EFFECT_ATTEMPTS):
            sweep(d, attempt)
    [dead] = d.ok(d.as_op("GET", "/operator/effects"))["effects"]
    path = f"/operator/effects/{dead['dead_id']}/resolve"
    d.ok(d.as_op("POST", path, {"note": "refunded by bank transfer, ref 7781"}))
    again = d.as_op("POST", path, {"note": "twice"})
    assert again.status == 409, again.body
    assert d.as_op("POST", f"/operator/effects/{dead['dead_id']}/retry").status == 409
    assert d.ok(d.as_op("GET", "/operator/effects"))["effects"] == []
    history = d.as_("op", "GET", "/operator/effects", query={"resolved": "true"})
    [kept] = d.ok(history)["effects"]
    assert kept["resolution_note"] == "refunded by bank transfer, ref 7781"
    assert kept["resolved_by"] == "op"
    assert d.as_("bob", "GET", "/operator/effects").status == 403


def test_a_mileage_credit_run_again_a_month_later_is_not_applied_twice(d: Driver) -> None:
    """Row 4: mileage credits were kept once by a marker that expired after 30 days."""
    d.user("ann", "buyer")
    store = deps().store
    assert store.credit_mileage("ann", "KRW", 500, "L1:settlement:chunk:0::ann")
    a_month_later(d)
    assert not store.credit_mileage("ann", "KRW", 500, "L1:settlement:chunk:0::ann")
    assert store.mileage_balance("ann", "KRW") == 500
