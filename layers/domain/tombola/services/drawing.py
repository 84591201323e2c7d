"""The draw at close and every re-draw [claim 1, claim 5]: the whole order is fixed at once."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from tombola import telemetry
from tombola.domain import beacon as beacons
from tombola.domain import draw
from tombola.domain.bookings import Funding
from tombola.domain.errors import DrawError
from tombola.domain.lifecycle import ListingStatus
from tombola.domain.pseudonyms import buyer_pseudonyms
from tombola.services.buyers import load_buyer
from tombola.services.deps import Deps
from tombola.services.listing_access import load_listing, move, next_version, pseudonym_key
from tombola.services.notices import notify, sold_to, tell_entrants
from tombola.services.runner import decide_and_apply
from tombola.state.changes import Change
from tombola.state.records import ListingRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DrawResult:
    outcome: str  # second_payment_due | final_buyer | unsold | beacon_pending
    candidate: str | None
    wait: int = 0  # beacon_pending: seconds until the draw is worth trying again

    def as_dict(self) -> dict[str, object]:
        return {"outcome": self.outcome, "candidate": self.candidate, "wait": self.wait}


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


def _tickets(deps: Deps, listing: ListingRecord) -> tuple[list[tuple[str, str]], int]:
    """Every ticket in the draw as (ticket id, buyer id), and how many came by the free route."""
    tickets: list[tuple[str, str]] = []
    free = 0  # the free route's tickets: in the draw, never in the money (docs/RULES.md)
    for buyer in deps.store.buyers_of_listing(listing.listing_id, listing.entry_partitions):
        for entry in buyer.paid():
            tickets.extend((t, buyer.buyer_id) for t in entry.ticket_ids)
            free += len(entry.ticket_ids) if entry.funding is Funding.FREE else 0
    if len(tickets) - free != listing.paid_tickets:
        # The quota shards (counted at close) and the buyer items move in one transaction, so
        # they agree unless something wrote around the rules: stop for the operator rather
        # than draw over a ticket list that does not match what was sold.
        raise DrawError(
            f"listing {listing.listing_id} closed with {listing.paid_tickets} paid tickets "
            f"but its buyers hold {len(tickets) - free}"
        )
    return tickets, free


def run_draw(deps: Deps, listing_id: str) -> DrawResult:
    listing = load_listing(deps, listing_id)
    if listing.status is not ListingStatus.CLOSED:
        return _already(listing)
    beacon_round: beacons.Round | None = None
    if listing.entries_root is not None:  # sealed before: nothing to read until the round is out
        beacon_round, pending = _beacon_round(deps, listing)
        if pending is not None:
            return pending
    tickets, free = _tickets(deps, listing)
    if not tickets:
        log.info("listing %s closed with no paid ticket: unsold", listing_id)
        return DrawResult("unsold", None)
    secret = deps.store.get_secret(listing_id)
    if secret is None:
        raise DrawError(f"listing {listing_id} has no draw seed")
    seed = bytes.fromhex(secret.seed)
    if listing.draw_version == draw.DRAW_V1:
        entries = draw.seal(tickets)
        order = draw.rank_buyers(draw.order_key(seed, listing_id, entries.digest), entries.tickets)
        # The transcript is written before the head names a candidate; a retry writes the same.
        deps.store.put_draw(listing_id, order, entries.tickets)
    else:
        drawn = _draw_v2(deps, listing, tickets, seed, beacon_round)
        if isinstance(drawn, DrawResult):
            return drawn
        entries, order, beacon_round = drawn

    def decide() -> tuple[Change, DrawResult]:
        listing = next_version(load_listing(deps, listing_id))
        if listing.status is not ListingStatus.CLOSED:
            return Change(), _already(listing)
        if listing.entries_root != entries.root:
            raise DrawError(f"listing {listing_id}'s entries changed since they were sealed")
        change = Change(listing=listing)
        move(listing, ListingStatus.DRAWING, deps.clock.now())
        listing.entries_digest = entries.digest
        listing.paid_tickets = len(entries.tickets) - free
        listing.free_tickets = free
        listing.buyers = len(order)
        listing.seed = secret.seed  # revealed with the first candidate
        if beacon_round is not None and listing.beacon_used != beacon_round.round:
            raise DrawError(f"listing {listing_id}'s beacon round changed under the draw")
        named = _name_candidate(listing, order[0], change, deps.clock.now())
        due = listing.candidate_due_at
        if named.outcome == "second_payment_due" and due:  # the others learn of the draw
            change.effects += tell_entrants(
                listing, "DrawTookPlace", except_buyer=order[0], due_at=due.isoformat()
            )
        change.decisions.append(
            telemetry.drawn(listing_id, len(entries.tickets), len(order), named.outcome)
        )
        return change, named

    return decide_and_apply(deps, decide)


def _draw_v2(
    deps: Deps,
    listing: ListingRecord,
    tickets: list[tuple[str, str]],
    seed: bytes,
    beacon_round: beacons.Round | None,
) -> tuple[draw.Entries, list[str], beacons.Round] | DrawResult:
    """Seal the entries (the ticket list, E and the Merkle root public from here on), wait for
    the beacon round, then the order; or what to do instead."""
    listing_id = listing.listing_id
    entries = draw.seal(tickets, buyer_pseudonyms(pseudonym_key(deps), listing_id))
    if listing.entries_root is None:
        deps.store.put_draw(listing_id, [], entries.tickets, entries.chunk_paths)
    listing = _publish_entries(deps, listing_id, entries)
    if listing.status is not ListingStatus.CLOSED:
        return _already(listing)
    if beacon_round is None:
        beacon_round, pending = _beacon_round(deps, listing)
        if pending is not None:
            return pending
    assert beacon_round is not None
    chain = beacons.Chain.from_dict(listing.beacon_chain or {})
    value = draw.BeaconValue(chain, beacon_round.round, beacon_round.randomness)
    order, best = draw.order_v2(seed, listing_id, entries, value)
    # The order is written before the head names a candidate; a retry writes the same.
    deps.store.put_draw(listing_id, order, [], (), best)
    return entries, order, beacon_round


def _publish_entries(deps: Deps, listing_id: str, entries: draw.Entries) -> ListingRecord:
    """draw-v2: E, the Merkle root and the round to wait for, published before that round is
    out (a retry finds them written and changes nothing)."""

    def decide() -> tuple[Change, ListingRecord]:
        listing = next_version(load_listing(deps, listing_id))
        if listing.status is not ListingStatus.CLOSED or listing.entries_root is not None:
            return Change(), listing
        chain = beacons.Chain.from_dict(listing.beacon_chain or {})
        sealed_at = beacons.whole_ms(deps.clock.now())
        closed_at = listing.closed_at or listing.closes_at
        listing.beacon_round, listing.beacon_note = beacons.draw_round(
            chain,
            listing.beacon_planned or 0,
            listing.closes_at,
            closed_at,
            sealed_at,
            listing.beacon_margin,
        )
        listing.sealed_at = sealed_at
        listing.entries_digest = entries.digest
        listing.entries_root = entries.root
        listing.entries_count = len(entries.tickets)
        return Change(listing=listing), listing

    listing = decide_and_apply(deps, decide)
    if listing.entries_root is not None and listing.entries_root != entries.root:
        raise DrawError(f"listing {listing_id}'s entries changed since they were sealed")
    return listing


def _beacon_round(
    deps: Deps, listing: ListingRecord
) -> tuple[beacons.Round | None, DrawResult | None]:
    """The verified round the draw uses, or when to ask again: the round due, or, when it cannot
    be fetched FALLBACK_AFTER seconds after its time, the one fallback round the rules fix. The
    first run to have one records it on the head, so every run orders with the same round."""
    if deps.beacon is None:
        raise DrawError("the draw's randomness beacon is not wired")
    chain = beacons.Chain.from_dict(listing.beacon_chain or {})
    if deps.beacon.chain().hash != chain.hash:
        raise DrawError(
            f"listing {listing.listing_id} fixed beacon chain {chain.hash}, but the beacon "
            f"serves {deps.beacon.chain().hash}: configure the listing's chain to draw it"
        )
    if listing.beacon_used is not None and listing.beacon_signature is not None:
        return beacons.verify(chain, listing.beacon_used, listing.beacon_signature), None
    due = listing.beacon_round or 0
    now = deps.clock.now()
    got, note = deps.beacon.fetch(due), None
    if got is None and now >= beacons.round_time(chain, due) + GIVE_UP:
        fallback = beacons.fallback_round(chain, due)
        got = deps.beacon.fetch(fallback)
        note = (
            f"round {due} could not be fetched {beacons.FALLBACK_AFTER} s after its time; "
            f"the rules' fallback is round {fallback}"
        )
        if got is None and now >= beacons.round_time(chain, fallback) + GIVE_UP:
            raise DrawError(
                f"neither beacon round {due} nor its fallback {fallback} could be fetched: "
                "check the beacon's relays, then resume the listing"
            )
        due = fallback
    if got is None:
        wait = max(chain.period, math.ceil((beacons.round_time(chain, due) - now).total_seconds()))
        return None, DrawResult("beacon_pending", None, min(wait, 300))
    return _fix_round(deps, listing.listing_id, got, note), None


GIVE_UP = timedelta(seconds=beacons.FALLBACK_AFTER)


def _fix_round(deps: Deps, listing_id: str, got: beacons.Round, note: str | None) -> beacons.Round:
    """Record the round on the head unless a concurrent run did first; the recorded one wins."""

    def decide() -> tuple[Change, beacons.Round]:
        listing = next_version(load_listing(deps, listing_id))
        if listing.beacon_used is not None and listing.beacon_signature is not None:
            chain = beacons.Chain.from_dict(listing.beacon_chain or {})
            return Change(), beacons.verify(chain, listing.beacon_used, listing.beacon_signature)
        if listing.status is not ListingStatus.CLOSED:
            return Change(), got
        listing.beacon_used, listing.beacon_signature = got.round, got.signature
        if note:
            listing.beacon_note = f"{listing.beacon_note}; {note}" if listing.beacon_note else note
        return Change(listing=listing), got

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
