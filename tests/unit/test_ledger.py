from __future__ import annotations

import pytest
from tombola_dev.memory_ledger import Ledger

from tombola.domain.errors import InsufficientBalance, LedgerConflict, UnbalancedEntry
from tombola.domain.ledger import (
    EXTERNAL,
    Category,
    EntryKind,
    JournalEntry,
    Posting,
    escrow,
    mileage,
    transfer,
)
from tombola.domain.money import Money

C = Category.FIRST_PAYMENTS


def pay(key: str, amount: int = 100, source: str = EXTERNAL) -> JournalEntry:
    return transfer(
        key,
        EntryKind.TICKETS_PAID,
        source,
        escrow("L"),
        Money(amount, "KRW"),
        source_category=C,
        target_category=C,
        listing_id="L",
    )


def test_an_unbalanced_entry_cannot_be_built() -> None:
    with pytest.raises(UnbalancedEntry, match="sum to 1"):
        JournalEntry("k", EntryKind.REFUND, "KRW", (Posting("a", 2, C), Posting("b", -1, C)))
    with pytest.raises(UnbalancedEntry, match="two postings"):
        JournalEntry("k", EntryKind.REFUND, "KRW", (Posting("a", 0 + 1, C),))
    with pytest.raises(UnbalancedEntry, match="no amount"):
        Posting("a", 0, C)


def test_posting_the_same_key_twice_writes_nothing_new() -> None:
    ledger = Ledger()
    assert ledger.post(pay("k1")) == [pay("k1")]
    assert ledger.post(pay("k1")) == []
    assert ledger.balance(escrow("L"), "KRW") == 100
    assert len(ledger.entries) == 1


def test_the_same_key_with_other_content_is_a_conflict() -> None:
    ledger = Ledger()
    ledger.post(pay("k1"))
    with pytest.raises(LedgerConflict):
        ledger.post(pay("k1", 200))


def test_mileage_never_goes_negative() -> None:
    ledger = Ledger()
    with pytest.raises(InsufficientBalance, match="mileage:alice"):
        ledger.post(pay("k1", source=mileage("alice")))
    assert ledger.entries == {}


def test_post_is_all_or_nothing() -> None:
    ledger = Ledger()
    with pytest.raises(InsufficientBalance):
        ledger.post(pay("ok"), pay("bad", source=mileage("bob")))
    assert ledger.entries == {}
    assert ledger.balance(escrow("L"), "KRW") == 0


def test_external_may_go_negative_because_it_is_the_outside_world() -> None:
    ledger = Ledger()
    ledger.post(pay("k1"))
    assert ledger.balance(EXTERNAL, "KRW") == -100
