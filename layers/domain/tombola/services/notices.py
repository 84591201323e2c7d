"""Notices: one event per at most NOTICE_RECIPIENTS people, and the operator's alerts."""

from __future__ import annotations

import uuid

from tombola.state.changes import Publish
from tombola.state.records import ListingRecord

NOTICE_RECIPIENTS = 25  # per event: the notifier reaches them well inside its timeout


def notify(
    detail_type: str,
    listing: ListingRecord,
    recipients: list[str],
    *,
    notice_id: str | None = None,
    **data: object,
) -> Publish:
    """One notice; its id (kept through outbox re-runs) lets the notifier tell each recipient
    once, however often the event is delivered. A notice a step may decide more than once (a
    wait registered again) names its own id, the same each time."""
    return Publish(
        detail_type=detail_type,
        detail={
            "listing_id": listing.listing_id,
            "title": listing.title,
            "recipients": recipients,
            "notice_id": notice_id or uuid.uuid4().hex,
            **data,
        },
    )


TELL_ENTRANTS = "TellEntrants"  # a range of the draw order to tell (services/entrant_notices.py)
# what entrants other than one person are told (each a kind of notice the notifier words)
ENTRANT_KINDS = frozenset({"DrawTookPlace", "SoldToAnother"})


def tell_entrants(
    listing: ListingRecord, kind: str, *, except_buyer: str, **facts: object
) -> list[Publish]:
    """Every buyer in the listing's draw order but ``except_buyer`` is told ``kind``."""
    assert kind in ENTRANT_KINDS, kind
    if listing.buyers <= 1:
        return []
    return [
        Publish(
            detail_type=TELL_ENTRANTS,
            detail={
                "listing_id": listing.listing_id,
                "title": listing.title,
                "kind": kind,
                "start": 0,
                "end": listing.buyers,
                "except": except_buyer,
                **facts,
            },
        )
    ]


def sold_to(listing: ListingRecord, buyer_id: str) -> list[Publish]:
    """The final buyer is told it is theirs (nothing more to pay, the seller ships next); the
    seller that a final buyer is chosen and to ship; every other entrant that it went to
    someone else."""
    return [
        notify(
            "YouBought",
            listing,
            [buyer_id],
            amount=listing.second_payment_paid,
            currency=listing.currency,
            seconds=listing.durations.ship,
        ),
        notify("FinalBuyer", listing, [listing.seller_id], seconds=listing.durations.ship),
        *tell_entrants(listing, "SoldToAnother", except_buyer=buyer_id),
    ]


def notify_many(
    detail_type: str, listing: ListingRecord, recipients: list[str], **data: object
) -> list[Publish]:
    """The same notice to many people, in events of at most NOTICE_RECIPIENTS each."""
    return [
        notify(detail_type, listing, recipients[i : i + NOTICE_RECIPIENTS], notice_id=None, **data)
        for i in range(0, len(recipients), NOTICE_RECIPIENTS)
    ]


def alert_operator(kind: str, problem: str, **data: object) -> Publish:
    """Something needs a person: an operator notification (and an alarm on its metric)."""
    return Publish(
        detail_type="OperatorAlert",
        detail={"alert": kind, "problem": problem, "recipients": ["operator"], **data},
    )
