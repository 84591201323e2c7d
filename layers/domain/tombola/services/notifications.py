"""Turns domain events into messages for the people they concern [0068]."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from tombola.ports.messages import Notification, Notifier
from tombola.ports.store import Store

log = logging.getLogger(__name__)

SUBJECTS = {
    "ListingOpened": "Your listing is open",
    "ListingClosed": "Your listing closed",
    "ListingCancelled": "Your listing was cancelled",
    "SecondPaymentDue": "You were drawn: pay the rest to win",
    "CandidatePassed": "Your turn to pay has passed",
    "FinalBuyer": "A final buyer is chosen",
    "ShipRequested": "Please ship the item",
    "Shipped": "Your item is on its way",
    "Delivered": "Your item was delivered",
    "ConfirmRequested": "Please confirm receipt",
    "Disputed": "A buyer opened a dispute",
    "DisputeOpen": "A dispute needs a decision",
    "ShipmentAccident": "A shipment reported an accident",
    "Settled": "The sale is settled",
    "Unsold": "The listing ended unsold",
    "Cancelled": "The sale was cancelled",
    "PaymentRefunded": "Your payment was refunded",
}


class NotReached(Exception):
    """Some recipients could not be reached; the event is delivered again for them only."""


def notify_event(
    store: Store,
    notifier: Notifier,
    detail_type: str,
    detail: Mapping[str, object],
    event_id: str,
) -> int:
    """Send one message per recipient who has a profile, each at most once per notice however
    often the event comes (a retry after a timeout skips those already told); one recipient
    that fails holds up none of the others. Returns how many were sent now."""
    recipients = detail.get("recipients") or []
    assert isinstance(recipients, list)
    notice = str(detail.get("notice_id") or event_id)
    sent = 0
    failed: list[str] = []
    for user_id in dict.fromkeys(str(r) for r in recipients if r):
        key = f"notice:{notice}:{user_id}"
        if store.remembers(key):
            continue
        profile = store.get_profile(user_id)
        if profile is None:
            continue
        try:
            notifier.send(
                Notification(
                    recipient_id=user_id,
                    template=detail_type,
                    data={
                        **detail,
                        "subject": SUBJECTS.get(detail_type, detail_type),
                        "email": profile.email,
                        "phone": profile.phone,
                        "name": profile.name,
                    },
                )
            )
        except Exception:
            log.warning("could not notify %s of %s", user_id, detail_type, exc_info=True)
            failed.append(user_id)
            continue
        store.remember(key)
        sent += 1
    if failed:
        raise NotReached(f"{len(failed)} recipient(s) of {detail_type} not reached; retried")
    return sent
