"""Where a listing's execution resumes when the one that ran it is gone (failed, timed out,
aborted, or never started): the last safe step, read from the listing itself.

Every step of the state machine is idempotent and reads its decision from the stored listing, so
resuming at the step the listing's status names repeats nothing that was done: a draw already made
is returned as made, a settlement already posted writes nothing new, a wait whose event already
happened is resumed at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from tombola.domain.lifecycle import ListingStatus
from tombola.state.changes import StartExecution
from tombola.state.records import ListingRecord

S = ListingStatus

# Statuses in which an execution must be running for the listing to move on.
IN_FLIGHT: frozenset[ListingStatus] = frozenset(
    {
        S.CLOSED,
        S.DRAWING,
        S.AWAITING_SECOND_PAYMENT,
        S.FINAL_BUYER,
        S.SHIPPED,
        S.DELIVERED,
        S.DISPUTED,
        S.CONFIRMED,
    }
)

# The wait each stage is, and the duration that bounds it.
STAGE_DURATION = {
    "second_payment": "second_payment",
    "shipment": "ship",
    "delivery": "delivery",
    "confirmation": "confirm",
    "resolution": "resolution",
}


@dataclass(frozen=True, slots=True)
class ResumePoint:
    start_at: str
    candidate: str | None = None
    passed: str | None = None  # why the candidate passed, for a re-draw

    def execution_input(self, listing: ListingRecord, now: datetime) -> dict[str, object]:
        durations = listing.durations.model_dump()
        # A wait resumed after its deadline was set keeps that deadline (at least one second).
        for stage, name in STAGE_DURATION.items():
            due = listing.stage_due_at.get(stage)
            if due is not None:
                durations[name] = max(1, int((due - now).total_seconds()))
        payload: dict[str, object] = {
            "listing_id": listing.listing_id,
            "durations": durations,
            "resume_at": self.start_at,
        }
        if self.candidate is not None:
            outcome = "second_payment_due" if self.start_at in {"second_payment", "redraw"} else ""
            payload["draw"] = {"outcome": outcome or "final_buyer", "candidate": self.candidate}
        if self.passed is not None:
            payload["passed"] = {"Error": self.passed, "Cause": "resumed"}
        if self.start_at == "open":
            # the close timer counts whole seconds: it ends within the second before closes_at,
            # and the close step waits out the rest (services/closing.py)
            left = math.floor((listing.closes_at - now).total_seconds())
            payload["close"] = {"closed": False, "close_in": max(1, left)}
        return payload


def resume_point(listing: ListingRecord) -> ResumePoint | None:
    """The step to run next, or None when no execution is needed (not published, or ended)."""
    status = listing.status
    if status is S.OPEN:
        return ResumePoint("open")
    if status is S.CLOSED:
        return ResumePoint("draw")
    if status is S.DRAWING:
        # A draw writes its candidate in the same change as DRAWING: still DRAWING means the
        # order was exhausted by the last re-draw.
        return ResumePoint("settle_unsold")
    if status is S.AWAITING_SECOND_PAYMENT:
        candidate = listing.candidate
        if candidate is not None and candidate == listing.forfeit_requested:
            return ResumePoint("redraw", candidate=candidate, passed="Forfeited")
        return ResumePoint("second_payment", candidate=candidate)
    if status is S.FINAL_BUYER:
        return ResumePoint("shipment", candidate=listing.final_buyer)
    if status is S.SHIPPED:
        return ResumePoint("delivery")
    if status is S.DELIVERED:
        return ResumePoint("confirmation")
    if status is S.DISPUTED:
        if listing.resolution == "refund":
            return ResumePoint("settle_dispute_refund")
        if listing.resolution == "release":
            return ResumePoint("settle_sold")
        return ResumePoint("resolution")
    if status is S.CONFIRMED:
        return ResumePoint("settle_sold")
    return None


def start_life(listing: ListingRecord, now: datetime) -> StartExecution:
    """The listing's execution, started when it is published: it waits for the close (its
    timer, or the payment that fills it), then draws and goes on to settlement."""
    return StartExecution(
        listing_id=listing.listing_id,
        execution_name=listing.execution,
        input=ResumePoint("open").execution_input(listing, now),
    )
