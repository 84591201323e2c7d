"""Accepting paid tickets onto a listing, and closing it when full [0051]."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tombola.changes import Change, QuotaMove, StartExecution
from tombola.lifecycle import ListingStatus
from tombola.records import EntryRecord, EntryStatus, ListingRecord
from tombola.services.common import execution_input, load_listing, move, next_version, notify
from tombola.services.ports import Deps
from tombola.services.runner import decide_and_apply
from tombola.tickets import ticket_id


def accept_tickets(entry: EntryRecord) -> None:
    entry.status = EntryStatus.PAID
    entry.ticket_ids = [ticket_id(entry.entry_id, i) for i in range(entry.tickets)]


def counted_live(listing: ListingRecord) -> bool:
    """Whether its paid tickets are counted from its quota shards (while it takes payments)."""
    return listing.closed_at is None and listing.status in {
        ListingStatus.OPEN,
        ListingStatus.AWAITING_DEPOSIT,
    }


def paid_so_far(deps: Deps, listing: ListingRecord) -> int:
    """Paid tickets: the head's frozen count after close, the quota shards' sum while open."""
    if not counted_live(listing):
        return listing.paid_tickets
    return sum(s.paid for s in deps.store.quota(listing.listing_id, range(listing.quota_shards)))


def close(deps: Deps, listing: ListingRecord, change: Change, now: datetime) -> None:
    """After close no ticket is accepted (every quota shard closes in the same transaction);
    the listing's execution starts (name = listing id)."""
    shards = deps.store.quota(listing.listing_id, range(listing.quota_shards))
    move(listing, ListingStatus.CLOSED)
    listing.closed_at = now
    listing.paid_tickets = sum(s.paid for s in shards)
    change.quota.extend(
        QuotaMove(
            listing.listing_id,
            s.shard,
            close=True,
            capped=listing.close_when_full,
            expect_paid=s.paid,
        )
        for s in shards
    )
    change.effects.append(
        StartExecution(listing_id=listing.listing_id, input=execution_input(listing))
    )
    change.effects.append(
        notify("ListingClosed", listing, [listing.seller_id], paid_tickets=listing.paid_tickets)
    )


def close_if_full(deps: Deps, listing: ListingRecord, touched: Iterable[str]) -> bool:
    """Called after tickets were paid: when the shards just paid are full, and then all of them
    are, the listing closes. Two callers may both see it full: the close is one version."""
    if not listing.close_when_full:
        return False
    shards = [int(k) for k in touched]
    if not any(s.fully_paid for s in deps.store.quota(listing.listing_id, shards)):
        return False
    states = deps.store.quota(listing.listing_id, range(listing.quota_shards))
    if not all(s.fully_paid for s in states):
        return False
    return close_full(deps, listing.listing_id)


def close_full(deps: Deps, listing_id: str) -> bool:
    def decide() -> tuple[Change, bool]:
        listing = next_version(load_listing(deps, listing_id))
        if listing.status is not ListingStatus.OPEN:
            return Change(), False
        change = Change(listing=listing)
        close(deps, listing, change, deps.clock.now())
        if listing.paid_tickets < listing.expected_entrants:
            return Change(), False
        return change, True

    return decide_and_apply(deps, decide)
