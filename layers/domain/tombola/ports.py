"""Ports: the small interfaces the domain needs from the outside, and their simplest
implementations for tests and local use. Adapters to AWS and a PSP implement the same shapes.
The repository port, which needs the stored records, is `tombola.services.ports.Store`."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Literal, Protocol

from tombola.api_models import PaymentEventIn
from tombola.money import Money


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class ManualClock:
    """A clock that moves only when told to."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> datetime:
        self.current += delta
        return self.current


class Randomness(Protocol):
    def token_bytes(self, n: int) -> bytes: ...


class SystemRandomness:
    def token_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)


class SeededRandomness:
    """Deterministic bytes for tests and demos; never for a real draw."""

    def __init__(self, seed: int) -> None:
        self._random = Random(seed)

    def token_bytes(self, n: int) -> bytes:
        return self._random.randbytes(n)


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

    def verified_event(self, body: bytes, headers: Mapping[str, str]) -> PaymentEventIn | None:
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


@dataclass(frozen=True, slots=True)
class Notification:
    recipient_id: str
    template: str  # e.g. "drawn", "second_payment_due", "final_buyer", "ship", "refund"
    data: dict[str, object]


class Notifier(Protocol):
    def send(self, notification: Notification) -> None: ...
