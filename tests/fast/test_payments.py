"""Payments as the provider reports them: late, twice, for nothing of ours, given back by the
provider unasked; effects that fail and are retried; the day reconciled. On the MemoryStore."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fast.test_outcomes import balance, ship_and_deliver, to_final_buyer
from tests.support.fast_platform import FastWorld
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import InsufficientBalance, ListingNotOpen, PayoutMismatch
from tombola.domain.ledger import OPERATOR_PROVIDER_CANCELLATIONS
from tombola.domain.references import refund_id_for
from tombola.services import dead_effects, reconciliation, runner


def entry_status(w: FastWorld, buyer: str) -> list[str]:
    found = w.store.get_buyer(w.listing_id, 0, buyer)
    assert found is not None
    return [e.status.value for e in found.entries.values()]


def paid_tickets(w: FastWorld) -> int:
    return sum(s.paid for s in w.store.quota(w.listing_id, range(w.record().quota_shards)))


# ---------------------------------------------------------------------------- late tickets
def test_a_payment_after_the_hold_lapsed_is_accepted_while_there_is_room(w: FastWorld) -> None:
    w.open()
    checkout = w.hold("ann", 2)
    assert checkout is not None
    w.clock.advance(timedelta(minutes=11))  # the 10-minute hold lapses, not yet released
    assert w.store.expired_holds(w.clock.now()) == [(w.listing_id, "ann")]
    assert w.pay(checkout) == "tickets_issued"
    assert w.store.expired_holds(w.clock.now()) == []
    assert entry_status(w, "ann") == ["paid"]
    assert paid_tickets(w) == 2
    w.conserved()


def test_a_released_hold_paid_late_takes_its_tickets_again(w: FastWorld) -> None:
    w.open(expected_entrants=4, ticket_limit=2)
    checkout = w.hold("ann", 2)
    assert checkout is not None
    w.clock.advance(timedelta(minutes=11))
    assert w.schedule()["holds_released"] == 1
    assert entry_status(w, "ann") == ["expired"]
    assert [s.remaining for s in w.store.quota(w.listing_id, [0])] == [4]
    assert w.pay(checkout) == "tickets_issued"
    assert [s.remaining for s in w.store.quota(w.listing_id, [0])] == [2]
    assert paid_tickets(w) == 2
    w.conserved()


def test_a_payment_after_the_hold_lapsed_is_refunded_when_the_listing_is_full(
    w: FastWorld,
) -> None:
    w.open(expected_entrants=2, ticket_limit=1)
    late = w.hold("ann")
    assert late is not None
    w.clock.advance(timedelta(minutes=11))
    w.hold("bob")  # ann's lapsed hold is released to make room
    w.hold("cat")
    assert entry_status(w, "ann") == ["expired"]
    assert w.pay(late) == "refunded"
    assert entry_status(w, "ann") == ["refunded"]
    assert w.psp.refunded(f"pay_{late}") == 1_000 * 5
    assert paid_tickets(w) == 0
    assert w.pay(late) == "duplicate"  # reported again: refunded once
    assert w.psp.refunded(f"pay_{late}") == 5_000
    st = w.conserved()
    assert st.paid_in == {"deposit": 500, "unaccepted_payments": 5_000}
    assert st.paid_out == {"refunds": 5_000}


def test_a_payment_after_the_listing_closed_is_refunded(w: FastWorld) -> None:
    w.open()
    w.buy("bob")
    late = w.hold("ann", 2)
    assert late is not None
    w.close()
    assert w.status == "closed"
    assert w.pay(late) == "refunded"
    assert w.psp.refunded(f"pay_{late}") == 2_000
    assert w.record().paid_tickets == 1
    with pytest.raises(ListingNotOpen):
        w.hold("cat")
    w.conserved()


def test_a_failed_card_payment_releases_the_hold(w: FastWorld) -> None:
    w.open(expected_entrants=2, ticket_limit=2)
    checkout = w.hold("ann", 2)
    assert checkout is not None
    assert w.fail(checkout, event_id="fail-0") == "hold_released"
    assert entry_status(w, "ann") == ["expired"]
    assert w.store.quota(w.listing_id, [0])[0].remaining == 2
    assert w.fail(checkout, event_id="fail-1") == "hold_released"
    assert w.fail(checkout, event_id="fail-1") == "duplicate"  # the same event again
    assert w.buy("bob", 2) == "tickets_issued"
    assert w.status == "closed"  # full


# ---------------------------------------------------------------------------- once only
def test_a_ticket_payment_reported_under_new_event_ids_is_applied_once(w: FastWorld) -> None:
    w.open()
    checkout = w.hold("ann", 2)
    assert checkout is not None
    assert w.pay(checkout, event_id="e1") == "tickets_issued"
    assert w.pay(checkout, event_id="e1") == "duplicate"
    assert w.pay(checkout, event_id="e2") == "duplicate"
    assert paid_tickets(w) == 2
    assert w.psp.refunded(f"pay_{checkout}") == 0
    # a second real payment for the paid entry is refunded, once
    assert w.pay(checkout, payment_id="pay-again") == "refunded"
    assert w.pay(checkout, payment_id="pay-again", event_id="e3") == "duplicate"
    assert w.psp.refunded("pay-again") == 2_000
    assert paid_tickets(w) == 2
    w.conserved()


def test_a_deposit_and_second_payment_reported_again_a_month_later_change_nothing(
    w: FastWorld,
) -> None:
    w.open(expected_entrants=2, ticket_limit=1, close_when_full=False)
    w.buy("ann")
    w.close()
    assert w.run() == "wait_p2"
    p2 = w.second_payment()
    assert w.pay(p2, event_id="p2-event") == "final_buyer"
    w.run()
    assert w.a_month_passes() >= 0
    assert w.pay(w.checkout_of("deposit"), event_id="evt-1") == "duplicate"
    assert w.pay(p2, event_id="p2-event") == "duplicate"
    assert w.psp.refunds == {}
    assert w.status == "final_buyer"
    w.conserved()


def test_a_deposit_of_the_wrong_amount_is_refunded(w: FastWorld) -> None:
    w.people()
    created = w.create()
    assert created.deposit.checkout is not None
    checkout = created.deposit.checkout.checkout_id
    assert w.pay(checkout, amount=499) == "refunded"
    assert w.status == "awaiting_deposit"
    assert w.psp.refunded(f"pay_{checkout}") == 499
    assert w.pay(checkout, payment_id="pay-right") == "listing_opened"
    assert w.pay(checkout, payment_id="pay-third") == "refunded"  # not due any more
    w.conserved()


def test_a_payment_for_nothing_of_ours_is_refunded_once_and_the_operator_told(
    w: FastWorld,
) -> None:
    w.open()
    assert w.stray("pay-stray", 1_234) == "refunded"
    assert w.stray("pay-stray", 1_234) == "duplicate"
    assert w.psp.refunded("pay-stray") == 1_234
    alerts = [d for t, d in w.events.published if t == "OperatorAlert"]
    assert [a["alert"] for a in alerts] == ["StrayPayment"]
    # a reference naming a listing or entry that does not exist is stray too
    assert w.stray("pay-ghost", 700, reference="entry:L404:E1:ann") == "refunded"
    assert w.psp.refunded("pay-ghost") == 700
    w.conserved()


def test_a_payout_is_recorded_once_and_a_foreign_one_refused(w: FastWorld) -> None:
    w.open(expected_entrants=2, ticket_limit=1)
    w.buy("ann")
    w.buy("bob")
    w.run()
    ship_and_deliver(w)
    w.confirm()
    w.run()
    with pytest.raises(PayoutMismatch):
        w.payout_reported(amount=1)
    assert w.payout_reported(event_id="x") == "payout_recorded"
    assert w.payout_reported(event_id="y") == "duplicate"
    assert w.store.issued_payouts() == []
    assert w.conserved().paid_out["seller_payout"] == 10_000


# ---------------------------------------------------------------------------- mileage
def test_mileage_tickets_need_the_balance(w: FastWorld) -> None:
    w.open()
    with pytest.raises(InsufficientBalance):
        w.hold("ann", 1, method="mileage")
    assert w.store.get_buyer(w.listing_id, 0, "ann") is None
    assert paid_tickets(w) == 0
    w.conserved()


# ---------------------------------------------------------------------------- the provider
def test_a_chargeback_before_the_draw_is_booked_and_the_later_refund_completes(
    w: FastWorld,
) -> None:
    """ann's P1 is charged back while the listing is open: escrow pays it and the operator
    refills escrow; the sale is then cancelled, the refund finds the money already returned
    and books it back to the operator."""
    w.open()
    w.buy("ann", 2)
    w.buy("bob", 1)
    ann = f"pay_{w.checkout_of('entry', 'ann')}"
    cancellation, result = w.provider_cancels(ann, amount=1_500)
    assert result == "cancellation_recorded"
    assert w.report(cancellation) == "duplicate"
    assert balance(w, OPERATOR_PROVIDER_CANCELLATIONS) == -1_500
    w.conserved()
    to_final_buyer(w)
    assert w.lapse() == "done"  # not shipped: everyone refunded
    assert w.status == "cancelled"
    assert w.psp.refunded(ann) == 500  # what was left of it
    receipt = w.store.refund_receipts([refund_id_for(ann)])[refund_id_for(ann)]
    assert (receipt.asked, receipt.refunded) == (2_000, 500)
    assert balance(w, OPERATOR_PROVIDER_CANCELLATIONS) == 0
    w.conserved()


def test_a_chargeback_after_the_sale_settled_is_borne_by_the_operator(w: FastWorld) -> None:
    w.open()
    w.buy("ann", 1)
    to_final_buyer(w)
    p2 = f"pay_{w.checkout_of('p2')}"
    ship_and_deliver(w)
    w.confirm()
    w.run()
    w.payout_reported()
    assert w.provider_cancels(p2)[1] == "cancellation_recorded"
    assert balance(w, OPERATOR_PROVIDER_CANCELLATIONS) == -9_000
    st = w.conserved()
    assert st.held_in_escrow == 0


def test_a_cancellation_we_asked_for_is_only_acknowledged(w: FastWorld) -> None:
    w.open()
    w.stray("pay-s", 300)
    ours = w.psp.refunds[refund_id_for("pay-s")]
    before = len(w.store.all_journal_entries())
    assert w.report(ours) == "cancellation_acknowledged"
    assert len(w.store.all_journal_entries()) == before
    w.conserved()


# ---------------------------------------------------------------------------- effects
def test_a_refund_that_fails_stays_in_the_outbox_until_the_sweep_runs_it(w: FastWorld) -> None:
    w.open()
    w.psp.down.add("refund")
    assert w.stray("pay-s", 800) == "refunded"  # booked; its refund waits
    assert w.psp.refunded("pay-s") == 0
    [batch] = w.store.pending_effects(-(10**6))
    assert batch.attempts == 1
    assert batch.last_error is not None
    assert "refund" in batch.last_error
    w.psp.down.clear()
    w.drain()
    assert w.psp.refunded("pay-s") == 800
    w.conserved()


def test_an_effect_that_keeps_failing_goes_to_the_dead_letters_then_is_retried(
    w: FastWorld,
) -> None:
    op = Caller(user_id="op", roles=frozenset({Role.OPERATOR}))
    w.open()
    w.psp.down.add("refund")
    w.stray("pay-s", 800)
    for _ in range(runner.MAX_EFFECT_ATTEMPTS):
        w.clock.advance(timedelta(hours=2))
        runner.sweep_outbox(w.deps)
    assert w.store.pending_effects(-(10**6)) == []
    [dead] = dead_effects.dead_effects(w.deps, op).effects
    assert dead.effects[0]["kind"] == "refund"
    assert any(d.get("alert") == "DeadEffects" for _, d in w.events.published)
    w.psp.down.clear()
    dead_effects.retry(w.deps, op, dead.dead_id)
    w.drain()
    assert w.psp.refunded("pay-s") == 800
    w.conserved()


# ---------------------------------------------------------------------------- reconciliation
def test_a_sold_listings_day_reconciles_clean(w: FastWorld) -> None:
    w.open()
    w.buy("ann", 2)
    w.stray("pay-s", 300)
    to_final_buyer(w)
    ship_and_deliver(w)
    w.confirm()
    w.run()
    w.payout_reported()
    day = w.clock.now().date()
    view = reconciliation.reconcile(w.deps, day)
    assert view.counts["matched"] > 0
    assert reconciliation.mismatches(view) == 0, view.mismatches
    # the opening day too (the deposit and tickets were taken then)
    first = w.record().created_at.date()
    assert reconciliation.mismatches(reconciliation.reconcile(w.deps, first)) == 0


def test_a_payment_the_books_never_heard_of_is_missing_here(w: FastWorld) -> None:
    w.open()
    w.psp.record_payment(payment_id="pay-unreported", reference="x", amount=10, currency="KRW")
    view = reconciliation.reconcile(w.deps, w.clock.now().date())
    assert view.counts["missing_here"] == 1
    assert [m.provider_id for m in view.mismatches] == ["pay-unreported"]
