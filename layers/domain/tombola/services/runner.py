"""Commit a Change, then run its effects; retry the decision when the listing moved meanwhile."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from tombola import telemetry
from tombola.changes import (
    Change,
    CreditMileage,
    Effect,
    FailWait,
    Payout,
    Publish,
    Refund,
    ResumeWait,
    StartExecution,
)
from tombola.errors import Conflict
from tombola.money import Money
from tombola.services.ports import Deps
from tombola.telemetry import Metric, Point

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_ATTEMPTS = 12
BACKOFF_BASE_SECONDS = 0.004
BACKOFF_CAP_SECONDS = 0.25


def backoff(attempt: int) -> None:
    """Full jitter: a random pause up to base * 2^attempt (capped), so writers that collided
    on one item spread out instead of colliding again."""
    time.sleep(random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt)))


def apply(deps: Deps, change: Change) -> bool:
    """Commit all or nothing; run effects only when this call wrote the change."""
    outbox_ids = deps.store.commit(change)
    if outbox_ids is None:
        return False
    try:
        report(deps, change)
    except Exception:  # telemetry must never keep a committed change's effects from running
        log.exception("could not report the change's decisions")
    for effect in change.effects:
        run_effect(deps, effect)
    for outbox_id in outbox_ids:
        deps.store.complete_effects(outbox_id)
    return True


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


def run_effect(deps: Deps, effect: Effect) -> None:
    match effect:
        case StartExecution():
            deps.workflow.start(effect.execution_name or effect.listing_id, effect.input)
        case ResumeWait():
            deps.workflow.resume(effect.token, effect.output)
        case FailWait():
            deps.workflow.fail(effect.token, effect.error, effect.cause)
        case Refund():
            deps.payments.refund(
                refund_id=effect.refund_id,
                payment_id=effect.payment_id,
                amount=Money(effect.amount, effect.currency),
                reason=effect.reason,
            )
        case Payout():
            deps.payments.payout(
                payout_id=effect.payout_id,
                payee_id=effect.seller_id,
                amount=Money(effect.amount, effect.currency),
            )
        case CreditMileage():
            deps.store.credit_mileage(effect.buyer_id, effect.currency, effect.amount, effect.key)
        case Publish():
            deps.events.publish(effect.detail_type, effect.detail)


def _created(outbox_id: str) -> datetime:
    """An outbox id is ``<partition>|<created, ISO>#<uuid>``."""
    return datetime.fromisoformat(outbox_id.split("|", 1)[1].split("#", 1)[0])


def sweep_outbox(deps: Deps, older_than_seconds: int = 60) -> int:
    """Run effects whose Lambda stopped between commit and completion (called by the scheduler)."""
    done = 0
    pending = deps.store.pending_effects(older_than_seconds)
    oldest = min((_created(outbox_id) for outbox_id, _ in pending), default=None)
    lag = int((deps.clock.now() - oldest).total_seconds()) if oldest else 0
    deps.telemetry.count(Point(Metric.EFFECT_LAG, lag))
    if pending:
        log.warning("outbox: %d batches left behind, the oldest %d s old", len(pending), lag)
    for outbox_id, effects in pending:
        try:
            for effect in effects:
                run_effect(deps, effect)
        except Exception:  # one stuck batch must not stop the others
            log.exception("outbox batch %s failed; will retry", outbox_id)
            continue
        deps.store.complete_effects(outbox_id)
        done += 1
    return done
