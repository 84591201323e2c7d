"""Ports: the small interfaces the domain needs from the outside, and their simplest
implementations for tests and local use. Adapters to AWS and a PSP implement the same shapes.
The repository port, which needs the stored records, is `tombola.services.ports.Store`."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Protocol

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


class PaymentProvider(Protocol):
    """A card PSP. Results arrive later as signed webhooks."""

    def create_checkout(
        self, *, reference: str, payer_id: str, amount: Money, expires_at: datetime
    ) -> Checkout: ...

    def refund(self, *, refund_id: str, payment_id: str, amount: Money, reason: str) -> None:
        """Idempotent by ``refund_id``."""
        ...

    def payout(self, *, payout_id: str, payee_id: str, amount: Money) -> None:
        """Idempotent by ``payout_id``."""
        ...

    def verified_event(self, body: bytes, headers: Mapping[str, str]) -> PaymentEventIn | None:
        """The event a webhook carries, once its signature is verified (BadSignature if not);
        None for one that moves no money of ours."""
        ...


@dataclass(frozen=True, slots=True)
class Notification:
    recipient_id: str
    template: str  # e.g. "drawn", "second_payment_due", "final_buyer", "ship", "refund"
    data: dict[str, object]


class Notifier(Protocol):
    def send(self, notification: Notification) -> None: ...


@dataclass
class InMemoryNotifier:
    sent: list[Notification] = field(default_factory=list)

    def send(self, notification: Notification) -> None:
        self.sent.append(notification)
