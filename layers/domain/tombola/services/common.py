"""Helpers shared by the application services."""

from __future__ import annotations

import hashlib
import re
import uuid

from pydantic import BaseModel

from tombola.auth import Caller, Role
from tombola.changes import Publish
from tombola.errors import (
    Forbidden,
    InvalidInput,
    NotAllowedNow,
    NotFound,
    OutcomeFixed,
    RequestKeyReused,
)
from tombola.lifecycle import ListingStatus, transition
from tombola.records import ListingRecord, ProfileRecord
from tombola.services.ports import Deps

_REQUEST_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


def checked_request_key(key: str | None) -> str | None:
    if key is not None and not _REQUEST_KEY.match(key):
        raise InvalidInput(
            "Idempotency-Key must be 1 to 100 letters, digits or . _ : -",
            field="Idempotency-Key",
        )
    return key


def derived_id(prefix: str, *parts: str) -> str:
    """An id that the same request always gets, so that a retry finds what it created."""
    return prefix + hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def fingerprint(body: BaseModel) -> str:
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


def same_request(stored: str | None, body: BaseModel) -> None:
    if stored != fingerprint(body):
        raise RequestKeyReused(
            "this Idempotency-Key was used with another body", field="Idempotency-Key"
        )


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
    if payout and not profile.payout_account:
        raise InvalidInput(
            "a seller needs a payout account in the profile: PUT /me/profile",
            field="payout_account",
        )
    return profile


def next_version(listing: ListingRecord) -> ListingRecord:
    """A copy to change; the store saves it only if the stored version is still the one read."""
    return listing.model_copy(deep=True, update={"version": listing.version + 1})


def move(listing: ListingRecord, target: ListingStatus) -> None:
    listing.status = transition(listing.status, target)


def require_status(listing: ListingRecord, *allowed: ListingStatus) -> None:
    if listing.status not in allowed:
        wanted = ", ".join(s.value for s in allowed)
        raise NotAllowedNow(f"the listing is {listing.status.value}; this needs {wanted}")


def require_outcome_open(listing: ListingRecord) -> None:
    """Once a settlement begins the outcome is fixed (rule 16): no action changes it."""
    if listing.settling is not None or listing.status.value in {"settled", "unsold", "cancelled"}:
        outcome = listing.settling or listing.status.value
        raise OutcomeFixed(f"the listing's settlement began ({outcome}): its outcome is fixed")


NOTICE_RECIPIENTS = 25  # per event: the notifier reaches them well inside its timeout


def notify(
    detail_type: str, listing: ListingRecord, recipients: list[str], **data: object
) -> Publish:
    """One notice; its id (kept through outbox re-runs) lets the notifier tell each recipient
    once, however often the event is delivered."""
    return Publish(
        detail_type=detail_type,
        detail={
            "listing_id": listing.listing_id,
            "title": listing.title,
            "recipients": recipients,
            "notice_id": uuid.uuid4().hex,
            **data,
        },
    )


def notify_many(
    detail_type: str, listing: ListingRecord, recipients: list[str], **data: object
) -> list[Publish]:
    """The same notice to many people, in events of at most NOTICE_RECIPIENTS each."""
    return [
        notify(detail_type, listing, recipients[i : i + NOTICE_RECIPIENTS], **data)
        for i in range(0, len(recipients), NOTICE_RECIPIENTS)
    ]


def alert_operator(kind: str, problem: str, **data: object) -> Publish:
    """Something needs a person: an operator notification (and an alarm on its metric)."""
    return Publish(
        detail_type="OperatorAlert",
        detail={"alert": kind, "problem": problem, "recipients": ["operator"], **data},
    )


def execution_input(listing: ListingRecord) -> dict[str, object]:
    return {
        "listing_id": listing.listing_id,
        "durations": listing.durations.model_dump(),
        "resume_at": "draw",
    }
