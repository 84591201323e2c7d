"""Listing statuses and the one table of allowed transitions."""

from __future__ import annotations

from enum import StrEnum

from tombola.domain.errors import IllegalTransition


class ListingStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_DEPOSIT = "awaiting_deposit"
    OPEN = "open"
    CLOSED = "closed"
    DRAWING = "drawing"
    AWAITING_SECOND_PAYMENT = "awaiting_second_payment"
    FINAL_BUYER = "final_buyer"  # awaiting shipment
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    DISPUTED = "disputed"
    CONFIRMED = "confirmed"
    SETTLED = "settled"
    UNSOLD = "unsold"
    CANCELLED = "cancelled"


S = ListingStatus

TRANSITIONS: dict[ListingStatus, frozenset[ListingStatus]] = {
    S.DRAFT: frozenset({S.AWAITING_DEPOSIT, S.CANCELLED}),
    # The deposit is paid before the listing is published [claim 1]; the seller may withdraw.
    S.AWAITING_DEPOSIT: frozenset({S.OPEN, S.CANCELLED}),
    # Close at the end of the window or when full [0043, 0051].
    S.OPEN: frozenset({S.CLOSED}),
    # A listing with no paid ticket has nobody to draw.
    S.CLOSED: frozenset({S.DRAWING, S.UNSOLD}),
    # The draw names a candidate who owes P2, or becomes final buyer at once [claim 3];
    # an exhausted order ends unsold (rule 8).
    S.DRAWING: frozenset({S.AWAITING_SECOND_PAYMENT, S.FINAL_BUYER, S.UNSOLD}),
    # Paid → final buyer; deadline passed or forfeit → re-draw [claim 5].
    S.AWAITING_SECOND_PAYMENT: frozenset({S.FINAL_BUYER, S.DRAWING}),
    # Ships, or misses the ship deadline (rule 12).
    S.FINAL_BUYER: frozenset({S.SHIPPED, S.CANCELLED}),
    # The buyer may confirm or dispute before the carrier reports delivery.
    S.SHIPPED: frozenset({S.DELIVERED, S.CONFIRMED, S.DISPUTED}),
    S.DELIVERED: frozenset({S.CONFIRMED, S.DISPUTED}),
    # The operator releases to the seller or refunds the buyer (rule 10).
    S.DISPUTED: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.SETTLED}),
    S.SETTLED: frozenset(),
    S.UNSOLD: frozenset(),
    S.CANCELLED: frozenset(),
}

TERMINAL: frozenset[ListingStatus] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)


def can_transition(current: ListingStatus, target: ListingStatus) -> bool:
    return target in TRANSITIONS[current]


def transition(current: ListingStatus, target: ListingStatus) -> ListingStatus:
    """Return ``target`` if the table allows it, else raise naming both states."""
    if not can_transition(current, target):
        raise IllegalTransition(current.value, target.value)
    return target


class Phase(StrEnum):
    """Where a listing is in its life as people see it: the statuses a client treats alike."""

    UNPUBLISHED = "unpublished"  # the deposit is not paid yet
    BEFORE_DRAW = "before_draw"  # taking entries, or closed and about to draw
    DRAWING = "drawing"  # a drawn candidate has the P2 to pay
    AWAITING_SHIPMENT = "awaiting_shipment"  # a final buyer; the seller ships
    IN_TRANSIT = "in_transit"  # shipped or delivered: the final buyer may confirm or dispute
    CLOSING_SALE = "closing_sale"  # confirmed or disputed: settlement follows
    SOLD = "sold"
    NOT_SOLD = "not_sold"  # unsold or cancelled: the money went back


PHASE: dict[ListingStatus, Phase] = {
    S.DRAFT: Phase.UNPUBLISHED,
    S.AWAITING_DEPOSIT: Phase.UNPUBLISHED,
    S.OPEN: Phase.BEFORE_DRAW,
    S.CLOSED: Phase.BEFORE_DRAW,
    S.DRAWING: Phase.BEFORE_DRAW,
    S.AWAITING_SECOND_PAYMENT: Phase.DRAWING,
    S.FINAL_BUYER: Phase.AWAITING_SHIPMENT,
    S.SHIPPED: Phase.IN_TRANSIT,
    S.DELIVERED: Phase.IN_TRANSIT,
    S.DISPUTED: Phase.CLOSING_SALE,
    S.CONFIRMED: Phase.CLOSING_SALE,
    S.SETTLED: Phase.SOLD,
    S.UNSOLD: Phase.NOT_SOLD,
    S.CANCELLED: Phase.NOT_SOLD,
}
