"""The schedule closes listings whose entry window ended [0043]; deposits never paid cancel."""

from __future__ import annotations

from tombola.changes import Change
from tombola.lifecycle import ListingStatus
from tombola.services.buyers import release_expired_holds
from tombola.services.common import load_listing, move, next_version, notify
from tombola.services.ports import Deps
from tombola.services.runner import decide_and_apply, sweep_outbox
from tombola.services.tickets import close


def close_due(deps: Deps) -> dict[str, object]:
    now = deps.clock.now()
    released = release_expired_holds(deps)
    closed: list[str] = []
    for listing_id in deps.store.due_listing_ids(now):
        if close_one(deps, listing_id):
            closed.append(listing_id)
    swept = sweep_outbox(deps)
    return {"closed": closed, "holds_released": released, "effects_recovered": swept}


def close_one(deps: Deps, listing_id: str) -> bool:
    def decide() -> tuple[Change, bool]:
        now = deps.clock.now()
        listing = next_version(load_listing(deps, listing_id))
        change = Change(listing=listing)
        if listing.closes_at > now:
            return Change(), False
        if listing.status is ListingStatus.OPEN:
            close(deps, listing, change, now)
            return change, True
        if listing.status is ListingStatus.AWAITING_DEPOSIT:
            move(listing, ListingStatus.CANCELLED)
            listing.outcome, listing.outcome_reason = "cancelled", "deposit_not_paid"
            change.effects.append(notify("ListingCancelled", listing, [listing.seller_id]))
            return change, True
        return Change(), False

    return decide_and_apply(deps, decide)
