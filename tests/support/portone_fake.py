"""PortOne V2's payments API as its recorded exchanges (tests/fixtures/portone/) show it, with
state: pre-registration, payments, cancellations, and webhooks signed as PortOne signs them
(Standard Webhooks: base64 HMAC-SHA256 over "<id>.<timestamp>.<body>"). Served to the SDK's
httpx client through pytest-httpx; failures can be queued to test what we do when it errs."""

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
        cancellation = recorded("cancellation")
        cancellation.update(
            id=f"cancellation-{uuid.uuid4().hex[:20]}",
            totalAmount=cancel,
            vatAmount=0,
            reason=body["reason"],
        )
        amount["cancelled"] += cancel
        payment["cancellations"].append(cancellation)
        payment["status"] = (
            "CANCELLED" if amount["cancelled"] == amount["paid"] else "PARTIAL_CANCELLED"
        )
        payment.setdefault("cancelledAt", cancellation["cancelledAt"])
        return httpx.Response(200, json={"cancellation": copy.deepcopy(cancellation)})

    @staticmethod
    def _error(status: int, kind: str) -> httpx.Response:
        errors = recorded("errors")
        return httpx.Response(status, json=errors.get(kind, {"type": kind, "message": kind}))

    # ------------------------------------------------------------------ the payer's side
    def pay(self, payment_id: str, amount: int | None = None) -> tuple[bytes, dict[str, str]]:
        """The payer pays in PortOne's window (the pre-registered amount unless ``amount`` says
        otherwise, as a provider's record that disagrees would); returns the signed webhook."""
        registered, currency = self.preregistered[payment_id]
        paid = recorded("paid_payment")
        total = registered if amount is None else amount
        paid.update(id=payment_id, storeId=self.store_id, currency=currency)
        paid["amount"].update(total=total, paid=total, vat=0, supply=total)
        self.payments[payment_id] = paid
        return self.webhook("Transaction.Paid", payment_id)

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
        body = json.dumps(event)
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
