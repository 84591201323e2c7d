"""One listing's order step by step for the caller: what happened when, what is under way and
by when, and what comes after. A buyer sees their own part (entered, the draw, and if it is
theirs the sale); the seller sees the sale. Read from when each status was last reached."""

from __future__ import annotations

from datetime import datetime

from tombola.api.views import ShipmentInfo, StepName, StepView, TimelineView
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import NotFound
from tombola.domain.lifecycle import PHASE, ListingStatus
from tombola.services.buyers import find_buyer
from tombola.services.deps import Deps
from tombola.services.disputes import dispute_case
from tombola.services.listing_access import load_listing
from tombola.services.purchase import correctable
from tombola.state.records import BuyerRecord, ListingRecord

S = ListingStatus
AFTER_DRAW = {
    S.AWAITING_SECOND_PAYMENT,
    S.FINAL_BUYER,
    S.SHIPPED,
    S.DELIVERED,
    S.DISPUTED,
    S.CONFIRMED,
    S.SETTLED,
}
ENDS = {S.SETTLED: "settled", S.UNSOLD: "unsold", S.CANCELLED: "cancelled"}


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _done(step: StepName, at: datetime | None) -> StepView:
    return StepView(step=step, state="done", at=_iso(at), due_at=None)


def _ahead(step: StepName, due: datetime | None = None, *, now: bool = False) -> StepView:
    return StepView(step=step, state="now" if now else "next", at=None, due_at=_iso(due))


def _sale(listing: ListingRecord) -> list[StepView]:
    """From the final buyer's payment to the end, for the seller and the final buyer."""
    r, status, due = listing.reached, listing.status, listing.stage_due_at
    steps: list[StepView] = []
    if listing.final_buyer is not None:
        steps.append(_done("paid", r.get(S.FINAL_BUYER)))
    else:
        waiting = status is S.AWAITING_SECOND_PAYMENT
        steps.append(_ahead("paid", listing.candidate_due_at if waiting else None, now=waiting))
    if listing.shipment is not None:
        steps.append(_done("shipped", listing.shipment.shipped_at))
    elif status not in ENDS:
        steps.append(_ahead("shipped", due.get("shipment"), now=status is S.FINAL_BUYER))
    disputed = S.DISPUTED in r and listing.final_buyer is not None
    if listing.delivered_at is not None:
        steps.append(_done("delivered", listing.delivered_at))
    elif status is S.SHIPPED:
        steps.append(_ahead("delivered", due.get("delivery"), now=True))
    elif status not in ENDS and not disputed:  # disputed before any delivery: none awaited
        steps.append(_ahead("delivered"))
    if disputed:
        return [*steps, *_dispute(listing)]
    if S.CONFIRMED in r:
        steps.append(_done("confirmed", r[S.CONFIRMED]))
    elif status in {S.SHIPPED, S.DELIVERED}:
        steps.append(_ahead("confirmed", due.get("confirmation"), now=True))
    elif status not in ENDS:
        steps.append(_ahead("confirmed"))
    return steps


def _dispute(listing: ListingRecord) -> list[StepView]:
    """Disputed (when), then the operator's decision: under way until the resolve-by deadline
    the listing records (none until its wait is set), then released to the seller or refunded
    (when decided; a dispute decided before that time was kept shows none)."""
    steps = [_done("disputed", listing.reached[S.DISPUTED])]
    if listing.resolution == "release":
        steps.append(_done("released", listing.resolved_at))
    elif listing.resolution == "refund":
        steps.append(_done("refunded", listing.resolved_at))
    elif listing.status not in ENDS:
        due = listing.stage_due_at.get("resolution")
        steps.append(_ahead("decision", due, now=listing.status is S.DISPUTED))
    return steps


def _draw(listing: ListingRecord, me: BuyerRecord | None) -> list[StepView]:
    r, status = listing.reached, listing.status
    closed = r.get(S.CLOSED) or listing.closed_at
    steps = [
        _done("closed", closed)
        if closed
        else _ahead("closed", listing.closes_at, now=status is S.OPEN)
    ]
    drawn_at = r.get(S.AWAITING_SECOND_PAYMENT) or r.get(S.FINAL_BUYER)
    mine = me is not None and me.buyer_id in {listing.candidate, listing.final_buyer}
    if me is not None and me.forfeited:  # drawn once, then the turn passed
        steps += [_done("drawn", None), _done("passed", me.passed_at)]
    elif me is not None and not mine and drawn_at is not None:
        steps.append(_done("other_drawn", drawn_at))
    elif drawn_at is not None:
        steps.append(_done("drawn", drawn_at))
    elif status not in ENDS:
        steps.append(_ahead("drawn", now=status in {S.CLOSED, S.DRAWING}))
    return steps


def _end(listing: ListingRecord) -> list[StepView]:
    end = ENDS.get(listing.status)
    if end is not None:
        return [_done(end, listing.reached.get(listing.status))]  # type: ignore[arg-type]
    if listing.resolution == "refund":  # a dispute decided for the buyer: the sale is cancelled
        return [_ahead("cancelled")]
    return [_ahead("settled")]


def timeline(deps: Deps, caller: Caller, listing_id: str) -> TimelineView:
    listing = load_listing(deps, listing_id)
    if Role.SELLER in caller.roles and listing.seller_id == caller.user_id:
        return _for_seller(deps, listing)
    me = find_buyer(deps, listing, caller.user_id) if Role.BUYER in caller.roles else None
    if me is None or not _entered(me):  # a hold that lapsed unpaid entered nothing
        raise NotFound(f"no listing {listing_id!r} of yours")
    return _for_buyer(deps, listing, me)


def _entered(me: BuyerRecord) -> list[datetime]:
    """When the buyer's paid entries (or the one being paid now) were made."""
    return [e.created_at for e in [*me.paid(), *me.pending()]]


def _view(
    deps: Deps,
    listing: ListingRecord,
    role: str,
    paid: int,
    steps: list[StepView],
    *,
    shipment: bool,
) -> TimelineView:
    """``shipment``: the caller is the seller or the final buyer, who also read the dispute."""
    shipped = listing.shipment if shipment else None
    return TimelineView(
        listing_id=listing.listing_id,
        title=listing.title,
        role=role,  # type: ignore[arg-type]
        status=listing.status,
        phase=PHASE[listing.status],
        currency=listing.currency,
        paid_so_far=paid,
        second_payment_due=None,
        shipment=ShipmentInfo(
            carrier=shipped.carrier,
            tracking_number=shipped.tracking_number,
            corrected_at=shipped.corrected_at.isoformat() if shipped.corrected_at else None,
            correctable=correctable(listing),
        )
        if shipped
        else None,
        dispute=dispute_case(deps, listing) if shipment else None,
        steps=steps,
    )


def _for_seller(deps: Deps, listing: ListingRecord) -> TimelineView:
    published = listing.reached.get(S.OPEN) or (
        listing.created_at if listing.status is not S.AWAITING_DEPOSIT else None
    )
    steps = [
        _done("published", published)
        if published
        else _ahead("published", listing.due_at, now=listing.status is S.AWAITING_DEPOSIT)
    ]
    if listing.status is not S.CANCELLED or published:
        steps += _draw(listing, None)
        if listing.status in AFTER_DRAW or listing.final_buyer is not None:
            steps += _sale(listing)
    steps += _end(listing)
    deposit = listing.deposit if listing.deposit_payment_id else 0
    return _view(deps, listing, "seller", deposit, steps, shipment=True)


def _for_buyer(deps: Deps, listing: ListingRecord, me: BuyerRecord) -> TimelineView:
    first = min(_entered(me))
    steps = [_done("entered", first), *_draw(listing, me)]
    final = listing.final_buyer == me.buyer_id
    candidate = listing.candidate == me.buyer_id and listing.status is S.AWAITING_SECOND_PAYMENT
    if final or candidate:
        steps += _sale(listing)
    steps += _end(listing)
    paid = sum(e.amount for e in me.paid()) + (listing.second_payment_paid if final else 0)
    view = _view(deps, listing, "buyer", paid, steps, shipment=final)
    if candidate:
        view.second_payment_due = listing.second_payment_due
    return view
