"""Turns domain events into messages for the people they concern [0068]."""

from __future__ import annotations

from collections.abc import Mapping

from tombola.ports import Notification, Notifier
from tombola.services.ports import Store

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


def notify_event(
    store: Store, notifier: Notifier, detail_type: str, detail: Mapping[str, object]
) -> int:
    """Send one message per recipient who has a profile; return how many were sent."""
    recipients = detail.get("recipients") or []
    assert isinstance(recipients, list)
    sent = 0
    for user_id in dict.fromkeys(str(r) for r in recipients if r):
        profile = store.get_profile(user_id)
        if profile is None:
            continue
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
        sent += 1
    return sent
