from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.ticket_book import TicketBook
from tombola.domain.errors import (
    HoldNotFound,
    InvalidInput,
    ListingFull,
    ListingNotOpen,
    TicketLimitExceeded,
)
from tombola.domain.tickets import PaymentDecision, TicketPolicy

T0 = datetime(2026, 1, 1, tzinfo=UTC)
LATER = T0 + timedelta(minutes=11)


def book(capacity: int = 10, limit: int = 4, close_when_full: bool = True) -> TicketBook:
    return TicketBook(TicketPolicy(capacity, limit, close_when_full))


def test_default_limit_is_four() -> None:
    assert TicketPolicy(10).per_buyer_limit == 4


def test_a_buyer_may_not_exceed_the_limit_counting_holds() -> None:
    b = book()
    b.reserve("h1", "alice", 3, T0)
    with pytest.raises(TicketLimitExceeded, match="1 left"):
        b.reserve("h2", "alice", 2, T0)
    b.reserve("h2", "alice", 1, T0)
    b.pay("h1", T0)
    with pytest.raises(TicketLimitExceeded, match="0 left"):
        b.reserve("h3", "alice", 1, T0)


def test_expired_holds_free_their_tickets() -> None:
    b = book(capacity=2, limit=2)
    b.reserve("h1", "alice", 2, T0)
    with pytest.raises(TicketLimitExceeded):  # still held: alice has none left
        b.reserve("h2", "alice", 2, T0)
    with pytest.raises(ListingFull):  # and the listing none
        b.reserve("h3", "bob", 1, T0)
    again = b.reserve("h4", "alice", 2, LATER)  # expired: both come back
    assert again.count == 2
    with pytest.raises(ListingFull):  # and are taken again
        b.reserve("h5", "bob", 1, LATER)


def test_holds_count_toward_capacity() -> None:
    b = book(capacity=3)
    b.reserve("h1", "alice", 2, T0)
    with pytest.raises(ListingFull, match="only 1"):
        b.reserve("h2", "bob", 2, T0)


def test_without_close_when_full_there_is_no_cap() -> None:
    b = book(capacity=2, limit=4, close_when_full=False)
    for i in range(5):
        b.reserve(f"h{i}", f"b{i}", 4, T0)
        assert b.pay(f"h{i}", T0) is PaymentDecision.ACCEPT
    assert b.paid_total == 20
    assert b.is_open


def test_full_closes_and_then_nothing_is_accepted() -> None:
    b = book(capacity=2)
    b.reserve("h1", "alice", 2, T0)
    b.pay("h1", T0)
    assert not b.is_open
    with pytest.raises(ListingNotOpen):
        b.reserve("h2", "bob", 1, T0)


def test_payment_for_an_expired_hold_is_accepted_if_there_is_still_room() -> None:
    b = book(capacity=5)
    b.reserve("h1", "alice", 2, T0)
    assert b.pay("h1", LATER) is PaymentDecision.ACCEPT
    assert b.paid_total == 2


def test_payment_for_an_expired_hold_on_a_full_listing_is_refunded() -> None:
    b = book(capacity=2)
    b.reserve("h1", "alice", 2, T0)
    b.reserve("h2", "bob", 2, LATER)  # alice's hold expired; bob takes the room
    assert b.pay("h2", LATER) is PaymentDecision.ACCEPT
    assert b.pay("h1", LATER) is PaymentDecision.REFUND
    assert b.paid_total == 2


def test_payment_after_close_is_refunded_even_for_an_active_hold() -> None:
    b = book()
    b.reserve("h1", "alice", 1, T0)
    b.close()
    assert b.pay("h1", T0) is PaymentDecision.REFUND
    assert b.paid_total == 0


def test_a_hold_paid_twice_is_refunded_the_second_time() -> None:
    b = book()
    b.reserve("h1", "alice", 1, T0)
    assert b.pay("h1", T0) is PaymentDecision.ACCEPT
    assert b.pay("h1", T0) is PaymentDecision.REFUND
    assert b.paid_total == 1


def test_unknown_hold_and_bad_counts() -> None:
    b = book()
    with pytest.raises(HoldNotFound):
        b.pay("nope", T0)
    with pytest.raises(InvalidInput, match="at least 1"):
        b.reserve("h1", "alice", 0, T0)
    with pytest.raises(InvalidInput, match="whole number"):
        b.reserve("h1", "alice", 1.0, T0)  # type: ignore[arg-type]


def test_ticket_ids_are_unique_per_hold() -> None:
    b = book()
    b.reserve("h1", "alice", 3, T0)
    b.pay("h1", T0)
    assert [t.ticket_id for t in b.close()] == ["h1-1", "h1-2", "h1-3"]
