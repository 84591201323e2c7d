"""The operator's disputes: the open ones with what they need to decide (the buyer's reason and
photos, the seller's answer, the shipment, the money and what each decision moves), and the
history of decided ones; and a dispute as its buyer and seller read it (their order's timeline)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from tombola.api import cursors
from tombola.api.views import DisputeCase, DisputeList, DisputeMoves, DisputeView
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import InvalidInput, OutOfRange
from tombola.domain.ledger import Category
from tombola.domain.lifecycle import ListingStatus
from tombola.domain.photos import MAX_DISPUTE_PHOTOS
from tombola.domain.pseudonyms import buyer_pseudonym
from tombola.domain.settlement import Outcome, chunk_rules, head_entry
from tombola.services.deps import Deps
from tombola.services.listing_access import pseudonym_key
from tombola.services.listings import photo_urls
from tombola.state.records import ListingRecord

STATUSES = ("open", "decided")


def disputes(
    deps: Deps, caller: Caller, status: str = "open", cursor: str | None = None, limit: int = 100
) -> DisputeList:
    """Open disputes (listings disputed and not yet decided, a page of the disputed status at
    a time, oldest dispute first within it), or the decided ones, newest decision first. The
    cursor is sealed and bound to the list it came from."""
    caller.require(Role.OPERATOR)
    if status not in STATUSES:
        raise InvalidInput(f"unknown dispute status {status!r}", field="status")
    if not 1 <= limit <= 100:
        raise OutOfRange("limit must be between 1 and 100", field="limit")
    key = pseudonym_key(deps)
    after = cursors.unseal(key, "disputes", status, cursor) if cursor else None
    if status == "open":
        rows, after = deps.store.list_listings(ListingStatus.DISPUTED.value, limit, after)
        found = [listing for _, listing in rows if listing.resolution is None]
        found.sort(key=lambda listing: (_opened(listing) or listing.closes_at, listing.listing_id))
    else:
        rows, after = deps.store.decided_disputes(limit, after)
        found = [listing for _, listing in rows]
    return DisputeList(
        disputes=[dispute_view(deps, key, listing) for listing in found],
        next_cursor=cursors.seal(key, "disputes", status, after) if after else None,
    )


def _opened(listing: ListingRecord) -> datetime | None:
    return listing.reached.get(ListingStatus.DISPUTED.value)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def _moves(listing: ListingRecord, outcome: Outcome) -> DisputeMoves:
    """Read from the entry the settlement would post (domain/settlement.py, the one home of
    these rules); the tickets' P1 is refunded by the buyers' chunks, all of it on a refund."""
    rules = chunk_rules(
        listing.listing_id,
        listing.terms,
        outcome,
        listing.surplus_policy,
        listing.mileage_bps,
        listing.paid_tickets,
        listing.final_buyer,
        0,  # only the operator's share of a surplus depends on it, not shown here
    )
    second = listing.second_payment_paid
    entry = head_entry(
        rules,
        listing.seller_id,
        listing.terms,
        listing.money(listing.deposit if listing.deposit_payment_id else 0),
        listing.money(second) if second else None,
        deposit_payment_id=listing.deposit_payment_id,
        second_payment_id=listing.second_payment_id,
    )
    moved: dict[Category, int] = {}
    for posting in entry.postings if entry else ():
        if posting.amount > 0:
            moved[posting.category] = moved.get(posting.category, 0) + posting.amount
    return DisputeMoves(
        seller_paid=moved.get(Category.SELLER_PAYOUT, 0),
        deposit_returned=moved.get(Category.DEPOSIT_REFUND, 0),
        deposit_forfeited=moved.get(Category.DEPOSIT_FORFEIT, 0),
        second_payment_refunded=moved.get(Category.REFUNDS, 0),
        tickets_refunded=(
            listing.first_payment * listing.paid_tickets if outcome is Outcome.SELLER_FAULT else 0
        ),
    )


def _decision(listing: ListingRecord) -> Literal["release", "refund"] | None:
    if listing.resolution in {"release", "refund"}:
        return "release" if listing.resolution == "release" else "refund"
    return None


def dispute_case(deps: Deps, listing: ListingRecord) -> DisputeCase | None:
    """The dispute as the final buyer and the seller read it (None: never disputed): what the
    buyer wrote and showed, the seller's answer, by when the operator decides, the decision."""
    if listing.dispute_reason is None:
        return None
    decision = _decision(listing)
    return DisputeCase(
        reason=listing.dispute_reason,
        photos=photo_urls(deps, listing.dispute_photos),
        max_photos=MAX_DISPUTE_PHOTOS,
        opened_at=_iso(_opened(listing)),
        answer=listing.dispute_answer,
        answered_at=_iso(listing.dispute_answered_at),
        resolution_due_at=(
            _iso(listing.stage_due_at.get("resolution")) if decision is None else None
        ),
        decision=decision,
        decided_at=_iso(listing.resolved_at),
    )


def dispute_view(deps: Deps, key: str, listing: ListingRecord) -> DisputeView:
    """What the operator reads and what each decision moves: releasing settles the sale (the
    seller paid the price, their deposit returned); refunding cancels it (the final buyer's P2
    and every paid ticket's P1 refunded, the deposit to the operator), as domain/settlement.py
    posts them."""
    tickets = listing.first_payment * listing.paid_tickets
    shipment = listing.shipment
    decision = _decision(listing)
    return DisputeView(
        listing_id=listing.listing_id,
        title=listing.title,
        status=listing.status,
        reason=listing.dispute_reason or "",
        photos=photo_urls(deps, listing.dispute_photos),
        answer=listing.dispute_answer,
        answered_at=_iso(listing.dispute_answered_at),
        carrier=shipment.carrier if shipment else None,
        tracking_number=shipment.tracking_number if shipment else None,
        shipped_at=_iso(shipment.shipped_at) if shipment else None,
        delivered_at=_iso(listing.delivered_at),
        final_buyer=buyer_pseudonym(key, listing.listing_id, listing.final_buyer or ""),
        currency=listing.currency,
        price=listing.price,
        first_payment=listing.first_payment,
        paid_tickets=listing.paid_tickets,
        tickets_paid=tickets,
        second_payment_paid=listing.second_payment_paid,
        deposit=listing.deposit,
        opened_at=_iso(_opened(listing)),
        resolution_due_at=(
            _iso(listing.stage_due_at.get("resolution")) if decision is None else None
        ),
        if_released=_moves(listing, Outcome.SOLD),
        if_refunded=_moves(listing, Outcome.SELLER_FAULT),
        decision=decision,
        decided_at=_iso(listing.resolved_at),
        decided_by=listing.resolved_by,
    )
