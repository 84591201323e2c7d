"""A sandbox payment provider: checkouts, refunds and payouts recorded in the table, so that a
person, the local stack or a test can pay a checkout (which sends the signed webhook) and list
what was refunded and paid out. Refunds and payouts are idempotent by their ids."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from tombola.adapters.dynamo_items import from_item, to_item
from tombola.api_models import PaymentEventIn
from tombola.money import Money
from tombola.ports import Checkout, checkout_id_for
from tombola.webhooks import SIGNATURE_HEADER, BadSignature, verify_signature

SANDBOX_URL = "http://127.0.0.1/sandbox/checkouts/"


@dataclass(frozen=True)
class WebhookSigning:
    """How the sandbox's webhooks are verified: the secrets that may have signed them (current,
    previous), the clock, and the tolerance."""

    secrets: Callable[[], Sequence[str]]
    now: Callable[[], int]
    tolerance_seconds: int = 300


class SandboxPaymentProvider:
    def __init__(
        self,
        table_name: str,
        client: Any,
        checkout_url: str = SANDBOX_URL,
        signing: WebhookSigning | None = None,
    ) -> None:
        self.table = table_name
        self.client = client
        self.checkout_url = checkout_url  # the local stack's own, with its port
        self.signing = signing

    def create_checkout(
        self, *, reference: str, payer_id: str, amount: Money, expires_at: datetime
    ) -> Checkout:
        checkout_id = checkout_id_for(reference)
        self.client.put_item(
            TableName=self.table,
            Item=to_item(
                {
                    "pk": "PSP#CHECKOUT",
                    "sk": checkout_id,
                    "reference": reference,
                    "payer_id": payer_id,
                    "amount": amount.amount,
                    "currency": amount.currency,
                    "expires_at": expires_at.isoformat(),
                }
            ),
        )
        return Checkout(checkout_id, amount, self.checkout_url + checkout_id, expires_at)

    def verified_event(self, body: bytes, headers: Mapping[str, str]) -> PaymentEventIn | None:
        if self.signing is None:
            raise BadSignature("webhook secret is not configured")
        lowered = {k.lower(): v for k, v in headers.items()}
        verify_signature(
            self.signing.secrets(),
            body,
            lowered.get(SIGNATURE_HEADER),
            self.signing.now(),
            self.signing.tolerance_seconds,
        )
        return PaymentEventIn.model_validate_json(body)

    def _record_once(self, kind: str, record_id: str, values: dict[str, Any]) -> None:
        try:
            self.client.put_item(
                TableName=self.table,
                Item=to_item({"pk": f"PSP#{kind}", "sk": record_id, **values}),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as err:
            if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def refund(self, *, refund_id: str, payment_id: str, amount: Money, reason: str) -> None:
        self._record_once(
            "REFUND",
            refund_id,
            {
                "payment_id": payment_id,
                "amount": amount.amount,
                "currency": amount.currency,
                "reason": reason,
            },
        )

    def payout(self, *, payout_id: str, payee_id: str, amount: Money) -> None:
        self._record_once(
            "PAYOUT",
            payout_id,
            {"payee_id": payee_id, "amount": amount.amount, "currency": amount.currency},
        )

    def records(self, kind: str) -> list[dict[str, Any]]:
        """CHECKOUT, REFUND or PAYOUT records, for the sandbox and for tests."""
        items: list[dict[str, Any]] = []
        for page in self.client.get_paginator("query").paginate(
            TableName=self.table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=to_item({":p": f"PSP#{kind}"}),
        ):
            items.extend(from_item(i) for i in page["Items"])
        return items

    def checkout(self, checkout_id: str) -> dict[str, Any] | None:
        got = self.client.get_item(
            TableName=self.table, Key=to_item({"pk": "PSP#CHECKOUT", "sk": checkout_id})
        )
        return from_item(got["Item"]) if "Item" in got else None
