"""Commit a Change, then run its effects; retry the decision when the listing moved meanwhile."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from tombola import telemetry
from tombola.domain.bookings import refund_covered
from tombola.domain.errors import Conflict
from tombola.domain.money import Money
from tombola.domain.provider_match import RefundReceipt
from tombola.services.deps import Deps
from tombola.state.changes import (
    Change,
    CountSale,
    CreditMileage,
    Effect,
    FailWait,
    Payout,
    PendingEffects,
    Publish,
    Refund,
    ResumeWait,
    StartExecution,
    effect_batches,
)
from tombola.telemetry import Metric, Point

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_ATTEMPTS = 12
BACKOFF_BASE_SECONDS = 0.004
BACKOFF_CAP_SECONDS = 0.25
MAX_EFFECT_ATTEMPTS = 8  # then the effect goes to the dead letters (about three hours)


def backoff(attempt: int) -> None:
    """Full jitter: a random pause up to base * 2^attempt (capped), so writers that collided
    on one item spread out instead of colliding again."""
    time.sleep(random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)))


def apply(deps: Deps, change: Change) -> bool:
    """Commit all or nothing; run effects only when this call wrote the change. An effect that
    fails is left to the outbox (retried on its own); the others run and complete."""
    stamp_notices(change, deps.clock.now())
    outbox_ids = deps.store.commit(change)
    if outbox_ids is None:
        return False
    try:
        report(deps, change)
    except Exception:  # telemetry must never keep a committed change's effects from running
        log.exception("could not report the change's decisions")
    now = deps.clock.now()
    for outbox_id, effects in zip(outbox_ids, effect_batches(change.effects), strict=True):
        batch = PendingEffects(outbox_id, effects, now, listing_id=change.listing_id())
        run_batch(deps, batch)
    return True


def stamp_notices(change: Change, now: datetime) -> None:
    """A notice carries when it was decided (kept through outbox re-runs): the people told see
    that time, and their note's id sorts by it."""
    for effect in change.effects:
        if isinstance(effect, Publish):
            effect.detail.setdefault("at", now.isoformat())


def run_batch(deps: Deps, batch: PendingEffects) -> bool:
    """Run every effect of an outbox item, each on its own: one that fails holds up none of the
    others. The item is then completed, or replaced by the failed effects, due again after a
    backoff, or after MAX_EFFECT_ATTEMPTS moved to the dead letters (the operator's list)."""
    failed: list[Effect] = []
    errors: list[str] = []
    for effect in batch.effects:
        try:
            run_effect(deps, effect, batch.listing_id)
        except Exception as exc:  # kept for a retry, whatever it was
            log.warning("effect %s failed: %s", effect.kind, exc, exc_info=True)
            failed.append(effect)
            errors.append(f"{effect.kind}: {type(exc).__name__}: {exc}")
    if not failed:
        deps.store.complete_effects(batch.outbox_id)
        return True
    error = "; ".join(sorted(set(errors)))
    if batch.attempts + 1 >= MAX_EFFECT_ATTEMPTS:
        dead_ids = deps.store.bury_effects(batch, failed, error)
        if dead_ids is not None:
            _alert_dead(deps, dead_ids, failed, error)
        return False
    due = deps.clock.now() + effect_backoff(batch.attempts + 1)
    deps.store.retry_effects(batch, failed, due, error)
    return False


def effect_backoff(attempts: int) -> timedelta:
    """When a failed effect is tried again: 1, 2, 4 … minutes after, at most an hour."""
    return timedelta(minutes=min(60, 2 ** (attempts - 1)))


def _alert_dead(deps: Deps, dead_ids: list[str], effects: list[Effect], error: str) -> None:
    deps.telemetry.count(Point(Metric.DEAD_EFFECTS, len(effects)))
    try:  # best effort: the bus may be what fails; the metric's alarm still reaches a person
        deps.events.publish(
            "OperatorAlert",
            {
                "alert": "DeadEffects",
                "problem": f"{len(effects)} effect(s) kept failing: {error}",
                "dead_ids": dead_ids,
                "recipients": ["operator"],
            },
        )
    except Exception:
        log.exception("could not alert the operator of dead effects %s", dead_ids)


def report(deps: Deps, change: Change) -> None:
    """The change's decisions, and the refunds it issues whatever path issued them."""
    for decision in change.decisions:
        deps.telemetry.decided(decision)
    issued = [e for e in change.effects if isinstance(e, Refund)]
    if issued:
        listing_id = next(
            (j.listing_id for j in change.journal if j.listing_id),
            change.listing.listing_id if change.listing else "",
        )
        deps.telemetry.decided(
            telemetry.refunds(
                listing_id, len(issued), sum(r.amount for r in issued), [r.reason for r in issued]
            )
        )


def decide_and_apply(
    deps: Deps, decide: Callable[[], tuple[Change, T]], *, duplicate: T | None = None
) -> T:
    """``decide`` reads what it needs and returns the change and a result; on a conflicting
    concurrent write it runs again on fresh data. When the store shows the event was applied
    before, ``duplicate`` is returned if given."""
    for attempt in range(MAX_ATTEMPTS):
        change, result = decide()
        try:
            written = apply(deps, change)
        except Conflict:
            backoff(attempt)
            continue
        if not written and duplicate is not None:
            return duplicate
        return result
    raise Conflict("the listing is busy; try again")


def run_effect(deps: Deps, effect: Effect, listing_id: str | None = None) -> None:
    match effect:
        case StartExecution():
            deps.workflow.start(effect.execution_name or effect.listing_id, effect.input)
        case ResumeWait():
            deps.workflow.resume(effect.token, effect.output)
        case FailWait():
            deps.workflow.fail(effect.token, effect.error, effect.cause)
        case Refund():
            refunded = deps.payments.refund(
                refund_id=effect.refund_id,
                payment_id=effect.payment_id,
                amount=Money(effect.amount, effect.currency),
                reason=effect.reason,
            )
            _refund_ran(deps, effect, refunded, listing_id)
        case Payout():
            deps.payments.payout(
                payout_id=effect.payout_id,
                payee_id=effect.seller_id,
                amount=Money(effect.amount, effect.currency),
            )
        case CreditMileage():
            deps.store.credit_mileage(effect.buyer_id, effect.currency, effect.amount, effect.key)
        case CountSale():
            deps.store.count_sale(effect.seller_id, effect.listing_id)
        case Publish():
            deps.events.publish(effect.detail_type, effect.detail)


def _refund_ran(deps: Deps, effect: Refund, refunded: int | None, listing_id: str | None) -> None:
    """A refund the provider made only in part, or not at all, because it had already given
    that money back on its own (a chargeback, its console): the journal booked both, the payer
    got it once, so the difference goes back to the operator who advanced it (once per refund
    id). Then the refund's receipt is kept for reconciliation."""
    done = effect.amount if refunded is None else refunded
    short = effect.amount - done
    if short > 0:
        money = Money(short, effect.currency)
        entry = refund_covered(effect.refund_id, effect.payment_id, money, listing_id)
        apply(deps, Change(journal=[entry]))
        log.warning(
            "refund %s: %d %s had been given back by the provider already",
            effect.refund_id,
            short,
            effect.currency,
        )
    deps.store.keep_refund_receipt(
        RefundReceipt(
            refund_id=effect.refund_id,
            payment_id=effect.payment_id,
            listing_id=listing_id,
            asked=effect.amount,
            refunded=done,
            currency=effect.currency,
            at=deps.clock.now(),
        )
    )


def sweep_outbox(deps: Deps, older_than_seconds: int = 0) -> int:
    """Run effects whose Lambda stopped between commit and completion, and failed effects whose
    next attempt is due (called by the scheduler every minute); returns how many items ran
    through."""
    done = 0
    pending = deps.store.pending_effects(older_than_seconds)
    oldest = min((batch.created_at for batch in pending), default=None)
    lag = int((deps.clock.now() - oldest).total_seconds()) if oldest else 0
    deps.telemetry.count(Point(Metric.EFFECT_LAG, lag))
    if pending:
        log.warning("outbox: %d batches left behind, the oldest %d s old", len(pending), lag)
    for batch in pending:
        try:
            done += run_batch(deps, batch)
        except Exception:  # one batch the store could not update must not stop the others
            log.exception("outbox batch %s could not be updated; will retry", batch.outbox_id)
    return done
