"""Closing a listing's entry window [0043], and cancelling a listing whose deposit never came.

A listing's execution owns its close: started when the listing is published, it waits until
``closes_at`` (its timer) or until the payment that fills the listing resumes it, then closes and
draws (``close_on_time``). The schedule is the safety net (``close_due``): it closes whatever is
due that nobody closed, resumes or starts its execution, and counts a close more than a minute
late; it also cancels listings whose deposit was not paid in time.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from tombola import telemetry
from tombola.domain.lifecycle import ListingStatus
from tombola.services import recovery
from tombola.services.buyers import release_expired_holds
from tombola.services.deps import Deps
from tombola.services.listing_access import load_listing, move, next_version
from tombola.services.notices import notify
from tombola.services.runner import decide_and_apply, sweep_outbox
from tombola.services.ticket_counts import close
from tombola.services.waits import resume_waits
from tombola.state.changes import Change
from tombola.state.records import ListingRecord

log = logging.getLogger(__name__)

LATE = timedelta(minutes=1)
# The execution's timer counts whole seconds and ends within the second before closes_at; the
# close step waits out the rest. Earlier than that (another clock's reckoning): it waits again.
EARLY = timedelta(seconds=1)


def close_due(deps: Deps) -> dict[str, object]:
    """The schedule: every listing due and not yet closed (or cancelled), one by one."""
    now = deps.clock.now()
    released = release_expired_holds(deps)
    closed: list[str] = []
    failed: list[str] = []
    for listing_id in deps.store.due_listing_ids(now):
        try:  # one listing's trouble holds up no other (and the outbox sweep still runs)
            if close_one(deps, listing_id, by_schedule=True):
                closed.append(listing_id)
        except Exception:
            log.exception("could not close listing %s", listing_id)
            failed.append(listing_id)
    swept = sweep_outbox(deps)
    return {
        "closed": closed,
        "failed": failed,
        "holds_released": released,
        "effects_recovered": swept,
    }


def close_on_time(deps: Deps, listing_id: str) -> dict[str, object]:
    """The execution's step after its close wait ended (the timer, the last ticket, or the
    schedule): closes the listing unless someone did, never before closes_at."""
    listing = load_listing(deps, listing_id)
    left = listing.closes_at - deps.clock.now()
    if listing.status is ListingStatus.OPEN and left > EARLY:
        return {"closed": False, "close_in": max(1, math.floor(left.total_seconds()))}
    if listing.status is ListingStatus.OPEN and left > timedelta(0):
        deps.clock.sleep(left.total_seconds())  # the timer's last fraction of a second
    if listing.status is ListingStatus.OPEN or "close" in listing.waits:
        close_one(deps, listing_id, from_execution=True)
    listing = load_listing(deps, listing_id)
    if listing.status is ListingStatus.OPEN:  # not closed after all (another clock): again
        rest = (listing.closes_at - deps.clock.now()).total_seconds()
        return {"closed": False, "close_in": max(1, math.floor(rest))}
    return {"closed": True, "close_in": 0}


def close_one(
    deps: Deps, listing_id: str, *, by_schedule: bool = False, from_execution: bool = False
) -> bool:
    def decide() -> tuple[Change, bool]:
        now = deps.clock.now()
        listing = next_version(load_listing(deps, listing_id))
        change = Change(listing=listing)
        if listing.status is ListingStatus.AWAITING_DEPOSIT and listing.due_at <= now:
            move(listing, ListingStatus.CANCELLED, now)
            listing.outcome, listing.outcome_reason = "cancelled", "deposit_not_paid"
            change.effects.append(notify("ListingCancelled", listing, [listing.seller_id]))
            return change, True
        # the execution's own close wait has ended (its timer, or a resume): the token is spent
        spent = from_execution and listing.waits.pop("close", None) is not None
        if listing.status is not ListingStatus.OPEN or listing.closes_at > now:
            return (change if spent else Change()), False
        close(deps, listing, change, now)
        if not from_execution:  # a waiting execution goes on to the draw
            resume_waits(listing, change, ("close",), event="closed")
        if by_schedule and now - listing.closes_at > LATE:
            late = int((now - listing.closes_at).total_seconds())
            change.decisions.append(telemetry.closed_late(listing_id, late, listing.execution))
        return change, True

    done = decide_and_apply(deps, decide)
    if done and by_schedule:
        _run_on(deps, deps.store.get_listing(listing_id))
    return done


def _run_on(deps: Deps, listing: ListingRecord | None) -> None:
    """A listing the schedule closed goes on to its draw: its waiting execution was resumed by
    the close; one that is not running (never started, or stopped) is started at the draw."""
    if listing is None or listing.status is not ListingStatus.CLOSED:
        return
    if deps.workflow.status(listing.execution) != recovery.RUNNING:
        recovery.resume(deps, listing.listing_id, automatic=True)
