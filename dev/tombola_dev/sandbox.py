"""Drives the sandbox payment provider and carrier: build and sign the webhooks they would send."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tombola.domain.signatures import SIGNATURE_HEADER, sign


def payment_webhook(
    secret: str,
    *,
    reference: str,
    amount: int,
    currency: str,
    now_epoch: int,
    event_type: str = "payment.succeeded",
    payment_id: str | None = None,
    event_id: str | None = None,
    checkout_id: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    event: dict[str, Any] = {
        "id": event_id or f"evt_{uuid.uuid4().hex[:20]}",
        "type": event_type,
        "created": now_epoch,
        "data": {
            "payment_id": payment_id or f"pay_{uuid.uuid4().hex[:20]}",
            "reference": reference,
            "amount": amount,
            "currency": currency,
            "checkout_id": checkout_id,
        },
    }
    body = json.dumps(event).encode()
    return body, {SIGNATURE_HEADER: sign(secret, body, now_epoch)}


def cancellation_webhook(
    secret: str,
    *,
    cancellation: dict[str, Any],
    now_epoch: int,
    event_id: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The provider reports one cancellation of a payment (``SandboxPaymentProvider.cancel`` or
    a refund of ours: its record), as ``payment.cancelled``."""
    data: dict[str, Any] = {
        "payment_id": cancellation["payment_id"],
        "reference": cancellation.get("reference") or f"unknown:{cancellation['payment_id']}",
        "amount": int(cancellation["amount"]),
        "currency": cancellation["currency"],
        "cancellation_id": cancellation["sk"],
        "reason": str(cancellation.get("reason") or "")[:500] or None,
    }
    if cancellation.get("refund_id"):
        data["refund_id"] = cancellation["refund_id"]
    event = {
        "id": event_id or f"evt_{uuid.uuid4().hex[:20]}",
        "type": "payment.cancelled",
        "created": now_epoch,
        "data": data,
    }
    body = json.dumps(event).encode()
    return body, {SIGNATURE_HEADER: sign(secret, body, now_epoch)}


def carrier_webhook(
    secret: str,
    *,
    listing_id: str,
    tracking_number: str,
    now_epoch: int,
    event_type: str = "shipment.delivered",
    location: str = "",
    event_id: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    event = {
        "id": event_id or f"trk_{uuid.uuid4().hex[:20]}",
        "type": event_type,
        "created": now_epoch,
        "data": {
            "listing_id": listing_id,
            "tracking_number": tracking_number,
            "location": location,
        },
    }
    body = json.dumps(event).encode()
    return body, {SIGNATURE_HEADER: sign(secret, body, now_epoch)}
