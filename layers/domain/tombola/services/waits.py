"""Each wait of the state machine stores its task token here; whoever completes the step resumes
it. A step already done when its token arrives is resumed at once, so no race loses a step."""

from __future__ import annotations

from datetime import timedelta

from tombola.domain.errors import InvalidInput
from tombola.domain.lifecycle import ListingStatus
from tombola.services.deps import Deps
from tombola.services.listing_access import load_listing, next_version
from tombola.services.notices import notify
from tombola.services.runner import decide_and_apply
from tombola.state.changes import Change, Effect, FailWait, ResumeWait
from tombola.state.records import ListingRecord, WaitRecord
from tombola.state.resume_points import STAGE_DURATION

S = ListingStatus
STAGES = ("close", "second_payment", "shipment", "delivery", "confirmation", "resolution")


def _already_done(listing: ListingRecord, stage: str, candidate: str | None) -> Effect | None:
    def resume(token: str, **output: object) -> ResumeWait:
        return ResumeWait(token=token, output=dict(output))

    token = listing.waits[stage].token
    if stage == "close":
        if listing.status is not S.OPEN:  # filled, or closed by the schedule
            return resume(token, event="closed")
    elif stage == "second_payment":
        if listing.final_buyer is not None and listing.final_buyer == candidate:
            return resume(token, event="paid")
        if listing.status is S.AWAITING_SECOND_PAYMENT and listing.candidate != candidate:
            return FailWait(token=token, error="Forfeited", cause="another candidate is current")
        if listing.forfeit_requested == candidate:
            return FailWait(token=token, error="Forfeited", cause="the candidate forfeited")
    elif stage == "shipment" and listing.shipment is not None:
        return resume(token, event="shipped")
    elif stage in {"delivery", "confirmation"}:
        if listing.status is S.CONFIRMED:
            return resume(token, event="confirmed")
        if listing.status is S.DISPUTED:
            return resume(token, event="disputed")
        if stage == "delivery" and listing.delivered_at is not None:
            return resume(token, event="delivered")
    elif stage == "resolution" and listing.resolution is not None:
        return resume(token, decision=listing.resolution)
    return None


def _announce(listing: ListingRecord, stage: str) -> Effect | None:
    """What a wait asks of someone, once per listing and stage: a task retried or a listing
    resumed registers the wait again, and the same notice id tells no one twice."""
    once = f"{listing.listing_id}:wait:{stage}"
    if stage == "shipment":
        return notify(
            "ShipRequested",
            listing,
            [listing.seller_id],
            notice_id=once,
            seconds=listing.durations.ship,
        )
    if stage == "confirmation":
        return notify(
            "ConfirmRequested",
            listing,
            [listing.final_buyer or ""],
            notice_id=once,
            seconds=listing.durations.confirm,
        )
    if stage == "resolution":
        return notify(
            "DisputeOpen", listing, ["operator"], notice_id=once, reason=listing.dispute_reason
        )
    return None


def store_token(
    deps: Deps, listing_id: str, stage: str, token: str, candidate: str | None
) -> dict[str, object]:
    if stage not in STAGES:
        raise InvalidInput(f"unknown wait stage {stage!r}", field="stage")

    def decide() -> tuple[Change, str]:
        listing = next_version(load_listing(deps, listing_id))
        listing.waits[stage] = WaitRecord(token=token, candidate=candidate)
        now = deps.clock.now()
        due = listing.stage_due_at.get(stage)
        if stage != "close" and (due is None or due <= now):
            seconds = getattr(listing.durations, STAGE_DURATION[stage])
            listing.stage_due_at[stage] = now + timedelta(seconds=seconds)
        change = Change(listing=listing)
        done = _already_done(listing, stage, candidate)
        if done is not None:
            listing.waits.pop(stage)
            change.effects.append(done)
            return change, "resumed"
        announce = _announce(listing, stage)
        if announce is not None:
            change.effects.append(announce)
        return change, "waiting"

    return {"stage": stage, "result": decide_and_apply(deps, decide)}


def resume_waits(
    listing: ListingRecord, change: Change, stages: tuple[str, ...], **output: object
) -> None:
    for stage in stages:
        wait = listing.waits.pop(stage, None)
        if wait is not None:
            change.effects.append(ResumeWait(token=wait.token, output=dict(output)))
