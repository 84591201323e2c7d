"""The draw at close and every re-draw [claim 1, claim 5]: the whole order is fixed at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tombola import draw
from tombola.changes import Change
from tombola.errors import DrawError
from tombola.lifecycle import ListingStatus
from tombola.records import EntryStatus, ListingRecord
from tombola.services.common import load_listing, move, next_version, notify
from tombola.services.ports import Deps
from tombola.services.runner import decide_and_apply


@dataclass(frozen=True, slots=True)
class DrawResult:
    outcome: str  # second_payment_due | final_buyer | unsold
    candidate: str | None

    def as_dict(self) -> dict[str, object]:
        return {"outcome": self.outcome, "candidate": self.candidate}


def _current(listing: ListingRecord) -> DrawResult | None:
    """What an earlier run already decided, so a retried task returns the same answer."""
    if listing.status is ListingStatus.AWAITING_SECOND_PAYMENT:
        return DrawResult("second_payment_due", listing.candidate)
    if listing.final_buyer is not None:
        return DrawResult("final_buyer", listing.final_buyer)
    if listing.status in {ListingStatus.DRAWING, ListingStatus.UNSOLD}:
        return DrawResult("unsold", None)
    return None


def _name_candidate(
    listing: ListingRecord, candidate: str, change: Change, now: datetime
) -> DrawResult:
    listing.drawn.append(candidate)
    listing.candidate = candidate
    listing.candidate_due_at = now + timedelta(seconds=listing.durations.second_payment)
    listing.stage_due_at["second_payment"] = listing.candidate_due_at
    due = listing.terms.second_payment(listing.paid_tickets)
    if due.amount == 0:
        move(listing, ListingStatus.FINAL_BUYER)
        listing.final_buyer = candidate
        change.effects.append(notify("FinalBuyer", listing, [candidate, listing.seller_id]))
        return DrawResult("final_buyer", candidate)
    move(listing, ListingStatus.AWAITING_SECOND_PAYMENT)
    listing.second_payment_due = due.amount
    change.effects.append(
        notify(
            "SecondPaymentDue",
            listing,
            [candidate],
            amount=due.amount,
            currency=listing.currency,
            seconds=listing.durations.second_payment,
        )
    )
    return DrawResult("second_payment_due", candidate)


def run_draw(deps: Deps, listing_id: str) -> DrawResult:
    def decide() -> tuple[Change, DrawResult]:
        listing = next_version(load_listing(deps, listing_id))
        if listing.status is not ListingStatus.CLOSED:
            done = _current(listing)
            if done is None:
                raise DrawError(f"listing {listing_id} is {listing.status.value}; nothing to draw")
            return Change(), done
        change = Change(listing=listing)
        paid = [
            e for e in deps.store.entries_of_listing(listing_id) if e.status is EntryStatus.PAID
        ]
        tickets = [draw.PublicTicket(t, e.buyer_id) for e in paid for t in e.ticket_ids]
        if not tickets:
            return Change(), DrawResult("unsold", None)
        secret = deps.store.get_secret(listing_id)
        if secret is None:
            raise DrawError(f"listing {listing_id} has no draw seed")
        seed = bytes.fromhex(secret.seed)
        move(listing, ListingStatus.DRAWING)
        listing.entries_digest = draw.entries_digest(t.ticket_id for t in tickets)
        listing.order = draw.candidate_order(seed, listing_id, tickets)
        listing.seed = secret.seed  # revealed with the first candidate
        return change, _name_candidate(listing, listing.order[0], change, deps.clock.now())

    return decide_and_apply(deps, decide)


def run_redraw(deps: Deps, listing_id: str, passed_candidate: str, reason: str) -> DrawResult:
    """The candidate let the deadline pass or forfeited: the next buyer in the order [0046]."""

    def decide() -> tuple[Change, DrawResult]:
        listing = next_version(load_listing(deps, listing_id))
        if not (
            listing.status is ListingStatus.AWAITING_SECOND_PAYMENT
            and listing.candidate == passed_candidate
        ):
            done = _current(listing)
            if done is None:
                raise DrawError(f"listing {listing_id} is {listing.status.value}; no re-draw")
            return Change(), done
        change = Change(listing=listing)
        listing.forfeited.append(passed_candidate)
        listing.waits.pop("second_payment", None)
        listing.second_payment_due = 0
        change.effects.append(notify("CandidatePassed", listing, [passed_candidate], reason=reason))
        move(listing, ListingStatus.DRAWING)
        nxt = draw.next_candidate(listing.order, set(listing.drawn))
        if nxt is None:
            listing.candidate = None
            return change, DrawResult("unsold", None)
        return change, _name_candidate(listing, nxt, change, deps.clock.now())

    return decide_and_apply(deps, decide)
