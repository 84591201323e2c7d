"""Who has entered a listing, for its seller and the operator: each buyer by the pseudonym the
public draw uses, with their tickets, a page at a time across the listing's entry partitions."""

from __future__ import annotations

from tombola.api.cursors import open_entrants_cursor, seal_entrants_cursor
from tombola.api.views import EntrantPage, EntrantView
from tombola.domain.auth import Caller
from tombola.domain.pseudonyms import buyer_pseudonym
from tombola.services.deps import Deps
from tombola.services.listing_access import load_listing, pseudonym_key, require_seller_or_operator
from tombola.state.records import BuyerRecord


def entrants(
    deps: Deps, caller: Caller, listing_id: str, cursor: str | None, limit: int
) -> EntrantPage:
    """At most ``limit`` buyer items are read per page, whatever the listing's size; buyers
    whose holds all lapsed unpaid are left out, so a page may come back short."""
    listing = load_listing(deps, listing_id)
    require_seller_or_operator(caller, listing, "entrants")
    key = pseudonym_key(deps)
    now = deps.clock.now()
    partition, after = 0, None
    if cursor:
        partition, start = open_entrants_cursor(key, listing_id, cursor)
        after = start or None  # "": the partition from its start
    read: list[BuyerRecord] = []
    while partition < listing.entry_partitions and len(read) < limit:
        buyers, after = deps.store.buyers_in_partition(
            listing_id, partition, after, limit - len(read)
        )
        read.extend(buyers)
        if after is None:
            partition += 1
    shown = []
    for b in read:
        held = sum(e.tickets for e in b.pending() if e.expires_at > now)
        if b.paid_tickets() or held:
            shown.append(
                EntrantView(
                    buyer=buyer_pseudonym(key, listing_id, b.buyer_id),
                    paid_tickets=b.paid_tickets(),
                    held_tickets=held,
                    entered_at=min(e.created_at for e in b.entries.values()).isoformat(),
                )
            )
    more = partition < listing.entry_partitions
    return EntrantPage(
        entrants=shown,
        next_cursor=seal_entrants_cursor(key, listing_id, partition, after or "") if more else None,
    )
