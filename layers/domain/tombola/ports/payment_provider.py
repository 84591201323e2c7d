"""The payment provider's port: checkout, refund, payout, the events it reports, its records."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from tombola.domain.money import MAX_AMOUNT, Money


@dataclass(frozen=True, slots=True)
class Checkout:
    checkout_id: str
    amount: Money
    url: str
    expires_at: datetime


def checkout_id_for(reference: str) -> str:
    """One checkout per thing to pay: asking again for the same reference finds the same one."""
    return "chk_" + hashlib.sha256(reference.encode()).hexdigest()[:24]


RecordKind = Literal["payment", "cancellation", "payout"]


@dataclass(frozen=True, slots=True)
class ProviderRecord:
    """One money movement as the provider recorded it (reconciliation): a payment it took, a
    cancellation (ours, carrying our refund id, or its own), or a payout it made."""

    kind: RecordKind
    record_id: str  # the payment, cancellation or payout id
    amount: int  # positive, minor units
    currency: str
    at: datetime
    payment_id: str | None = None  # the payment a cancellation gave back
    reference: str | None = None  # what our checkout asked for (``deposit:<listing>`` …)
    refund_id: str | None = None  # a cancellation we asked for: our refund id

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.record_id}"


class PaymentProvider(Protocol):
    """A card PSP. Results arrive later as signed webhooks."""

    def create_checkout(
        self, *, reference: str, payer_id: str, amount: Money, expires_at: datetime
    ) -> Checkout: ...

    def refund(self, *, refund_id: str, payment_id: str, amount: Money, reason: str) -> int | None:
        """Idempotent by ``refund_id``. Asks for at most what is still cancellable (the provider
        may have given some back on its own) and returns what this refund gave back, now or
        before: 0 when the payment was already wholly cancelled; None when the provider cannot
        say (a payment it has no record of)."""
        ...

    def payout(self, *, payout_id: str, payee_id: str, amount: Money) -> None:
        """Idempotent by ``payout_id``."""
        ...

    def verified_event(self, body: bytes, headers: Mapping[str, str]) -> PaymentEvent | None:
        """The event a webhook carries, once its signature is verified (BadSignature if not);
        None for one that moves no money of ours."""
        ...

    # Payouts are provider records only when the provider makes them (the sandbox does; with
    # PortOne the operator transfers and confirms them).
    pays_out: bool

    def records_of_day(
        self, day: date, cursor: str | None = None
    ) -> tuple[list[ProviderRecord], str | None]:
        """One page of the day's (UTC) payments, cancellations and payouts; the cursor goes on."""
        ...

    def find_record(
        self,
        kind: RecordKind,
        record_id: str,
        *,
        payment_id: str | None = None,
        refund_id: str | None = None,
    ) -> ProviderRecord | None:
        """One record, whatever day it is on (None: the provider has no such record): a payment
        or payout by its id; a cancellation by its id or, for one of ours, by our refund id,
        of the payment ``payment_id``."""
        ...


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


_Id = Annotated[str, Field(min_length=1, max_length=200)]


# What a provider's verified webhook tells us, in our terms (the sandbox sends it as is; the
# PortOne adapter builds it from PortOne's payment record).
class PaymentEventData(_Event):
    payment_id: Annotated[str, Field(min_length=1, max_length=200)]
    reference: Annotated[str, Field(min_length=1, max_length=300)]
    amount: Annotated[StrictInt, Field(ge=0, le=MAX_AMOUNT)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    checkout_id: Annotated[str, Field(max_length=200)] | None = None
    # payment.cancelled: the provider's cancellation (its id; ``amount`` is what it gave back),
    # and our refund id when it is one we asked for
    cancellation_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    refund_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    reason: Annotated[str, Field(max_length=500)] | None = None


class PaymentEvent(_Event):
    id: Annotated[str, Field(min_length=1, max_length=200)]
    type: Literal[
        "payment.succeeded",
        "payment.failed",
        "payment.cancelled",  # the provider gave (part of) a payment back: ours, or unasked
        "payment.disputed",  # the payer's card issuer opened a dispute (a chargeback may follow)
        "refund.succeeded",
        "payout.paid",
    ]
    created: Annotated[StrictInt, Field(ge=0, le=10**11)]
    data: PaymentEventData

    @model_validator(mode="after")
    def _cancellation_named(self) -> PaymentEvent:
        if self.type == "payment.cancelled" and not self.data.cancellation_id:
            raise ValueError("a payment.cancelled event names its data.cancellation_id")
        return self
