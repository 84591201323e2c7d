"""The free entry route (docs/RULES.md, rule 20): one ticket with the same chance as a paid one,
no payment; in the draw like any ticket, nothing in the money."""

from __future__ import annotations

import hashlib
import hmac

from tombola.api.views import EntryCreated
from tombola.domain.auth import Caller, Role
from tombola.domain.bookings import Funding
from tombola.domain.errors import Forbidden, ListingNotOpen, NotAllowedNow, TicketLimitExceeded
from tombola.domain.lifecycle import ListingStatus
from tombola.domain.pseudonyms import buyer_pseudonym
from tombola.services import play
from tombola.services.buyers import check_buyer_limit, load_buyer, release_expired
from tombola.services.deps import Deps
from tombola.services.entries import entry_view
from tombola.services.listing_access import load_listing, pseudonym_key, require_profile
from tombola.services.runner import decide_and_apply
from tombola.services.ticket_counts import accept_tickets
from tombola.state.changes import Change, QuotaMove
from tombola.state.records import EntryRecord, EntryStatus, ListingRecord


def _shard(listing: ListingRecord, buyer_id: str) -> int:
    """Free entries spread over the shards by buyer (each only needs one open)."""
    digest = hashlib.sha256(buyer_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") % listing.quota_shards


def enter_free(deps: Deps, caller: Caller, listing_id: str) -> EntryCreated:
    """The n-th free entry of a person on a listing has one id: asking again after the cap is
    a refusal, a retry of the same request finds nothing new to do beyond the cap."""
    caller.require(Role.BUYER)
    require_profile(deps, caller)
    cap = play.policy(deps).free_entry_cap
    if cap <= 0:
        raise NotAllowedNow("this platform has no free entry route", field="free_entry")
    listing = load_listing(deps, listing_id)
    if listing.seller_id == caller.user_id:
        raise Forbidden("a seller cannot enter their own listing's draw")

    def decide() -> tuple[Change, EntryRecord]:
        listing_now = load_listing(deps, listing_id)
        now = deps.clock.now()
        if listing_now.status is not ListingStatus.OPEN or now >= listing_now.closes_at:
            raise ListingNotOpen("the listing is not open for entries")
        standing = deps.store.get_standing(caller.user_id)
        refused = play.refusal(play.policy(deps), standing, now)
        if refused is not None:
            raise refused
        buyer = load_buyer(deps, listing_now, caller.user_id)
        made = buyer.free_entries()
        if made >= cap:
            raise TicketLimitExceeded(
                f"at most {cap} free entries per person on a listing",
                field="free_entry",
                limits={"limit": cap, "left": 0},
            )
        # a break or exclusion committed meanwhile makes this decide again
        change = Change(
            buyers=[buyer], standing_read=(caller.user_id, standing.version if standing else 0)
        )
        change.quota.extend(release_expired(listing_now, buyer, now))
        check_buyer_limit(listing_now, buyer, 1)
        entry = EntryRecord(
            # keyed: ticket ids are public in the transcript, and nobody may find a known
            # account's ticket there by hashing its id
            entry_id="F"
            + hmac.new(
                pseudonym_key(deps).encode(),
                f"free|{caller.user_id}|{listing_id}|{made + 1}".encode(),
                hashlib.sha256,
            ).hexdigest()[:20],
            listing_id=listing_id,
            buyer_id=caller.user_id,
            tickets=1,
            amount=0,
            currency=listing_now.currency,
            funding=Funding.FREE,
            status=EntryStatus.PENDING,
            created_at=now,
            expires_at=now,
        )
        accept_tickets(entry)
        buyer.entries[entry.entry_id] = entry
        # counted on an open shard: a free entry cannot land after the close
        shard = _shard(listing_now, caller.user_id)
        change.quota.append(
            QuotaMove(listing_id, shard, free=1, capped=listing_now.close_when_full)
        )
        return change, entry

    entry = decide_and_apply(deps, decide)
    mine = buyer_pseudonym(pseudonym_key(deps), listing_id, caller.user_id)
    return EntryCreated(entry=entry_view(entry, load_listing(deps, listing_id), pseudonym=mine))
