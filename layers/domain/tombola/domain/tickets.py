"""Tickets: per-buyer limit, payment holds that expire, close-when-full [0051, 0060, 0073-0074].

The rules are functions of counts so that a store with conditional writes can apply them
atomically; ``TicketBook`` is the in-memory aggregate built on the same rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from tombola.domain.errors import InvalidInput, ListingFull, ListingNotOpen, TicketLimitExceeded
from tombola.domain.money import require_int

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
            limits={"limit": policy.per_buyer_limit, "left": max(left_for_buyer, 0)},
        )
    if policy.cap is not None and paid_total + held_total + requested > policy.cap:
        left = max(policy.cap - paid_total - held_total, 0)
        raise ListingFull(
            f"only {left} tickets are left on this listing", field="tickets", limits={"left": left}
        )


class PaymentDecision(StrEnum):
    ACCEPT = "accept"
    REFUND = "refund"


def decide_hold_payment(
    policy: TicketPolicy,
    *,
    is_open: bool,
    hold_active: bool,
    buyer_paid: int,
    buyer_other_held: int,
    count: int,
    take_room: Callable[[int], bool],
) -> PaymentDecision:
    """A payment for a hold (DOMAIN rule 3): after close, refund; while the hold stands, accept;
    for a hold that lapsed, accept only if the buyer may still hold these tickets and the listing
    still has room for them, else refund. ``take_room`` asks for the room and takes it (a store
    does it with a conditional write, so no race passes the cap)."""
    if not is_open:
        return PaymentDecision.REFUND
    if hold_active:
        return PaymentDecision.ACCEPT
    if count > policy.per_buyer_limit - buyer_paid - buyer_other_held:
        return PaymentDecision.REFUND
    return PaymentDecision.ACCEPT if take_room(count) else PaymentDecision.REFUND


def ticket_id(hold_id: str, index: int) -> str:
    return f"{hold_id}-{index + 1}"
