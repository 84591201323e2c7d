"""The local stack's sandbox payment provider and carrier, under /sandbox/: what the web client's
checkout page reads, paying or failing a checkout, the provider's records, a cancellation on the
provider's side, the carrier's events and the payout reported paid. Each sends the signed webhook
the real one would, over HTTP to the stack's own webhook routes."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from tombola.adapters import container
from tombola.adapters.sandbox_identity import SandboxIdentityVerifier
from tombola.adapters.sandbox_psp import NothingToCancel, SandboxPaymentProvider
from tombola.domain.references import Reference, payout_id_for
from tombola.services.buyers import find_buyer
from tombola_dev.sandbox import cancellation_webhook, carrier_webhook, payment_webhook
from tombola_dev.stack import Stack

# (method, path pattern, endpoint): an endpoint takes the JSON body and the path's groups.
Routes = list[tuple[str, re.Pattern[str], Callable[..., tuple[int, Any]]]]
# Sends a signed webhook: (path, raw body, headers) → the answer.
PostWebhook = Callable[[str, bytes, dict[str, str]], tuple[int, Any]]


class SandboxProvider:
    """The sandbox endpoints; ``post_webhook`` sends what they sign to the stack."""

    def __init__(self, stack: Stack, post_webhook: PostWebhook) -> None:
        self.stack = stack
        self.post_webhook = post_webhook

    def routes(self) -> Routes:
        return [
            ("GET", re.compile(r"^/sandbox/checkouts/(?P<cid>[\w-]+)$"), self.checkout),
            ("POST", re.compile(r"^/sandbox/checkouts/(?P<cid>[\w-]+)/pay$"), self.pay),
            ("POST", re.compile(r"^/sandbox/checkouts/(?P<cid>[\w-]+)/fail$"), self.fail),
            (
                "GET",
                re.compile(r"^/sandbox/refunds$"),
                lambda body: (200, self.psp.records("REFUND")),
            ),
            (
                "GET",
                re.compile(r"^/sandbox/payouts$"),
                lambda body: (200, self.psp.records("PAYOUT")),
            ),
            (
                "POST",
                re.compile(r"^/sandbox/payments/(?P<pid>[\w-]+)/cancel$"),
                self.provider_cancel,
            ),
            (
                "GET",
                re.compile(r"^/sandbox/cancellations$"),
                lambda body: (200, self.psp.records("CANCEL")),
            ),
            ("POST", re.compile(r"^/sandbox/carrier/(?P<lid>[\w-]+)$"), self.carrier),
            ("POST", re.compile(r"^/sandbox/payouts/(?P<lid>[\w-]+)/paid$"), self.payout_paid),
            ("POST", re.compile(r"^/sandbox/identity/(?P<vid>[\w-]+)$"), self.identity),
        ]

    def identity(self, body: Any, vid: str) -> tuple[int, Any]:
        """The sandbox's identity verification window: the person says who they are (name,
        birth date, phone); the same three on two accounts are one person."""
        verifier = container.deps().identity
        if not isinstance(verifier, SandboxIdentityVerifier):
            return 404, {"error": {"code": "not_found", "message": "no sandbox verifier here"}}
        body = body if isinstance(body, dict) else {}
        name, phone = str(body.get("name") or "").strip(), str(body.get("phone") or "")
        try:
            born = date.fromisoformat(str(body.get("birth_date") or ""))
        except ValueError:
            born = None
        if not name or born is None or sum(c.isdigit() for c in phone) < 8:
            problem = "name, birth_date (YYYY-MM-DD) and phone are needed"
            return 400, {"error": {"code": "invalid_input", "message": problem}}
        if not verifier.record(vid, name, born, phone):
            return 409, {"error": {"code": "conflict", "message": "this verification is done"}}
        return 200, {"verification_id": vid, "verified": True}

    @property
    def psp(self) -> SandboxPaymentProvider:
        payments = container.deps().payments
        assert isinstance(payments, SandboxPaymentProvider)
        return payments

    def checkout(self, body: Any, cid: str) -> tuple[int, Any]:
        found = self.psp.checkout(cid)
        if found is None:
            return 404, {"error": {"code": "not_found", "message": cid}}
        ref = Reference.parse(found["reference"])
        return 200, found | {"pays_for": ref.pays_for.value if ref else None} | self._item(ref)

    def _item(self, ref: Reference | None) -> dict[str, Any]:
        """What the payer pays for, as a provider's checkout names the order: the item's name and,
        for tickets, how many."""
        if ref is None or not ref.listing_id:
            return {}
        deps = container.deps()
        listing = deps.store.get_listing(ref.listing_id)
        if listing is None:
            return {}
        item: dict[str, Any] = {"listing_id": listing.listing_id, "title": listing.title}
        if ref.entry_id and ref.buyer_id:
            buyer = find_buyer(deps, listing, ref.buyer_id)
            entry = buyer.entries.get(ref.entry_id) if buyer else None
            if entry is not None:
                item["tickets"] = entry.tickets
        return item

    def _send_payment(self, cid: str, event_type: str) -> tuple[int, Any]:
        found = self.psp.checkout(cid)
        if found is None:
            return 404, {"error": {"code": "not_found", "message": f"no checkout {cid}"}}
        if event_type == "payment.succeeded":  # the provider took it, then tells us
            self.psp.record_payment(
                payment_id=f"pay_{cid}",
                reference=found["reference"],
                amount=found["amount"],
                currency=found["currency"],
            )
        raw, headers = payment_webhook(
            self.stack.webhook_secret(),
            reference=found["reference"],
            amount=found["amount"],
            currency=found["currency"],
            now_epoch=int(time.time()),
            event_type=event_type,
            payment_id=f"pay_{cid}",
            checkout_id=cid,
        )
        # Sent over HTTP to our own webhook route, as the provider would.
        return self.post_webhook("/webhooks/payments", raw, headers)

    def pay(self, body: Any, cid: str) -> tuple[int, Any]:
        return self._send_payment(cid, "payment.succeeded")

    def fail(self, body: Any, cid: str) -> tuple[int, Any]:
        return self._send_payment(cid, "payment.failed")

    def provider_cancel(self, body: Any, pid: str) -> tuple[int, Any]:
        """The provider gives (part of) a payment back on its own, as a card issuer's chargeback
        or a cancellation in its console would: ``{"amount": <minor units, all that is left by
        default>, "reason": "..."}``; the signed ``payment.cancelled`` is sent to our webhook."""
        amount = body.get("amount")
        if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool)):
            return 400, {"error": {"code": "invalid_input", "field": "amount", "message": "int"}}
        try:
            cancellation = self.psp.cancel(
                pid, amount=amount, reason=str(body.get("reason") or "charged back")[:500]
            )
        except NothingToCancel as exc:
            return 404, {"error": {"code": "not_found", "message": str(exc)}}
        raw, headers = cancellation_webhook(
            self.stack.webhook_secret(), cancellation=cancellation, now_epoch=int(time.time())
        )
        return self.post_webhook("/webhooks/payments", raw, headers)

    def carrier(self, body: Any, lid: str) -> tuple[int, Any]:
        store = container.deps().store
        listing = store.get_listing(lid)
        if listing is None or listing.shipment is None:
            return 404, {"error": {"code": "not_found", "message": f"no shipment on {lid}"}}
        event = str(body.get("event", "delivered"))
        if event not in {"delivered", "in_transit", "accident"}:
            return 400, {"error": {"code": "invalid_input", "field": "event", "message": event}}
        raw, headers = carrier_webhook(
            self.stack.carrier_secret(),
            listing_id=lid,
            tracking_number=listing.shipment.tracking_number,
            now_epoch=int(time.time()),
            event_type=f"shipment.{event}",
            location=str(body.get("location", "")),
        )
        return self.post_webhook("/webhooks/delivery", raw, headers)

    def payout_paid(self, body: Any, lid: str) -> tuple[int, Any]:
        """The provider reports the listing's payout as sent, as it was issued."""
        payout = container.deps().store.get_payout(payout_id_for(lid))
        if payout is None:
            return 404, {"error": {"code": "not_found", "message": f"no payout for {lid}"}}
        raw, headers = payment_webhook(
            self.stack.webhook_secret(),
            reference=str(Reference.payout(payout.payout_id)),
            amount=payout.amount,
            currency=payout.currency,
            now_epoch=int(time.time()),
            event_type="payout.paid",
            payment_id=payout.payout_id,
        )
        return self.post_webhook("/webhooks/payments", raw, headers)
