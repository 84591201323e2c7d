"""Accepting paid tickets onto a listing, and closing it when full [0051]."""

from __future__ import annotations

from datetime import datetime

from tombola.changes import Change, StartExecution
from tombola.lifecycle import ListingStatus
from tombola.records import EntryRecord, EntryStatus, ListingRecord
from tombola.services.common import execution_input, move, notify
from tombola.tickets import ticket_id


def accept_tickets(
    listing: ListingRecord, entry: EntryRecord, change: Change, now: datetime
) -> None:
    entry.status = EntryStatus.PAID
    entry.ticket_ids = [ticket_id(entry.entry_id, i) for i in range(entry.tickets)]
    listing.holds.pop(entry.entry_id, None)
    listing.paid_tickets += entry.tickets
    listing.buyer_tickets[entry.buyer_id] = (
        listing.buyer_tickets.get(entry.buyer_id, 0) + entry.tickets
    )
    if listing.ticket_policy().is_full(listing.paid_tickets):
        close(listing, change, now)


def close(listing: ListingRecord, change: Change, now: datetime) -> None:
    """After close no ticket is accepted; the listing's execution starts (name = listing id)."""
    move(listing, ListingStatus.CLOSED)
    listing.closed_at = now
    listing.holds = {}
    change.effects.append(
        StartExecution(listing_id=listing.listing_id, input=execution_input(listing))
    )
    change.effects.append(
        notify("ListingClosed", listing, [listing.seller_id], paid_tickets=listing.paid_tickets)
    )
