"""Records and changes for the contract tests, built as the services build them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tombola.domain.bookings import Funding, deposit_paid
from tombola.domain.ledger import (
    OPERATOR_PROMOTIONS,
    Category,
    EntryKind,
    JournalEntry,
    mileage,
    transfer,
)
from tombola.domain.lifecycle import ListingStatus
from tombola.domain.money import Money
from tombola.domain.pricing import SurplusPolicy
from tombola.state.changes import Change, NewQuotaShard, Publish
from tombola.state.records import (
    BuyerRecord,
    Durations,
    EntryRecord,
    EntryStatus,
    ListingRecord,
)

START = datetime(2026, 6, 1, 12, tzinfo=UTC)


def listing(listing_id: str = "L1", **fields: Any) -> ListingRecord:
    values: dict[str, Any] = {
        "listing_id": listing_id,
        "seller_id": "seller",
        "title": "Camera",
        "currency": "KRW",
        "price": 10_000,
        "expected_entrants": 10,
        "first_payment": 1_000,
        "fee": 0,
        "deposit": 500,
        "surplus_policy": SurplusPolicy.OPERATOR,
        "mileage_bps": 0,
        "ticket_limit": 5,
        "close_when_full": True,
        "closes_at": START + timedelta(hours=1),
        "hold_seconds": 600,
        "durations": Durations(second_payment=60, ship=60, delivery=60, confirm=60, resolution=60),
        "status": ListingStatus.OPEN,
        "created_at": START,
        "commitment": "c0ffee",
    }
    return ListingRecord(**(values | fields))


def bump(record: ListingRecord, **fields: Any) -> ListingRecord:
    """The record as a service writes it back: one version on."""
    return record.model_copy(deep=True, update={"version": record.version + 1, **fields})


def created(store: Any, record: ListingRecord, shards: list[int | None] | None = None) -> None:
    """A new listing with its quota shards (caps), as listings.create_listing commits it."""
    caps = shards if shards is not None else [5, 5]
    new_quota = [NewQuotaShard(record.listing_id, k, cap) for k, cap in enumerate(caps)]
    assert store.commit(Change(listing=record, new_listing=True, new_quota=new_quota)) == []


def entry(
    entry_id: str,
    buyer_id: str,
    *,
    listing_id: str = "L1",
    tickets: int = 1,
    status: EntryStatus = EntryStatus.PENDING,
    created_at: datetime = START,
    expires_at: datetime | None = None,
) -> EntryRecord:
    return EntryRecord(
        entry_id=entry_id,
        listing_id=listing_id,
        buyer_id=buyer_id,
        tickets=tickets,
        amount=1_000 * tickets,
        currency="KRW",
        funding=Funding.CARD,
        status=status,
        created_at=created_at,
        expires_at=expires_at or created_at + timedelta(minutes=10),
        payment_id=f"pay-{entry_id}" if status is EntryStatus.PAID else None,
        ticket_ids=[f"{entry_id}-{i + 1}" for i in range(tickets)]
        if status is EntryStatus.PAID
        else [],
        shards={"0": tickets},
    )


def buyer(
    buyer_id: str,
    *entries: EntryRecord,
    listing_id: str = "L1",
    partition: int = 0,
    version: int = 1,
) -> BuyerRecord:
    return BuyerRecord(
        listing_id=listing_id,
        buyer_id=buyer_id,
        partition=partition,
        version=version,
        entries={e.entry_id: e for e in entries},
    )


def deposit(listing_id: str = "L1", payment_id: str = "pay-dep", amount: int = 500) -> JournalEntry:
    """An entry that books a provider's payment (it has a provider_ref)."""
    return deposit_paid(listing_id, payment_id, Money(amount, "KRW"))


def grant(buyer_id: str, amount: int, key: str | None = None) -> JournalEntry:
    """An entry with no provider record (mileage from the operator's promotions)."""
    return transfer(
        key or f"grant:{buyer_id}:{amount}",
        EntryKind.SETTLEMENT,
        OPERATOR_PROMOTIONS,
        mileage(buyer_id),
        Money(amount, "KRW"),
        source_category=Category.OPERATOR_FUNDED_MILEAGE,
        target_category=Category.MILEAGE_ISSUED,
        listing_id="elsewhere",
    )


def notice(n: int = 0) -> Publish:
    return Publish(detail_type="Test", detail={"n": n})
