"""PortOne V2 (portone-server-sdk) behind the payment port.

- A checkout is pre-registered with PortOne (payment id, amount, currency) before the buyer
  pays, so the buyer's browser cannot pay another amount; what we asked for is kept in our table.
- A webhook is verified with PortOne's signature scheme (the SDK), then the payment is read back
  from PortOne's API: the event we apply carries PortOne's own status, amount and currency, never
  the webhook body's, and the domain accepts it only if they match what is due.
- A refund is a cancellation carrying our refund id; before cancelling, the payment is read and
  a cancellation with that id means it is done, and the cancel names the cancellable amount it
  expects, so a retry or a concurrent duplicate cannot cancel twice. It asks for at most what
  is still cancellable: a payment PortOne already gave back (a chargeback, a cancellation in
  its console) is a refund done, never an error retried for ever.
- A cancellation (Transaction.Cancelled / Transaction.PartialCancelled) is read back from the
  payment's cancellations by its id and applied as ``payment.cancelled``: one of ours carries
  our refund id in its reason; any other was PortOne's or the card issuer's (trigger CONSOLE,
  PORTONE_ADMIN, CHARGEBACK). A dispute (Transaction.DisputeCreated) is ``payment.disputed``.
- Reconciliation reads a day's payment events (payments and cancellations) by cursor.
- Payouts go to the operator's queue (GET /operator/payouts) and are confirmed there once the
  transfer is made; the journal records a payout only when it is confirmed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, Protocol

import httpx
from portone_server_sdk import PaymentClient, errors, webhook
from portone_server_sdk.payment import (
    CancelledPayment,
    CancelledPaymentEvent,
    CancelPaymentBodyRefundAccount,
    FailedPayment,
    FailedPaymentCancellation,
    PaidPayment,
    PaidPaymentEvent,
    PartialCancelledPayment,
    PartialCancelledPaymentEvent,
    PaymentMethodVirtualAccount,
    SucceededPaymentCancellation,
)

from tombola.adapters.dynamo_items import from_item, to_item
from tombola.domain.errors import ProviderUnavailable
from tombola.domain.money import Money
from tombola.domain.signatures import BadSignature
from tombola.ports.payment_provider import (
    Checkout,
    PaymentEvent,
    PaymentEventData,
    ProviderRecord,
    RecordKind,
    checkout_id_for,
)
from tombola.state.records import ProfileRecord

log = logging.getLogger(__name__)

# PortOne's payments API can be slow; a request that takes longer is retried by our caller.
TIMEOUT_SECONDS = 10.0
PORTONE_API = "https://api.portone.io"
EVENTS_PAGE = 1000  # payment events per page of a day (PortOne's largest)
_OUR_REFUND = re.compile(r"\[(refund-[^\]]+)\]")


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


def refund_id_in(reason: str | None) -> str | None:
    """Our refund id, when a cancellation's reason carries it (a cancellation we asked for)."""
    found = _OUR_REFUND.search(reason or "")
    return found.group(1) if found else None


class RefundAccountMissing(ProviderUnavailable):
    """A refund PortOne cannot make until the payer gives a bank account: the effect is retried,
    and lands on the operator's dead letters with this reason if it never comes."""


class PortOneAccess:
    """The credentials, read on first use (``credentials`` may be a function: a function that
    never talks to PortOne never reads the secret), and an SDK client on them with our timeout."""

    _credentials: PortOneCredentials | Callable[[], PortOneCredentials]

    @property
    def credentials(self) -> PortOneCredentials:
        if callable(self._credentials):
            self._credentials = self._credentials()
        return self._credentials

    def sdk_client(self, kind: Callable[..., Any]) -> Any:
        c = self.credentials
        client = kind(secret=c.api_secret, base_url=c.api_url, store_id=c.store_id)
        client._sync_client = httpx.Client(timeout=TIMEOUT_SECONDS)  # the SDK's is 60 s
        return client


class PortOnePaymentProvider(PortOneAccess):
    pays_out = False  # the operator transfers payouts and confirms them

    def __init__(
        self,
        credentials: PortOneCredentials | Callable[[], PortOneCredentials],
        book: CheckoutBook,
        checkout_page: str,
        payers: Callable[[str], ProfileRecord | None] = lambda _: None,
    ) -> None:
        """``credentials`` may be a function: the secret is then read on first use only, so a
        function that never pays or refunds never reads it."""
        self._credentials = credentials
        self._client: PaymentClient | None = None
        self.book = book
        self.checkout_page = checkout_page  # our page that opens PortOne's payment window
        self.payers = payers  # a payer's profile: where a virtual-account refund goes

    @property
    def client(self) -> PaymentClient:
        if self._client is None:
            self._client = self.sdk_client(PaymentClient)
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
    def verified_event(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent | None:
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
        data = getattr(received, "data", None)
        payment_id = getattr(data, "payment_id", None)
        if not isinstance(payment_id, str):
            return None
        try:
            payment = self.client.get_payment(payment_id=payment_id)
        except (errors.PortOneError, httpx.HTTPError) as err:
            raise _unavailable("read the payment back", err) from err
        asked = self.book.get(payment_id)
        reference = asked.reference if asked else f"unknown:{payment_id}"
        event_id = f"portone:{lowered.get('webhook-id', payment_id)}"
        created = int(lowered["webhook-timestamp"])  # verify() required it
        currency = str(getattr(payment, "currency", "") or "")
        if isinstance(
            received,
            webhook.WebhookTransactionCancelledCancelled
            | webhook.WebhookTransactionCancelledPartialCancelled,
        ):
            cancellation = _cancellation(payment, received.data.cancellation_id)
            if cancellation is None:  # not (yet) done: PortOne reports it again when it is
                return None
            return PaymentEvent(
                id=event_id,
                type="payment.cancelled",
                created=created,
                data=PaymentEventData(
                    payment_id=payment_id,
                    reference=reference,
                    amount=cancellation.total_amount,
                    currency=currency,
                    checkout_id=payment_id,
                    cancellation_id=cancellation.id,
                    refund_id=refund_id_in(cancellation.reason),
                    reason=_reason(cancellation),
                ),
            )
        if isinstance(received, webhook.WebhookTransactionDisputeCreated):
            disputes = getattr(payment, "disputes", None) or []
            return PaymentEvent(
                id=event_id,
                type="payment.disputed",
                created=created,
                data=PaymentEventData(
                    payment_id=payment_id,
                    reference=reference,
                    amount=payment.amount.total,  # type: ignore[union-attr]
                    currency=currency,
                    checkout_id=payment_id,
                    reason=(disputes[-1].reason if disputes else "dispute opened")[:500],
                ),
            )
        kind = _event_type(
            payment, paid_webhook=isinstance(received, webhook.WebhookTransactionPaid)
        )
        if kind is None:
            return None
        amount = payment.amount.total  # type: ignore[union-attr]
        return PaymentEvent(
            id=event_id,
            type=kind,
            created=created,
            data=PaymentEventData(
                payment_id=payment_id,
                reference=reference,
                amount=amount,
                currency=currency,
                checkout_id=payment_id,
            ),
        )

    # ------------------------------------------------------------------------- refunds
    def refund(self, *, refund_id: str, payment_id: str, amount: Money, reason: str) -> int:
        """What this refund gave back: at most what PortOne can still cancel (0 when the payment
        was wholly given back already, by a chargeback or in PortOne's console)."""
        marker = refund_marker(refund_id)
        for _ in range(2):
            payment = self._payment(payment_id)
            done = _cancelled_with(payment, marker)
            if done is not None:
                return done  # done before (a retry)
            paid = payment.amount.paid
            cancelled = payment.amount.cancelled
            cancellable = paid - cancelled
            if cancellable <= 0:
                return 0  # nothing left to give back: the payer has it all
            take: int = min(amount.amount, int(cancellable))
            try:
                self.client.cancel_payment(
                    payment_id=payment_id,
                    amount=take,
                    reason=f"{reason} {marker}",
                    current_cancellable_amount=cancellable,
                    refund_account=self._refund_account(payment_id, payment),
                )
                return take
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

    def _refund_account(
        self, payment_id: str, payment: Any
    ) -> CancelPaymentBodyRefundAccount | None:
        """A virtual-account payment goes back to the bank account its payer gave (PortOne
        refuses its refund without one); any other goes back the way it came."""
        if not isinstance(getattr(payment, "method", None), PaymentMethodVirtualAccount):
            return None
        asked = self.book.get(payment_id)
        profile = self.payers(asked.payer_id) if asked else None
        account = profile.refund_account if profile else None
        if profile is None or account is None:
            raise RefundAccountMissing(
                f"payment {payment_id} was paid by virtual account and its payer has no refund "
                "account in their profile: ask them to add one, then retry this refund"
            )
        return CancelPaymentBodyRefundAccount(
            bank=account.bank,
            number=account.number,
            holder_name=account.holder_name,
            holder_phone_number=profile.phone,
        )

    def _payment(self, payment_id: str) -> Any:
        try:
            return self.client.get_payment(payment_id=payment_id)
        except (errors.PortOneError, httpx.HTTPError) as err:
            raise _unavailable("read the payment", err) from err

    # ------------------------------------------------------------------ reconciliation
    def records_of_day(
        self, day: date, cursor: str | None = None
    ) -> tuple[list[ProviderRecord], str | None]:
        """The day's payment events (paid, cancelled, partially cancelled), a page at a time
        (``get_all_payment_events_by_cursor``, by the events' creation time)."""
        start = datetime.combine(day, time(0), UTC)
        try:
            page = self.client.get_all_payment_events_by_cursor(
                from_=start.isoformat().replace("+00:00", "Z"),
                until=(start + timedelta(days=1)).isoformat().replace("+00:00", "Z"),
                cursor=cursor,
                size=EVENTS_PAGE,
            )
        except (errors.PortOneError, httpx.HTTPError, ValueError) as err:
            raise _unavailable("list the day's payment events", err) from err
        references: dict[str, str | None] = {}
        out: list[ProviderRecord] = []
        for item in page.items:
            record = self._event_record(item.payment_event, references)
            if record is not None:
                out.append(record)
        more = len(page.items) >= EVENTS_PAGE
        return out, (page.items[-1].cursor if more and page.items else None)

    def _reference(self, payment_id: str, cache: dict[str, str | None]) -> str | None:
        if payment_id not in cache:
            asked = self.book.get(payment_id)
            cache[payment_id] = asked.reference if asked else None
        return cache[payment_id]

    def _event_record(self, event: Any, cache: dict[str, str | None]) -> ProviderRecord | None:
        if isinstance(event, PaidPaymentEvent):
            return ProviderRecord(
                kind="payment",
                record_id=event.payment_id,
                amount=abs(event.event_amount),
                currency=str(event.currency),
                at=_when(event.created_at),
                payment_id=event.payment_id,
                reference=self._reference(event.payment_id, cache),
            )
        if isinstance(event, CancelledPaymentEvent | PartialCancelledPaymentEvent):
            cancellation = event.cancellation
            if not isinstance(cancellation, SucceededPaymentCancellation):
                return None
            return ProviderRecord(
                kind="cancellation",
                record_id=cancellation.id,
                amount=cancellation.total_amount,
                currency=str(event.currency),
                at=_when(event.created_at),
                payment_id=event.payment_id,
                reference=self._reference(event.payment_id, cache),
                refund_id=refund_id_in(cancellation.reason),
            )
        return None  # an event this SDK does not know: left for the next SDK

    def find_record(
        self,
        kind: RecordKind,
        record_id: str,
        *,
        payment_id: str | None = None,
        refund_id: str | None = None,
    ) -> ProviderRecord | None:
        if kind == "payout":
            return None  # PortOne makes no payouts of ours
        wanted = record_id if kind == "payment" else payment_id
        if wanted is None:
            return None
        try:
            payment = self.client.get_payment(payment_id=wanted)
        except errors.PaymentNotFoundError:
            return None
        except (errors.PortOneError, httpx.HTTPError) as err:
            raise _unavailable("read the payment", err) from err
        if not isinstance(payment, PaidPayment | CancelledPayment | PartialCancelledPayment):
            return None
        reference = self._reference(wanted, {})
        if kind == "payment":
            return ProviderRecord(
                kind="payment",
                record_id=wanted,
                amount=payment.amount.paid,
                currency=str(payment.currency),
                at=_when(payment.paid_at or payment.requested_at),
                payment_id=wanted,
                reference=reference,
            )
        for c in getattr(payment, "cancellations", None) or []:
            if not isinstance(c, SucceededPaymentCancellation):
                continue
            if c.id == record_id or (refund_id is not None and refund_id_in(c.reason) == refund_id):
                return ProviderRecord(
                    kind="cancellation",
                    record_id=c.id,
                    amount=c.total_amount,
                    currency=str(payment.currency),
                    at=_when(c.cancelled_at or c.requested_at),
                    payment_id=wanted,
                    reference=reference,
                    refund_id=refund_id_in(c.reason),
                )
        return None

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


def _event_type(payment: Any, *, paid_webhook: bool = False) -> EventType | None:
    if isinstance(payment, PaidPayment):
        return "payment.succeeded"
    if isinstance(payment, FailedPayment):
        return "payment.failed"
    if isinstance(payment, CancelledPayment | PartialCancelledPayment):
        # A payment reported paid that was given back since was still paid: it is applied (once
        # per payment id) and each cancellation by its own event.
        return "payment.succeeded" if paid_webhook else "refund.succeeded"
    return None


def _cancelled_with(payment: Any, marker: str) -> int | None:
    """What cancellations of ours gave back (requested or done; a failed one does not count);
    None when there is none."""
    ours = [
        c
        for c in getattr(payment, "cancellations", None) or []
        if marker in (c.reason or "") and not isinstance(c, FailedPaymentCancellation)
    ]
    return sum(int(getattr(c, "total_amount", 0) or 0) for c in ours) if ours else None


def _cancellation(payment: Any, cancellation_id: str) -> SucceededPaymentCancellation | None:
    for c in getattr(payment, "cancellations", None) or []:
        if isinstance(c, SucceededPaymentCancellation) and c.id == cancellation_id:
            return c
    return None


def _reason(cancellation: SucceededPaymentCancellation) -> str:
    trigger = getattr(cancellation, "trigger", None)
    text = f"{cancellation.reason} ({trigger})" if trigger else cancellation.reason
    return text[:500]


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _unavailable(what: str, err: Exception) -> ProviderUnavailable:
    detail = getattr(err, "message", None) or type(err).__name__
    log.warning("PortOne: could not %s: %s", what, detail)
    return ProviderUnavailable(f"the payment provider could not {what}; try again")
