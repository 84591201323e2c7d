"""Helpers shared by the application services."""

from __future__ import annotations

from datetime import datetime

from tombola.domain.auth import Caller, Role
from tombola.domain.errors import Forbidden, InvalidInput, NotAllowedNow, NotFound, OutcomeFixed
from tombola.domain.lifecycle import ListingStatus, transition
from tombola.services.accounts import structured
from tombola.services.deps import Deps
from tombola.state.records import ListingRecord, ProfileRecord


def pseudonym_key(deps: Deps) -> str:
    return deps.secrets.json(deps.settings.pseudonym_key_arn)["key"]


def load_listing(deps: Deps, listing_id: str) -> ListingRecord:
    listing = deps.store.get_listing(listing_id)
    if listing is None:
        raise NotFound(f"no listing {listing_id!r}")
    return listing


def require_seller_or_operator(caller: Caller, listing: ListingRecord, what: str) -> None:
    as_seller = Role.SELLER in caller.roles and listing.seller_id == caller.user_id
    if Role.OPERATOR not in caller.roles and not as_seller:
        raise Forbidden(f"only the listing's seller or an operator may read its {what}")


def require_profile(deps: Deps, caller: Caller, *, payout: bool = False) -> ProfileRecord:
    profile = deps.store.get_profile(caller.user_id)
    if profile is None:
        raise InvalidInput("complete your profile first: PUT /me/profile", field="profile")
    if payout and structured(profile.payout_account) is None:
        raise InvalidInput(
            "a seller needs a payout account (bank, number, holder) in the profile"
            + (" instead of the free text kept before" if profile.payout_account else "")
            + ": PUT /me/profile",
            field="payout_account",
        )
    return profile


def next_version(listing: ListingRecord) -> ListingRecord:
    """A copy to change; the store saves it only if the stored version is still the one read."""
    return listing.model_copy(deep=True, update={"version": listing.version + 1})


def move(listing: ListingRecord, target: ListingStatus, at: datetime) -> None:
    """Through the one table of transitions; when each status was last reached is kept for
    the order's timeline (a bounded map: one time per status)."""
    listing.status = transition(listing.status, target)
    listing.reached[target.value] = at


def require_status(listing: ListingRecord, *allowed: ListingStatus) -> None:
    if listing.status not in allowed:
        wanted = ", ".join(s.value for s in allowed)
        raise NotAllowedNow(f"the listing is {listing.status.value}; this needs {wanted}")


def require_outcome_open(listing: ListingRecord) -> None:
    """Once a settlement begins the outcome is fixed (rule 16): no action changes it."""
    if listing.settling is not None or listing.status.value in {"settled", "unsold", "cancelled"}:
        outcome = listing.settling or listing.status.value
        raise OutcomeFixed(f"the listing's settlement began ({outcome}): its outcome is fixed")
