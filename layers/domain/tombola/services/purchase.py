"""The steps of a sale after the draw: the candidate pays or forfeits, the seller ships, the
final buyer confirms or disputes, the operator resolves a dispute [claim 1, 0052-0053]."""

from __future__ import annotations

from datetime import datetime, timedelta

from tombola.api.models import DisputeAnswerIn, DisputeIn, ResolutionIn, ShipmentIn
from tombola.api.views import (
    DisputeCase,
    FinalBuyerView,
    ListingStep,
    ResolutionView,
    SecondPaymentView,
    ShipmentView,
)
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import Forbidden, NotAllowedNow, NotFound
from tombola.domain.lifecycle import ListingStatus
from tombola.domain.references import Reference, payout_id_for
from tombola.domain.settlement import Outcome
from tombola.services import play
from tombola.services.buyers import find_buyer
from tombola.services.deps import Deps
from tombola.services.disputes import dispute_case
from tombola.services.listing_access import (
    load_listing,
    move,
    next_version,
    require_outcome_open,
    require_status,
)
from tombola.services.listings import checkout_view
from tombola.services.notices import notify
from tombola.services.runner import decide_and_apply
from tombola.services.waits import resume_waits
from tombola.state.changes import Change, FailWait
from tombola.state.records import ListingRecord, Shipment

S = ListingStatus


def _as_candidate(listing: ListingRecord, caller: Caller) -> None:
    # Anyone who is not the current candidate learns nothing about who is.
    if listing.status is not S.AWAITING_SECOND_PAYMENT or listing.candidate != caller.user_id:
        raise NotFound("you have no second payment due on this listing")


def as_final_buyer(listing: ListingRecord, caller: Caller) -> None:
    if listing.final_buyer is None or listing.final_buyer != caller.user_id:
        raise NotFound("you are not the final buyer of this listing")


def require_dispute_open(listing: ListingRecord, field: str) -> None:
    """A dispute takes the buyer's photos and the seller's answer while it waits for the
    operator: disputed, not decided, its settlement not begun."""
    require_outcome_open(listing)
    require_status(listing, S.DISPUTED)
    if listing.resolution is not None:
        raise NotAllowedNow(f"the dispute was decided already: {listing.resolution}", field=field)


def _as_seller(listing: ListingRecord, caller: Caller) -> None:
    if listing.seller_id != caller.user_id:
        raise Forbidden("only the listing's seller may do this")


def second_payment_checkout(deps: Deps, caller: Caller, listing_id: str) -> SecondPaymentView:
    caller.require(Role.BUYER)
    listing = load_listing(deps, listing_id)
    _as_candidate(listing, caller)
    play.precheck(deps, caller.user_id, listing.currency, listing.second_payment_due, owed=True)
    due_at = listing.candidate_due_at or deps.clock.now()
    checkout = deps.payments.create_checkout(
        reference=str(Reference.second_payment(listing_id, caller.user_id, listing.drawn_count)),
        payer_id=caller.user_id,
        amount=listing.money(listing.second_payment_due),
        expires_at=due_at,
    )
    return SecondPaymentView(
        amount=listing.second_payment_due,
        currency=listing.currency,
        due_at=due_at.isoformat(),
        checkout=checkout_view(checkout),
    )


def forfeit(deps: Deps, caller: Caller, listing_id: str) -> ListingStep:
    caller.require(Role.BUYER)
    done = ListingStep(listing_id=listing_id, status="forfeited")

    def decide() -> tuple[Change, ListingStep]:
        listing = next_version(load_listing(deps, listing_id))
        if listing.forfeit_requested == caller.user_id:
            return Change(), done  # asked before: the same answer, nothing moves
        buyer = find_buyer(deps, listing, caller.user_id)
        if buyer is not None and buyer.forfeited:
            return Change(), done
        _as_candidate(listing, caller)
        require_outcome_open(listing)
        listing.forfeit_requested = caller.user_id
        change = Change(listing=listing)
        wait = listing.waits.pop("second_payment", None)
        if wait is not None:
            change.effects.append(
                FailWait(token=wait.token, error="Forfeited", cause="the candidate forfeited")
            )
        return change, done

    return decide_and_apply(deps, decide)


# While the sale needs them: from the final buyer on, and until the sale settled plus the
# listing's confirm window (docs/DECISIONS.md); never once the sale was cancelled or unsold.
SALE_UNDER_WAY = frozenset({S.FINAL_BUYER, S.SHIPPED, S.DELIVERED, S.DISPUTED, S.CONFIRMED})


def _buyer_details_needed(deps: Deps, listing: ListingRecord) -> None:
    """Raise NotAllowedNow unless the seller still needs the final buyer's details."""
    if listing.final_buyer is None:
        raise NotAllowedNow("the listing has no final buyer yet")
    cancelled = "the sale was cancelled: its buyer's details are no longer shown"
    if listing.status in SALE_UNDER_WAY:
        if listing.settling not in {None, Outcome.SOLD.value}:
            raise NotAllowedNow(cancelled)  # settling as a cancellation
        return
    if listing.status is not S.SETTLED:  # cancelled (or unsold): the sale will not happen
        raise NotAllowedNow(cancelled)
    payout = deps.store.get_payout(payout_id_for(listing.listing_id))  # issued as it settled
    until = payout.issued_at + timedelta(seconds=listing.durations.confirm) if payout else None
    if until is None or deps.clock.now() >= until:
        shown = f" (shown until {until.isoformat()})" if until else ""
        raise NotAllowedNow(f"the sale has settled: its buyer's details are no longer shown{shown}")


def final_buyer_details(deps: Deps, caller: Caller, listing_id: str) -> FinalBuyerView:
    """The seller sees the final buyer's name and address, and no other buyer's data [0053],
    only while the sale needs them (SALE_UNDER_WAY, then the confirm window after it settled)."""
    caller.require(Role.SELLER)
    listing = load_listing(deps, listing_id)
    _as_seller(listing, caller)
    _buyer_details_needed(deps, listing)
    assert listing.final_buyer is not None
    profile = deps.store.get_profile(listing.final_buyer)
    if profile is None:
        raise NotFound("the final buyer's profile is missing")
    return FinalBuyerView(
        listing_id=listing_id, name=profile.name, phone=profile.phone, address=profile.address
    )


def ship(deps: Deps, caller: Caller, listing_id: str, body: ShipmentIn) -> ShipmentView:
    caller.require(Role.SELLER)

    def decide() -> tuple[Change, None]:
        listing = next_version(load_listing(deps, listing_id))
        _as_seller(listing, caller)
        if listing.shipment is not None:
            given = (listing.shipment.carrier, listing.shipment.tracking_number)
            if given == (body.carrier, body.tracking_number):
                return Change(), None  # the same shipment again: the same answer
            return _corrected(listing, body, deps.clock.now()), None
        require_outcome_open(listing)
        require_status(listing, S.FINAL_BUYER)
        move(listing, S.SHIPPED, deps.clock.now())
        listing.shipment = Shipment(
            carrier=body.carrier, tracking_number=body.tracking_number, shipped_at=deps.clock.now()
        )
        change = Change(listing=listing)
        resume_waits(listing, change, ("shipment",), event="shipped")
        change.effects.append(
            notify(
                "Shipped",
                listing,
                [listing.final_buyer or ""],
                carrier=body.carrier,
                tracking_number=body.tracking_number,
            )
        )
        return change, None

    decide_and_apply(deps, decide)
    details = final_buyer_details(deps, caller, listing_id)
    return ShipmentView(**details.model_dump(), status=S.SHIPPED)


MAX_CORRECTIONS = 3  # each tells the buyer: a mistyped number, not a channel to them


def correctable(listing: ListingRecord) -> bool:
    """In transit, the outcome still open, the carrier silent, corrections left."""
    shipment = listing.shipment
    return (
        shipment is not None
        and listing.status is S.SHIPPED
        and listing.settling is None
        and not listing.tracking_events
        and shipment.corrections < MAX_CORRECTIONS
    )


def _corrected(listing: ListingRecord, body: ShipmentIn, now: datetime) -> Change:
    """A mistyped tracking number may be corrected (a few times) until the carrier has said
    anything about the shipment (then the number was right, or the dispute is the way): the
    deadlines stay those of the first entry, and the buyer is told the new number."""
    shipment = listing.shipment
    assert shipment is not None
    given = f"{shipment.carrier} {shipment.tracking_number}"
    require_outcome_open(listing)
    if listing.status is not S.SHIPPED:
        raise NotAllowedNow(
            f"the item was shipped already, with {given}; the sale has moved on"
            f" ({listing.status.value}): it can no longer be corrected",
            field="tracking_number",
        )
    if listing.tracking_events:
        raise NotAllowedNow(
            f"the item was shipped already, with {given}, and the carrier has reported on it:"
            " it can no longer be corrected",
            field="tracking_number",
        )
    if shipment.corrections >= MAX_CORRECTIONS:
        raise NotAllowedNow(
            f"the tracking number was corrected {MAX_CORRECTIONS} times already ({given})",
            field="tracking_number",
        )
    listing.shipment = shipment.model_copy(
        update={
            "carrier": body.carrier,
            "tracking_number": body.tracking_number,
            "corrected_at": now,
            "corrections": shipment.corrections + 1,
        }
    )
    change = Change(listing=listing)
    change.effects.append(
        notify(
            "ShipmentCorrected",
            listing,
            [listing.final_buyer or ""],
            carrier=body.carrier,
            tracking_number=body.tracking_number,
        )
    )
    return change


def confirm(deps: Deps, caller: Caller, listing_id: str) -> ListingStep:
    caller.require(Role.BUYER)

    def decide() -> tuple[Change, None]:
        listing = next_version(load_listing(deps, listing_id))
        as_final_buyer(listing, caller)
        if listing.status in {S.CONFIRMED, S.SETTLED} and listing.dispute_reason is None:
            return Change(), None  # confirmed before: the same answer
        require_outcome_open(listing)
        require_status(listing, S.SHIPPED, S.DELIVERED)
        move(listing, S.CONFIRMED, deps.clock.now())
        change = Change(listing=listing)
        resume_waits(listing, change, ("delivery", "confirmation"), event="confirmed")
        return change, None

    decide_and_apply(deps, decide)
    return ListingStep(listing_id=listing_id, status=S.CONFIRMED.value)


def dispute(deps: Deps, caller: Caller, listing_id: str, body: DisputeIn) -> ListingStep:
    caller.require(Role.BUYER)

    def decide() -> tuple[Change, None]:
        listing = next_version(load_listing(deps, listing_id))
        as_final_buyer(listing, caller)
        if listing.dispute_reason is not None:
            if listing.dispute_reason == body.reason:
                return Change(), None  # the same dispute again: the same answer
            raise NotAllowedNow("a dispute is open already", field="reason")
        require_outcome_open(listing)
        require_status(listing, S.SHIPPED, S.DELIVERED)
        move(listing, S.DISPUTED, deps.clock.now())
        listing.dispute_reason = body.reason
        change = Change(listing=listing)
        resume_waits(listing, change, ("delivery", "confirmation"), event="disputed")
        change.effects.append(notify("Disputed", listing, [listing.seller_id], reason=body.reason))
        return change, None

    decide_and_apply(deps, decide)
    return ListingStep(listing_id=listing_id, status=S.DISPUTED.value)


def answer_dispute(
    deps: Deps, caller: Caller, listing_id: str, body: DisputeAnswerIn
) -> DisputeCase:
    """The seller's one answer to the buyer's dispute, while the operator has not decided it:
    the operator reads it with the dispute, the final buyer is told. The same answer again
    answers the same and writes nothing; another one after it is refused (409)."""
    caller.require(Role.SELLER)

    def decide() -> tuple[Change, ListingRecord]:
        listing = next_version(load_listing(deps, listing_id))
        _as_seller(listing, caller)
        if listing.dispute_answer is not None:
            if listing.dispute_answer == body.answer:
                return Change(), listing  # the same answer again: the same result
            raise NotAllowedNow("the dispute was answered already", field="answer")
        require_dispute_open(listing, "answer")
        listing.dispute_answer = body.answer
        listing.dispute_answered_at = deps.clock.now()
        change = Change(listing=listing)
        told = [listing.final_buyer or "", "operator"]  # the operator reads it on their page
        change.effects.append(notify("DisputeAnswered", listing, told, answer=body.answer))
        return change, listing

    case = dispute_case(deps, decide_and_apply(deps, decide))
    assert case is not None  # answered: it was disputed
    return case


def resolve(deps: Deps, caller: Caller, listing_id: str, body: ResolutionIn) -> ResolutionView:
    caller.require(Role.OPERATOR)

    def decide() -> tuple[Change, None]:
        listing = next_version(load_listing(deps, listing_id))
        if listing.resolution is not None:
            if listing.resolution == body.decision:
                return Change(), None  # the same decision again: the same answer
            raise NotAllowedNow(
                f"the dispute was already resolved: {listing.resolution}", field="decision"
            )
        require_outcome_open(listing)
        require_status(listing, S.DISPUTED)
        listing.resolution = body.decision
        # on the head, in the same write: the operator's history of decided disputes (its
        # index entry is the head's own, so it is written once, with the decision)
        listing.resolved_at = deps.clock.now()
        listing.resolved_by = caller.user_id
        change = Change(listing=listing)
        resume_waits(listing, change, ("resolution",), decision=body.decision)
        told = [listing.seller_id, listing.final_buyer or ""]
        kind = "DisputeReleased" if body.decision == "release" else "DisputeRefunded"
        change.effects.append(notify(kind, listing, told))
        return change, None

    decide_and_apply(deps, decide)
    return ResolutionView(listing_id=listing_id, resolution=body.decision)
