"""PortOne V2 (portone-server-sdk) behind the payment port.

- A checkout is pre-registered with PortOne (payment id, amount, currency) before the buyer
  pays, so the buyer's browser cannot pay another amount; what we asked for is kept in our table.
- A webhook is verified with PortOne's signature scheme (the SDK), then the payment is read back
  from PortOne's API: the event we apply carries PortOne's own status, amount and currency, never
  the webhook body's, and the domain accepts it only if they match what is due.
- A refund is a cancellation carrying our refund id; before cancelling, the payment is read and
  a cancellation with that id means it is done, and the cancel names the cancellable amount it
  expects, so a retry or a concurrent duplicate cannot cancel twice.
- Payouts go to the operator's queue (GET /operator/payouts) and are confirmed there once the
  transfer is made; the journal records a payout only when it is confirmed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

import httpx
from portone_server_sdk import PaymentClient, errors, webhook
from portone_server_sdk.payment import (
    CancelledPayment,
    FailedPayment,
    FailedPaymentCancellation,
    PaidPayment,
    PartialCancelledPayment,
)

from tombola.adapters.dynamo_items import from_item, to_item
from tombola.api_models import PaymentData, PaymentEventIn
from tombola.errors import ProviderUnavailable
from tombola.money import Money
from tombola.ports import Checkout, checkout_id_for
from tombola.webhooks import BadSignature

log = logging.getLogger(__name__)

# PortOne's payments API can be slow; a request that takes longer is retried by our caller.
TIMEOUT_SECONDS = 10.0
PORTONE_API = "https://api.portone.io"


@dataclass(frozen=True, slots=True)
class PortOneCredentials:
    """The secret in Secrets Manager: {"api_secret", "webhook_secret", "store_id"}."""

    api_secret: str
    webhook_secret: str
    store_id: str
    api_url: str = PORTONE_API


@dataclass(frozen=True, slots=True)
class AskedFor:
    """What a checkout asked the payer for (our record, keyed by the PortOne payment id)."""

    checkout_id: str
    reference: str
    payer_id: str
    amount: int
    currency: str


class CheckoutBook(Protocol):
    def put(self, asked: AskedFor) -> None: ...

    def get(self, checkout_id: str) -> AskedFor | None: ...


class DynamoCheckoutBook:
    """One item per checkout (``CHECKOUT#<id>``): no key is shared between checkouts."""

    def __init__(self, table: str, client: Any) -> None:
        self.table = table
        self.client = client

    def put(self, asked: AskedFor) -> None:
        item = {"pk": f"CHECKOUT#{asked.checkout_id}", "sk": "CHECKOUT", **asdict(asked)}
        self.client.put_item(TableName=self.table, Item=to_item(item))

    def get(self, checkout_id: str) -> AskedFor | None:
        got = self.client.get_item(
            TableName=self.table,
            Key=to_item({"pk": f"CHECKOUT#{checkout_id}", "sk": "CHECKOUT"}),
            ConsistentRead=True,
        )
        if "Item" not in got:
            return None
        item = from_item(got["Item"])
        return AskedFor(
            checkout_id=item["checkout_id"],
            reference=item["reference"],
            payer_id=item["payer_id"],
            amount=int(item["amount"]),
            currency=item["currency"],
        )


def refund_marker(refund_id: str) -> str:
    return f"[{refund_id}]"


class PortOnePaymentProvider:
    def __init__(
        self,
        credentials: PortOneCredentials | Callable[[], PortOneCredentials],
        book: CheckoutBook,
        checkout_page: str,
    ) -> None:
        """``credentials`` may be a function: the secret is then read on first use only, so a
        function that never pays or refunds never reads it."""
        self._credentials = credentials
        self._client: PaymentClient | None = None
        self.book = book
        self.checkout_page = checkout_page  # our page that opens PortOne's payment window

    @property
    def credentials(self) -> PortOneCredentials:
        if callable(self._credentials):
            self._credentials = self._credentials()
        return self._credentials

    @property
    def client(self) -> PaymentClient:
        if self._client is None:
            c = self.credentials
            client = PaymentClient(secret=c.api_secret, base_url=c.api_url, store_id=c.store_id)
            client._sync_client = httpx.Client(timeout=TIMEOUT_SECONDS)  # the SDK's is 60 s
            self._client = client
        return self._client

    # ------------------------------------------------------------------------- checkout
    def create_checkout(
        self, *, reference: str, payer_id: str, amount: Money, expires_at: datetime
    ) -> Checkout:
        checkout_id = checkout_id_for(reference)
        self.book.put(AskedFor(checkout_id, reference, payer_id, amount.amount, amount.currency))
        try:
            self.client.pre_register_payment(
                payment_id=checkout_id, total_amount=amount.amount, currency=amount.currency
            )
        except errors.AlreadyPaidError:
            pass  # asked again after paying: its webhook settles it
        except (errors.PortOneError, httpx.HTTPError) as err:
            raise _unavailable("pre-register the payment", err) from err
        url = f"{self.checkout_page}?paymentId={checkout_id}"
        return Checkout(checkout_id, amount, url, expires_at)

    # -------------------------------------------------------------------------- webhooks
    def verified_event(self, body: bytes, headers: Mapping[str, str]) -> PaymentEventIn | None:
        """The event to apply, from PortOne's own record of the payment; None for an event
        that moves no money of ours (a payment still waiting, a billing key)."""
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            text = body.decode()
            received = webhook.verify(self.credentials.webhook_secret, text, lowered)
        except (webhook.WebhookVerificationError, webhook.InvalidInputError) as err:
            reason = getattr(err, "reason", None) or getattr(err, "message", None)
            raise BadSignature(f"PortOne signature refused: {reason}") from None
        except (UnicodeDecodeError, ValueError):
            raise BadSignature("PortOne webhook body is not the JSON it signed") from None
        payment_id = getattr(getattr(received, "data", None), "payment_id", None)
        if not isinstance(payment_id, str):
            return None
        try:
            payment = self.client.get_payment(payment_id=payment_id)
        except (errors.PortOneError, httpx.HTTPError) as err:
            raise _unavailable("read the payment back", err) from err
        kind = _event_type(payment)
        if kind is None:
            return None
        asked = self.book.get(payment_id)
        reference = asked.reference if asked else f"unknown:{payment_id}"
        amount = payment.amount.total  # type: ignore[union-attr]
        return PaymentEventIn(
            id=f"portone:{lowered.get('webhook-id', payment_id)}",
            type=kind,
            created=int(lowered["webhook-timestamp"]),  # verify() required it
            data=PaymentData(
                payment_id=payment_id,
                reference=reference,
                amount=amount,
                currency=str(payment.currency),  # type: ignore[union-attr]
                checkout_id=payment_id,
            ),
        )

    # ------------------------------------------------------------------------- refunds
    def refund(self, *, refund_id: str, payment_id: str, amount: Money, reason: str) -> None:
        marker = refund_marker(refund_id)
        for _ in range(2):
            payment = self._payment(payment_id)
            if _cancelled_with(payment, marker):
                return  # done before (a retry)
            paid = payment.amount.paid
            cancelled = payment.amount.cancelled
            try:
                self.client.cancel_payment(
                    payment_id=payment_id,
                    amount=amount.amount,
                    reason=f"{reason} {marker}",
                    current_cancellable_amount=paid - cancelled,
                )
                return
            except (
                errors.CancellableAmountConsistencyBrokenError,
                errors.PaymentAlreadyCancelledError,
            ):
                continue  # someone cancelled meanwhile: read again, maybe it was this refund
            except (errors.PortOneError, httpx.HTTPError) as err:
                raise _unavailable("cancel the payment", err) from err
        raise ProviderUnavailable(
            f"payment {payment_id} changed while refunding {refund_id}; the outbox retries"
        )

    def _payment(self, payment_id: str) -> Any:
        try:
            return self.client.get_payment(payment_id=payment_id)
        except (errors.PortOneError, httpx.HTTPError) as err:
            raise _unavailable("read the payment", err) from err

    # ------------------------------------------------------------------------- payouts
    def payout(self, *, payout_id: str, payee_id: str, amount: Money) -> None:
        """Queued for the operator (the payout record is issued with the settlement); the
        operator transfers and confirms it (POST /operator/payouts/{id}/paid)."""
        log.warning(
            "payout %s of %d %s to %s waits for the operator's transfer",
            payout_id,
            amount.amount,
            amount.currency,
            payee_id,
        )


EventType = Literal["payment.succeeded", "payment.failed", "refund.succeeded"]


def _event_type(payment: Any) -> EventType | None:
    if isinstance(payment, PaidPayment):
        return "payment.succeeded"
    if isinstance(payment, FailedPayment):
        return "payment.failed"
    if isinstance(payment, CancelledPayment | PartialCancelledPayment):
        return "refund.succeeded"
    return None


def _cancelled_with(payment: Any, marker: str) -> bool:
    """A cancellation of ours (requested or done; a failed one does not count)."""
    return any(
        marker in (c.reason or "") and not isinstance(c, FailedPaymentCancellation)
        for c in getattr(payment, "cancellations", None) or []
    )


def _unavailable(what: str, err: Exception) -> ProviderUnavailable:
    detail = getattr(err, "message", None) or type(err).__name__
    log.warning("PortOne: could not %s: %s", what, detail)
    return ProviderUnavailable(f"the payment provider could not {what}; try again")
