"""A sandbox payment provider: checkouts, payments, cancellations (refunds of ours, and its own:
a chargeback or a console cancellation), and payouts recorded in the table, so that a person,
the local stack or a test can pay a checkout (which sends the signed webhook), have the provider
give a payment back unasked, and list what was refunded and paid out. Refunds and payouts are
idempotent by their ids; a payment's cancellations never exceed what was paid.

Its records (never read by the product except through this port):
  PSP#CHECKOUT / <checkout id>        what a checkout asks for
  PSP#PAYMENT  / <payment id>         a payment taken: amount, and how much was cancelled
  PSP#REFUND   / <refund id>          a cancellation we asked for (what it gave back)
  PSP#CANCEL   / <cancellation id>    a cancellation of its own
  PSP#PAYOUT   / <payout id>          a payout made
  PSP#DAY#<yyyy-mm-dd> / <kind>#<id>  the day's records, for reconciliation
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from botocore.exceptions import ClientError

from tombola.adapters.dynamo_items import from_item, to_item, transact_once
from tombola.domain.errors import ProviderUnavailable
from tombola.domain.money import Money
from tombola.domain.signatures import SIGNATURE_HEADER, BadSignature, verify_signature
from tombola.ports.clock import Clock, SystemClock
from tombola.ports.payment_provider import (
    Checkout,
    PaymentEvent,
    ProviderRecord,
    RecordKind,
    checkout_id_for,
)

SANDBOX_URL = "http://127.0.0.1/sandbox/checkouts/"
DAY_PAGE = 500  # records per page of a day's listing
CANCEL_ATTEMPTS = 5


@dataclass(frozen=True)
class WebhookSigning:
    """How the sandbox's webhooks are verified: the secrets that may have signed them (current,
    previous), the clock, and the tolerance."""

    secrets: Callable[[], Sequence[str]]
    now: Callable[[], int]
    tolerance_seconds: int = 300


class NothingToCancel(ValueError):
    """The sandbox has no such payment, or nothing of it is left to give back."""


class SandboxPaymentProvider:
    pays_out = True

    def __init__(
        self,
        table_name: str,
        client: Any,
        checkout_url: str = SANDBOX_URL,
        signing: WebhookSigning | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.table = table_name
        self.client = client
        self.checkout_url = checkout_url  # the local stack's own, with its port
        self.signing = signing
        self.clock = clock or SystemClock()

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

    def verified_event(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent | None:
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
        return PaymentEvent.model_validate_json(body)

    # ------------------------------------------------------------------ its records
    def _now(self) -> datetime:
        return self.clock.now().astimezone(UTC)

    def _get(self, kind: str, record_id: str) -> dict[str, Any] | None:
        got = self.client.get_item(
            TableName=self.table,
            Key=to_item({"pk": f"PSP#{kind}", "sk": record_id}),
            ConsistentRead=True,
        )
        return from_item(got["Item"]) if "Item" in got else None

    @staticmethod
    def _day_put(table: str, kind: RecordKind, values: dict[str, Any]) -> dict[str, Any]:
        at = datetime.fromisoformat(values["at"])
        return {
            "Put": {
                "TableName": table,
                "Item": to_item(
                    {
                        "pk": f"PSP#DAY#{at:%Y-%m-%d}",
                        "sk": f"{kind}#{values['record_id']}",
                        "kind": kind,
                        **values,
                    }
                ),
            }
        }

    def _record_once(self, kind: str, record_id: str, values: dict[str, Any]) -> bool:
        try:
            self.client.put_item(
                TableName=self.table,
                Item=to_item({"pk": f"PSP#{kind}", "sk": record_id, **values}),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as err:
            if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def record_payment(
        self, *, payment_id: str, reference: str, amount: int, currency: str
    ) -> bool:
        """The payer paid (the sandbox's checkout page, or a test): kept once per payment id,
        before its webhook is sent."""
        at = self._now().isoformat()
        values = {
            "payment_id": payment_id,
            "reference": reference,
            "amount": amount,
            "currency": currency,
            "at": at,
        }
        writes = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": to_item(
                        {"pk": "PSP#PAYMENT", "sk": payment_id, **values, "cancelled": 0}
                    ),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            self._day_put(self.table, "payment", {"record_id": payment_id, **values}),
        ]
        return transact_once(self.client, writes)  # False: kept before

    def payment(self, payment_id: str) -> dict[str, Any] | None:
        return self._get("PAYMENT", payment_id)

    def _cancel(
        self, kind: str, record_id: str, payment: dict[str, Any], amount: int, extra: dict[str, Any]
    ) -> bool:
        """One cancellation of ``payment`` and the payment's cancelled total, together, under
        the total read (a concurrent cancellation makes this one read again)."""
        at = self._now().isoformat()
        values = {
            "payment_id": payment["payment_id"],
            "amount": amount,
            "currency": payment["currency"],
            "reference": payment.get("reference"),
            "at": at,
            **extra,
        }
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": to_item({"pk": f"PSP#{kind}", "sk": record_id, **values}),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": to_item({"pk": "PSP#PAYMENT", "sk": payment["payment_id"]}),
                            "UpdateExpression": "SET cancelled = :new",
                            "ConditionExpression": "cancelled = :read",
                            "ExpressionAttributeValues": to_item(
                                {
                                    ":new": payment["cancelled"] + amount,
                                    ":read": payment["cancelled"],
                                }
                            ),
                        }
                    },
                    self._day_put(self.table, "cancellation", {"record_id": record_id, **values}),
                ]
            )
        except ClientError as err:
            if err.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            return False
        return True

    def refund(self, *, refund_id: str, payment_id: str, amount: Money, reason: str) -> int | None:
        """Gives back at most what is left of the payment; what this refund gave back (0 when
        the payment was already wholly cancelled, by its payer's bank or its console)."""
        for _ in range(CANCEL_ATTEMPTS):
            done = self._get("REFUND", refund_id)
            if done is not None:
                return int(done["amount"])
            payment = self.payment(payment_id)
            if payment is None:  # taken before the sandbox kept payments: as it was asked
                self._record_once(
                    "REFUND",
                    refund_id,
                    {
                        "payment_id": payment_id,
                        "amount": amount.amount,
                        "currency": amount.currency,
                        "reason": reason,
                        "refund_id": refund_id,
                        "at": self._now().isoformat(),
                    },
                )
                return None
            take = min(amount.amount, int(payment["amount"]) - int(payment["cancelled"]))
            if take <= 0:
                return 0
            extra = {"reason": reason, "asked": amount.amount, "refund_id": refund_id}
            if self._cancel("REFUND", refund_id, payment, take, extra):
                return take
        raise ProviderUnavailable(f"payment {payment_id} kept changing while refunding it")

    def cancel(
        self,
        payment_id: str,
        *,
        amount: int | None = None,
        cancellation_id: str | None = None,
        reason: str = "cancelled by the card issuer",
        trigger: str = "CHARGEBACK",
    ) -> dict[str, Any]:
        """The provider gives (part of) a payment back on its own: a chargeback, or someone in
        its console. Returns the cancellation (its id, amount, payment, reference)."""
        cancellation_id = cancellation_id or f"cancel_{uuid.uuid4().hex[:20]}"
        for _ in range(CANCEL_ATTEMPTS):
            done = self._get("CANCEL", cancellation_id)
            if done is not None:
                return done
            payment = self.payment(payment_id)
            if payment is None:
                raise NothingToCancel(f"the sandbox took no payment {payment_id}")
            left = payment["amount"] - payment["cancelled"]
            take = left if amount is None else amount
            if not 0 < take <= left:
                raise NothingToCancel(f"payment {payment_id} has {left} left to give back")
            extra = {"reason": reason, "trigger": trigger}
            if self._cancel("CANCEL", cancellation_id, payment, take, extra):
                found = self._get("CANCEL", cancellation_id)
                assert found is not None
                return found
        raise ProviderUnavailable(f"payment {payment_id} kept changing while cancelling it")

    def payout(self, *, payout_id: str, payee_id: str, amount: Money) -> None:
        at = self._now().isoformat()
        values = {"payee_id": payee_id, "amount": amount.amount, "currency": amount.currency}
        self._record_once("PAYOUT", payout_id, {**values, "at": at})
        kept = self._get("PAYOUT", payout_id)  # a retry files it under the day it was made
        at = str(kept["at"]) if kept else at
        day = self._day_put(self.table, "payout", {"record_id": payout_id, **values, "at": at})
        self.client.put_item(**day["Put"])  # the same item again on a retry

    def records(self, kind: str) -> list[dict[str, Any]]:
        """CHECKOUT, PAYMENT, REFUND, CANCEL or PAYOUT records, for the sandbox and for tests."""
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

    # ------------------------------------------------------------------ reconciliation
    def records_of_day(
        self, day: date, cursor: str | None = None
    ) -> tuple[list[ProviderRecord], str | None]:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": to_item({":p": f"PSP#DAY#{day.isoformat()}"}),
            "Limit": DAY_PAGE,
        }
        if cursor:
            kwargs["ExclusiveStartKey"] = to_item(
                {"pk": f"PSP#DAY#{day.isoformat()}", "sk": cursor}
            )
        got = self.client.query(**kwargs)
        out = [_record(from_item(i)) for i in got["Items"]]
        last = got.get("LastEvaluatedKey")
        return out, (from_item(last)["sk"] if last else None)

    def find_record(
        self,
        kind: RecordKind,
        record_id: str,
        *,
        payment_id: str | None = None,
        refund_id: str | None = None,
    ) -> ProviderRecord | None:
        if kind == "payment":
            item = self._get("PAYMENT", record_id)
        elif kind == "payout":
            item = self._get("PAYOUT", record_id)
        elif refund_id is not None:
            item = self._get("REFUND", refund_id)
        else:
            item = self._get("CANCEL", record_id)
        if item is None:
            return None
        return _record({**item, "kind": kind, "record_id": item["sk"]})


def _record(item: dict[str, Any]) -> ProviderRecord:
    return ProviderRecord(
        kind=item["kind"],
        record_id=item["record_id"],
        amount=int(item["amount"]),
        currency=item["currency"],
        at=datetime.fromisoformat(item["at"])
        if item.get("at")
        else datetime.min.replace(tzinfo=UTC),
        payment_id=item.get("payment_id") if item["kind"] != "payment" else item["record_id"],
        reference=item.get("reference"),
        refund_id=item.get("refund_id"),
    )
