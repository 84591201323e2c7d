"""PortOne V2's payments API as its recorded exchanges (tests/fixtures/portone/) show it, with
state: pre-registration, payments, cancellations (ours through the API; PortOne's own: a
chargeback, the console), the day's payment events by cursor, and webhooks signed as PortOne
signs them (Standard Webhooks: base64 HMAC-SHA256 over "<id>.<timestamp>.<body>"). Served to the
SDK's httpx client through pytest-httpx; failures can be queued to test what we do when it errs."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "portone"
ROUTE = re.compile(r"^/payments/(?P<id>[^/]+)(?P<action>/pre-register|/cancel)?$")


def recorded(name: str) -> Any:
    return json.loads((RECORDED / f"{name}.json").read_text())


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(uuid.uuid4().bytes * 2).decode()


def sign(secret: str, webhook_id: str, timestamp: int, body: str) -> str:
    raw = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.digest(raw, f"{webhook_id}.{timestamp}.{body}".encode(), hashlib.sha256)
    return "v1," + base64.b64encode(mac).decode()


@dataclass
class FakePortOne:
    api_secret: str = "portone-api-secret-test"
    webhook_secret: str = field(default_factory=new_webhook_secret)
    store_id: str = "store-4f1e2d3c-5b6a-4978-8695-a4b3c2d1e0f9"
    preregistered: dict[str, tuple[int, str]] = field(default_factory=dict)
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    # (path regex, status, error type) or (path regex, exception): the next matching request
    failures: list[tuple[str, Any, str | None]] = field(default_factory=list)
    # the payment events (paid, cancelled, partially cancelled), in order; a cursor is an index
    events: list[dict[str, Any]] = field(default_factory=list)
    now: datetime | None = None  # when things happen (the real time unless set)

    # ------------------------------------------------------------------ the API
    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, path, body))
        for i, (pattern, outcome, kind) in enumerate(self.failures):
            if re.search(pattern, f"{request.method} {path}"):
                del self.failures[i]
                if isinstance(outcome, Exception):
                    raise outcome
                return self._error(int(outcome), kind or "PG_PROVIDER")
        if request.headers.get("authorization") != f"PortOne {self.api_secret}":
            return self._error(401, "UNAUTHORIZED")
        if request.method == "GET" and path == "/payment-events-by-cursor":
            return self._events(json.loads(request.url.params["requestBody"]))
        match = ROUTE.match(path)
        if match is None:
            return httpx.Response(404, json={"type": "NOT_FOUND", "message": path})
        payment_id, action = match["id"], match["action"]
        if action == "/pre-register":
            return self._pre_register(payment_id, body or {})
        if payment_id not in self.payments:
            return self._error(404, "PAYMENT_NOT_FOUND")
        if action == "/cancel":
            return self._cancel(payment_id, body or {})
        return httpx.Response(200, json=copy.deepcopy(self.payments[payment_id]))

    def _pre_register(self, payment_id: str, body: dict[str, Any]) -> httpx.Response:
        if self.payments.get(payment_id, {}).get("status") == "PAID":
            return self._error(409, "ALREADY_PAID")
        assert body.get("storeId") == self.store_id
        self.preregistered[payment_id] = (body["totalAmount"], body["currency"])
        return httpx.Response(200, json={})

    def _cancel(self, payment_id: str, body: dict[str, Any]) -> httpx.Response:
        payment = self.payments[payment_id]
        amount = payment["amount"]
        cancellable = amount["paid"] - amount["cancelled"]
        if cancellable == 0:
            return self._error(409, "PAYMENT_ALREADY_CANCELLED")
        expected = body.get("currentCancellableAmount")
        if expected is not None and expected != cancellable:
            return self._error(409, "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN")
        cancel = int(body.get("amount") or cancellable)
        if cancel > cancellable:
            return self._error(400, "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT")
        is_transfer = payment.get("method", {}).get("type") == "PaymentMethodVirtualAccount"
        if is_transfer and not body.get("refundAccount"):  # as PortOne: no card to go back to
            return self._error(400, "INVALID_REQUEST")
        cancellation = self._cancellation(payment_id, cancel, body["reason"], "API")
        return httpx.Response(200, json={"cancellation": copy.deepcopy(cancellation)})

    def _at(self) -> str:
        at = self.now or datetime.now(UTC)
        return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _cancellation(
        self, payment_id: str, cancel: int, reason: str, trigger: str
    ) -> dict[str, Any]:
        payment = self.payments[payment_id]
        amount = payment["amount"]
        cancellation: dict[str, Any] = recorded("cancellation")
        cancellation.update(
            id=f"cancellation-{uuid.uuid4().hex[:20]}",
            totalAmount=cancel,
            vatAmount=0,
            reason=reason,
            trigger=trigger,
            cancelledAt=self._at(),
            requestedAt=self._at(),
        )
        amount["cancelled"] += cancel
        payment["cancellations"].append(cancellation)
        payment["status"] = (
            "CANCELLED" if amount["cancelled"] == amount["paid"] else "PARTIAL_CANCELLED"
        )
        payment.setdefault("cancelledAt", cancellation["cancelledAt"])
        self._event(payment, payment["status"], -cancel, cancellation)
        return cancellation

    def _event(
        self,
        payment: dict[str, Any],
        status: str,
        amount: int,
        cancellation: dict[str, Any] | None = None,
    ) -> None:
        event = recorded("cancelled_payment_event" if cancellation else "paid_payment_event")
        event.update(
            type=status,
            id=f"paymentevent-{uuid.uuid4().hex[:20]}",
            paymentId=payment["id"],
            storeId=self.store_id,
            createdAt=self._at(),
            totalAmount=copy.deepcopy(payment["amount"]),
            currency=payment["currency"],
            eventAmount=amount,
        )
        if cancellation is not None:
            event["cancellation"] = copy.deepcopy(cancellation)
        self.events.append(event)

    def _events(self, body: dict[str, Any]) -> httpx.Response:
        """GET /payment-events-by-cursor: events created in [from, until), after the cursor."""
        start = int(body["cursor"]) + 1 if body.get("cursor") else 0
        size = int(body.get("size") or 10)
        since, until = body.get("from", ""), body.get("until", "~")

        def when(value: str) -> datetime:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))

        items = [
            {"paymentEvent": copy.deepcopy(e), "cursor": str(n)}
            for n, e in enumerate(self.events)
            if n >= start
            and (not since or when(since) <= when(e["createdAt"]))
            and (until == "~" or when(e["createdAt"]) < when(until))
        ]
        return httpx.Response(200, json={"items": items[:size]})

    @staticmethod
    def _error(status: int, kind: str) -> httpx.Response:
        errors = recorded("errors")
        return httpx.Response(status, json=errors.get(kind, {"type": kind, "message": kind}))

    # ------------------------------------------------------------------ the payer's side
    def pay(
        self, payment_id: str, amount: int | None = None, *, virtual_account: bool = False
    ) -> tuple[bytes, dict[str, str]]:
        """The payer pays in PortOne's window (the pre-registered amount unless ``amount`` says
        otherwise, as a provider's record that disagrees would; by card, or by a transfer to a
        virtual account); returns the signed webhook."""
        registered, currency = self.preregistered[payment_id]
        paid = recorded("paid_payment")
        total = registered if amount is None else amount
        paid.update(id=payment_id, storeId=self.store_id, currency=currency, paidAt=self._at())
        if virtual_account:
            paid["method"] = {
                "type": "PaymentMethodVirtualAccount",
                "bank": "SHINHAN",
                "accountNumber": "56211234567890",
                "remitteeName": "Tombola",
            }
        paid["amount"].update(total=total, paid=total, vat=0, supply=total)
        self.payments[payment_id] = paid
        self._event(paid, "PAID", total)
        return self.webhook("Transaction.Paid", payment_id)

    def charge_back(
        self,
        payment_id: str,
        amount: int | None = None,
        *,
        reason: str = "카드사 차지백",
        trigger: str = "CHARGEBACK",
    ) -> tuple[dict[str, Any], tuple[bytes, dict[str, str]]]:
        """PortOne (the card issuer's chargeback, someone in its console) gives (part of) a
        payment back on its own; returns the cancellation and its signed webhook."""
        payment = self.payments[payment_id]
        left = payment["amount"]["paid"] - payment["amount"]["cancelled"]
        cancellation = self._cancellation(
            payment_id, left if amount is None else amount, reason, trigger
        )
        return cancellation, self.cancelled_webhook(payment_id, cancellation["id"])

    def cancelled_webhook(
        self, payment_id: str, cancellation_id: str, *, at: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """Transaction.Cancelled (the payment is wholly cancelled now) or
        Transaction.PartialCancelled, naming the cancellation."""
        payment = self.payments[payment_id]
        whole = payment["status"] == "CANCELLED"
        event = recorded("webhook_transaction_cancelled")
        event["type"] = "Transaction.Cancelled" if whole else "Transaction.PartialCancelled"
        event["data"].update(
            paymentId=payment_id, storeId=self.store_id, cancellationId=cancellation_id
        )
        return self._signed(json.dumps(event), at=at)

    def decline(self, payment_id: str) -> tuple[bytes, dict[str, str]]:
        registered, currency = self.preregistered[payment_id]
        failed = recorded("failed_payment")
        failed.update(id=payment_id, storeId=self.store_id, currency=currency)
        failed["amount"]["total"] = registered
        self.payments[payment_id] = failed
        return self.webhook("Transaction.Failed", payment_id)

    def webhook(
        self, kind: str, payment_id: str, *, at: int | None = None, secret: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        event = recorded("webhook_transaction_paid")
        event["type"] = kind
        event["data"].update(paymentId=payment_id, storeId=self.store_id)
        return self._signed(json.dumps(event), at=at, secret=secret)

    def _signed(
        self, body: str, *, at: int | None = None, secret: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        webhook_id = f"msg_{uuid.uuid4().hex}"
        timestamp = int(time.time()) if at is None else at
        headers = {
            "content-type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret or self.webhook_secret, webhook_id, timestamp, body),
        }
        return body.encode(), headers

    def cancels(self, payment_id: str) -> list[dict[str, Any]]:
        cancellations: list[dict[str, Any]] = self.payments[payment_id]["cancellations"]
        return cancellations
