"""A buyer's item on a listing and the quota their holds take (docs/DATA_MODEL.md)."""

from __future__ import annotations

from datetime import datetime

from tombola.domain.errors import ListingFull, ListingNotOpen, TicketLimitExceeded
from tombola.domain.quota import allocate, bucket
from tombola.domain.tickets import check_reservation
from tombola.services.deps import Deps
from tombola.services.runner import decide_and_apply
from tombola.state.changes import Change, QuotaMove
from tombola.state.records import MAX_ENTRIES_PER_BUYER, BuyerRecord, EntryStatus, ListingRecord


def partition_of(listing: ListingRecord, buyer_id: str) -> int:
    return bucket(buyer_id, listing.entry_partitions)


def load_buyer(deps: Deps, listing: ListingRecord, buyer_id: str) -> BuyerRecord:
    """The buyer's item, as a copy one version on (version 1: new), to be saved by a Change."""
    partition = partition_of(listing, buyer_id)
    found = deps.store.get_buyer(listing.listing_id, partition, buyer_id)
    buyer = found or BuyerRecord(
        listing_id=listing.listing_id, buyer_id=buyer_id, partition=partition
    )
    return buyer.model_copy(deep=True, update={"version": buyer.version + 1})


def find_buyer(deps: Deps, listing: ListingRecord, buyer_id: str) -> BuyerRecord | None:
    return deps.store.get_buyer(listing.listing_id, partition_of(listing, buyer_id), buyer_id)


def check_buyer_limit(
    listing: ListingRecord, buyer: BuyerRecord, requested: int, *, new_entry: bool = True
) -> None:
    """The per-buyer limit (paid and held tickets); the listing's cap is the quota shards'."""
    if new_entry and len(buyer.entries) >= MAX_ENTRIES_PER_BUYER:
        buyer.forget_old()
    if new_entry and len(buyer.entries) >= MAX_ENTRIES_PER_BUYER:
        raise TicketLimitExceeded(
            f"a buyer may make at most {MAX_ENTRIES_PER_BUYER} entries on one listing",
            field="tickets",
        )
    policy = listing.ticket_policy()
    check_reservation(
        policy,
        is_open=True,
        paid_total=0,
        held_total=0,
        buyer_paid=buyer.paid_tickets(),
        buyer_held=buyer.held_tickets(),
        requested=requested,
    )


def release_expired(listing: ListingRecord, buyer: BuyerRecord, now: datetime) -> list[QuotaMove]:
    """Holds past their expiry give their tickets back; the entries say expired."""
    moves: list[QuotaMove] = []
    for entry in buyer.pending():
        if entry.expires_at <= now:
            entry.status = EntryStatus.EXPIRED
            moves.extend(give_back(listing, entry.shards))
            entry.shards = {}
    return moves


def give_back(listing: ListingRecord, shards: dict[str, int]) -> list[QuotaMove]:
    return [
        QuotaMove(listing.listing_id, int(k), give=n, capped=listing.close_when_full)
        for k, n in shards.items()
    ]


def reserve(
    deps: Deps, listing: ListingRecord, tickets: int, spread_key: str, *, read_counts: bool
) -> dict[str, int]:
    """The shards a hold takes ``tickets`` from. First try one shard chosen by ``spread_key``
    without reading (its condition decides); after a shard turned out short, read them all.
    Holds that expired unpaid never keep a buyer out: they are released before "full"."""
    start = bucket(spread_key, listing.quota_shards)
    if not listing.close_when_full or not read_counts:
        return {str(start): tickets}
    for attempt in range(2):
        states = deps.store.quota(listing.listing_id, range(listing.quota_shards))
        if not all(s.open for s in states):
            raise ListingNotOpen("the listing is not open for entries")
        try:
            return {str(k): n for k, n in allocate(states, tickets, start).items()}
        except ListingFull:
            if attempt or not release_expired_holds(deps, listing.listing_id):
                raise
    raise AssertionError("unreachable")


def release_expired_holds(deps: Deps, listing_id: str | None = None) -> int:
    """Unpaid holds past their expiry give their tickets back (every listing's, or one's)."""
    released = 0
    for lid, buyer_id in deps.store.expired_holds(deps.clock.now(), listing_id):
        listing = deps.store.get_listing(lid)
        if listing is not None and release_holds_of(deps, listing, buyer_id):
            released += 1
    return released


def release_holds_of(deps: Deps, listing: ListingRecord, buyer_id: str) -> bool:
    def decide() -> tuple[Change, bool]:
        buyer = load_buyer(deps, listing, buyer_id)
        pending = len(buyer.pending())
        moves = release_expired(listing, buyer, deps.clock.now())
        if len(buyer.pending()) == pending:
            return Change(), False
        return Change(buyers=[buyer], quota=moves), True

    return decide_and_apply(deps, decide)


def take(listing: ListingRecord, shards: dict[str, int], *, paid: bool) -> list[QuotaMove]:
    return [
        QuotaMove(
            listing.listing_id,
            int(k),
            take=n,
            paid=n if paid else 0,
            capped=listing.close_when_full,
        )
        for k, n in shards.items()
    ]


def mark_paid(listing: ListingRecord, shards: dict[str, int]) -> list[QuotaMove]:
    return [
        QuotaMove(listing.listing_id, int(k), paid=n, capped=listing.close_when_full)
        for k, n in shards.items()
    ]
