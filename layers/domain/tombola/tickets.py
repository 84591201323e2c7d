"""Tickets: per-buyer limit, payment holds that expire, close-when-full [0051, 0060, 0073-0074].

The rules are functions of counts so that a store with conditional writes can apply them
atomically; ``TicketBook`` is the in-memory aggregate built on the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from tombola.errors import (
    HoldNotFound,
    InvalidInput,
    ListingFull,
    ListingNotOpen,
    TicketLimitExceeded,
)
from tombola.money import require_int

DEFAULT_PER_BUYER_LIMIT = 4  # the patent's example: fewer than 5 [0074]
DEFAULT_HOLD_TTL = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class TicketPolicy:
    capacity: int  # Np
    per_buyer_limit: int = DEFAULT_PER_BUYER_LIMIT
    close_when_full: bool = True
    hold_ttl: timedelta = DEFAULT_HOLD_TTL

    def __post_init__(self) -> None:
        require_int(self.capacity, "expected_entrants")
        require_int(self.per_buyer_limit, "ticket_limit")
        if self.capacity <= 1:
            raise InvalidInput(
                "expected_entrants must be greater than 1", field="expected_entrants"
            )
        if self.per_buyer_limit < 1:
            raise InvalidInput("ticket_limit must be at least 1", field="ticket_limit")
        if self.hold_ttl <= timedelta(0):
            raise InvalidInput("hold_ttl must be positive", field="hold_ttl")

    @property
    def cap(self) -> int | None:
        """Paid plus held tickets may not pass this; ``None`` when the listing never fills."""
        return self.capacity if self.close_when_full else None

    def is_full(self, paid_total: int) -> bool:
        return self.cap is not None and paid_total >= self.cap


def check_reservation(
    policy: TicketPolicy,
    *,
    is_open: bool,
    paid_total: int,
    held_total: int,
    buyer_paid: int,
    buyer_held: int,
    requested: int,
) -> None:
    """Raise unless ``requested`` more tickets may be held now. Holds count toward both caps."""
    require_int(requested, "tickets")
    if requested < 1:
        raise InvalidInput("tickets must be at least 1", field="tickets")
    if not is_open:
        raise ListingNotOpen("the listing is not open for entries")
    left_for_buyer = policy.per_buyer_limit - buyer_paid - buyer_held
    if requested > left_for_buyer:
        raise TicketLimitExceeded(
            f"a buyer may hold at most {policy.per_buyer_limit} tickets on this listing; "
            f"{max(left_for_buyer, 0)} left for you",
            field="tickets",
        )
    if policy.cap is not None and paid_total + held_total + requested > policy.cap:
        left = max(policy.cap - paid_total - held_total, 0)
        raise ListingFull(f"only {left} tickets are left on this listing", field="tickets")


class PaymentDecision(StrEnum):
    ACCEPT = "accept"
    REFUND = "refund"


def decide_hold_payment(
    policy: TicketPolicy,
    *,
    hold_active: bool,
    is_open: bool,
    paid_total: int,
    other_held_total: int,
    buyer_paid: int,
    buyer_other_held: int,
    count: int,
) -> PaymentDecision:
    """A payment for a hold: accept while the hold stands; for an expired hold, accept only if
    the tickets would still be allowed now, else refund (DOMAIN rule 3). After close, refund."""
    if not is_open:
        return PaymentDecision.REFUND
    if hold_active:
        return PaymentDecision.ACCEPT
    try:
        check_reservation(
            policy,
            is_open=is_open,
            paid_total=paid_total,
            held_total=other_held_total,
            buyer_paid=buyer_paid,
            buyer_held=buyer_other_held,
            requested=count,
        )
    except (ListingFull, TicketLimitExceeded):
        return PaymentDecision.REFUND
    return PaymentDecision.ACCEPT


@dataclass(frozen=True, slots=True)
class Hold:
    hold_id: str
    buyer_id: str
    count: int
    expires_at: datetime

    def active(self, now: datetime) -> bool:
        return now < self.expires_at

    def ticket_ids(self) -> tuple[str, ...]:
        return tuple(ticket_id(self.hold_id, i) for i in range(self.count))


def ticket_id(hold_id: str, index: int) -> str:
    return f"{hold_id}-{index + 1}"


@dataclass(frozen=True, slots=True)
class Ticket:
    ticket_id: str
    buyer_id: str


@dataclass
class TicketBook:
    """Holds and paid tickets of one listing, in memory."""

    policy: TicketPolicy
    is_open: bool = True
    holds: dict[str, Hold] = field(default_factory=dict)
    paid_holds: set[str] = field(default_factory=set)
    tickets: list[Ticket] = field(default_factory=list)

    def _pending(self, now: datetime, *, excluding: str | None = None) -> list[Hold]:
        return [
            h
            for h in self.holds.values()
            if h.hold_id not in self.paid_holds and h.hold_id != excluding and h.active(now)
        ]

    def _buyer_paid(self, buyer_id: str) -> int:
        return sum(1 for t in self.tickets if t.buyer_id == buyer_id)

    @property
    def paid_total(self) -> int:
        return len(self.tickets)

    def reserve(self, hold_id: str, buyer_id: str, count: int, now: datetime) -> Hold:
        if hold_id in self.holds:
            raise InvalidInput(f"hold {hold_id!r} exists already", field="hold_id")
        pending = self._pending(now)
        check_reservation(
            self.policy,
            is_open=self.is_open,
            paid_total=self.paid_total,
            held_total=sum(h.count for h in pending),
            buyer_paid=self._buyer_paid(buyer_id),
            buyer_held=sum(h.count for h in pending if h.buyer_id == buyer_id),
            requested=count,
        )
        hold = Hold(hold_id, buyer_id, count, now + self.policy.hold_ttl)
        self.holds[hold_id] = hold
        return hold

    def pay(self, hold_id: str, now: datetime) -> PaymentDecision:
        """Apply a payment for a hold; a second payment for the same hold is refunded."""
        hold = self.holds.get(hold_id)
        if hold is None:
            raise HoldNotFound(f"no hold {hold_id!r} on this listing")
        if hold_id in self.paid_holds:
            return PaymentDecision.REFUND
        others = self._pending(now, excluding=hold_id)
        decision = decide_hold_payment(
            self.policy,
            hold_active=hold.active(now),
            is_open=self.is_open,
            paid_total=self.paid_total,
            other_held_total=sum(h.count for h in others),
            buyer_paid=self._buyer_paid(hold.buyer_id),
            buyer_other_held=sum(h.count for h in others if h.buyer_id == hold.buyer_id),
            count=hold.count,
        )
        if decision is PaymentDecision.ACCEPT:
            self.paid_holds.add(hold_id)
            self.tickets.extend(Ticket(t, hold.buyer_id) for t in hold.ticket_ids())
            if self.policy.is_full(self.paid_total):
                self.is_open = False
        return decision

    def close(self) -> tuple[Ticket, ...]:
        """Freeze the paid tickets; nothing is accepted after this [0051]."""
        self.is_open = False
        return tuple(self.tickets)
