"""The draw at close and every re-draw [claim 1, claim 5]: the whole order is fixed at once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from tombola import telemetry
from tombola.domain import draw
from tombola.domain.bookings import Funding
from tombola.domain.errors import DrawError
from tombola.domain.lifecycle import ListingStatus
from tombola.services.buyers import load_buyer
from tombola.services.deps import Deps
from tombola.services.listing_access import load_listing, move, next_version
from tombola.services.notices import notify, sold_to, tell_entrants
from tombola.services.runner import decide_and_apply
from tombola.state.changes import Change
from tombola.state.records import ListingRecord

log = logging.getLogger(__name__)


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
    listing.drawn_count += 1
    listing.candidate = candidate
    listing.candidate_due_at = now + timedelta(seconds=listing.durations.second_payment)
    listing.stage_due_at["second_payment"] = listing.candidate_due_at
    if not listing.terms.needs_second_payment(listing.paid_tickets):
        move(listing, ListingStatus.FINAL_BUYER, now)
        listing.final_buyer = candidate
        change.effects += sold_to(listing, candidate)
        return DrawResult("final_buyer", candidate)
    move(listing, ListingStatus.AWAITING_SECOND_PAYMENT, now)
    listing.second_payment_due = listing.terms.second_payment(listing.paid_tickets).amount
    change.effects.append(
        notify(
            "SecondPaymentDue",
            listing,
            [candidate],
            amount=listing.second_payment_due,
            currency=listing.currency,
            seconds=listing.durations.second_payment,
            due_at=listing.candidate_due_at.isoformat(),
        )
    )
    return DrawResult("second_payment_due", candidate)


def run_draw(deps: Deps, listing_id: str) -> DrawResult:
    listing = load_listing(deps, listing_id)
    if listing.status is not ListingStatus.CLOSED:
        return _already(listing)
    tickets: list[tuple[str, str]] = []
    free = 0  # the free route's tickets: in the draw, never in the money (docs/RULES.md)
    for buyer in deps.store.buyers_of_listing(listing_id, listing.entry_partitions):
        for entry in buyer.paid():
            tickets.extend((t, buyer.buyer_id) for t in entry.ticket_ids)
            free += len(entry.ticket_ids) if entry.funding is Funding.FREE else 0
    if len(tickets) - free != listing.paid_tickets:
        # The quota shards (counted at close) and the buyer items move in one transaction, so
        # they agree unless something wrote around the rules: stop for the operator rather
        # than draw over a ticket list that does not match what was sold.
        raise DrawError(
            f"listing {listing_id} closed with {listing.paid_tickets} paid tickets "
            f"but its buyers hold {len(tickets) - free}"
        )
    if not tickets:
        log.info("listing %s closed with no paid ticket: unsold", listing_id)
        return DrawResult("unsold", None)
    secret = deps.store.get_secret(listing_id)
    if secret is None:
        raise DrawError(f"listing {listing_id} has no draw seed")
    result = draw.run(bytes.fromhex(secret.seed), listing_id, tickets)
    # The transcript is written before the head names a candidate; a retry writes the same.
    deps.store.put_draw(listing_id, result.order, result.tickets)

    def decide() -> tuple[Change, DrawResult]:
        listing = next_version(load_listing(deps, listing_id))
        if listing.status is not ListingStatus.CLOSED:
            return Change(), _already(listing)
        change = Change(listing=listing)
        move(listing, ListingStatus.DRAWING, deps.clock.now())
        listing.entries_digest = result.entries_digest
        listing.paid_tickets = len(result.tickets) - free
        listing.free_tickets = free
        listing.buyers = len(result.order)
        listing.seed = secret.seed  # revealed with the first candidate
        named = _name_candidate(listing, result.order[0], change, deps.clock.now())
        due = listing.candidate_due_at
        if named.outcome == "second_payment_due" and due:  # the others learn of the draw
            change.effects += tell_entrants(
                listing, "DrawTookPlace", except_buyer=result.order[0], due_at=due.isoformat()
            )
        change.decisions.append(
            telemetry.drawn(listing_id, len(result.tickets), len(result.order), named.outcome)
        )
        return change, named

    return decide_and_apply(deps, decide)


def _already(listing: ListingRecord) -> DrawResult:
    done = _current(listing)
    if done is None:
        raise DrawError(f"listing {listing.listing_id} is {listing.status.value}; nothing to draw")
    return done


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
        passed = load_buyer(deps, listing, passed_candidate)
        passed.forfeited = True
        passed.passed_at = deps.clock.now()
        change = Change(listing=listing, buyers=[passed])
        listing.waits.pop("second_payment", None)
        listing.second_payment_due = 0
        gave_up = reason == "Forfeited"  # their own choice, not the deadline
        change.effects.append(
            notify("CandidateGaveUp" if gave_up else "CandidatePassed", listing, [passed_candidate])
        )
        move(listing, ListingStatus.DRAWING, deps.clock.now())
        nxt = deps.store.draw_order(listing_id, listing.drawn_count, 1)
        if not nxt:
            listing.candidate = None
            named = DrawResult("unsold", None)
        else:
            named = _name_candidate(listing, nxt[0], change, deps.clock.now())
        change.decisions.append(
            telemetry.redrawn(listing_id, reason, listing.drawn_count, named.outcome)
        )
        return change, named

    return decide_and_apply(deps, decide)
