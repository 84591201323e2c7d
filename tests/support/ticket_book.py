"""Holds and paid tickets of one listing in memory, on the deployed ticket rules
(tombola.domain.tickets): the patent's examples play their steps on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tombola.domain.errors import HoldNotFound, InvalidInput
from tombola.domain.tickets import (
    PaymentDecision,
    TicketPolicy,
    check_reservation,
    decide_hold_payment,
    ticket_id,
)


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
        held = sum(h.count for h in others)
        cap = self.policy.cap
        decision = decide_hold_payment(
            self.policy,
            is_open=self.is_open,
            hold_active=hold.active(now),
            buyer_paid=self._buyer_paid(hold.buyer_id),
            buyer_other_held=sum(h.count for h in others if h.buyer_id == hold.buyer_id),
            count=hold.count,
            take_room=lambda n: cap is None or self.paid_total + held + n <= cap,
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
