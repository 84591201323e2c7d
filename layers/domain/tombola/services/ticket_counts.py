"""Accepting paid tickets onto a listing, and closing it when full [0051]."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tombola.domain.lifecycle import ListingStatus
from tombola.domain.tickets import ticket_id
from tombola.services.deps import Deps
from tombola.services.listing_access import load_listing, move, next_version
from tombola.services.notices import notify
from tombola.services.runner import decide_and_apply
from tombola.services.waits import resume_waits
from tombola.state.changes import Change, QuotaMove, StartExecution
from tombola.state.records import EntryRecord, EntryStatus, ListingRecord
from tombola.state.resume_points import ResumePoint


def accept_tickets(entry: EntryRecord) -> None:
    entry.status = EntryStatus.PAID
    entry.ticket_ids = [ticket_id(entry.entry_id, i) for i in range(entry.tickets)]


def counted_live(listing: ListingRecord) -> bool:
    """Whether its paid tickets are counted from its quota shards (while it takes payments)."""
    return listing.closed_at is None and listing.status in {
        ListingStatus.OPEN,
        ListingStatus.AWAITING_DEPOSIT,
    }


def tickets_so_far(deps: Deps, listing: ListingRecord) -> tuple[int, int]:
    """Paid and free tickets: the quota shards' sums while open; after the close the head's
    paid count, and the free count the draw wrote (the shards' until it ran)."""
    if not counted_live(listing) and listing.entries_digest is not None:
        return listing.paid_tickets, listing.free_tickets
    shards = deps.store.quota(listing.listing_id, range(listing.quota_shards))
    free = sum(s.free for s in shards)
    if not counted_live(listing):
        return listing.paid_tickets, free
    return sum(s.paid for s in shards), free


def close(deps: Deps, listing: ListingRecord, change: Change, now: datetime) -> None:
    """After close no ticket is accepted (every quota shard closes in the same transaction)."""
    shards = deps.store.quota(listing.listing_id, range(listing.quota_shards))
    move(listing, ListingStatus.CLOSED, now)
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
        if not listing.ticket_policy().is_full(listing.paid_tickets):
            return Change(), False
        if "close" in listing.waits:  # the execution waiting for the close draws now
            resume_waits(listing, change, ("close",), event="filled")
        else:  # starting (then its close wait resumes at once), or none running: one draws
            point = ResumePoint("draw")
            change.effects.append(
                StartExecution(
                    listing_id=listing_id,
                    execution_name=listing.execution,
                    input=point.execution_input(listing, deps.clock.now()),
                )
            )
        return change, True

    return decide_and_apply(deps, decide)
