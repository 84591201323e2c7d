"""A change's effects fit the outbox items that hold them: a settlement chunk of 1,000 buyers
with many different refund amounts and a long Korean (or emoji) title, each notice repeating the
title, still makes items DynamoDB takes (400 KB), and the runner runs the same batches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.contract.records import listing
from tombola.adapters.dynamo_items import outbox_put
from tombola.domain.bookings import Funding
from tombola.domain.settlement import Outcome
from tombola.services.settling import _tell_chunk
from tombola.state.changes import (
    MAX_BATCH_BYTES,
    MAX_EFFECTS_PER_BATCH,
    Effect,
    Refund,
    effect_batches,
)
from tombola.state.records import EntryRecord, EntryStatus

T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)
DYNAMODB_ITEM_LIMIT = 400 * 1024


def item_bytes(item: dict[str, dict[str, str]]) -> int:
    """An item's size as DynamoDB counts it (names and string values in UTF-8), roughly."""
    return sum(len(k.encode()) + len(str(next(iter(v.values()))).encode()) for k, v in item.items())


@pytest.mark.parametrize("title", ["가" * 500, "🎁" * 500])
def test_a_chunk_of_many_refund_amounts_and_a_long_title_fits_its_outbox_items(
    title: str,
) -> None:
    record = listing(title=title, ticket_limit=100, settling="unsold", settling_reason="timeout")
    buyers = [str(uuid.UUID(int=i)) for i in range(1_000)]
    paid = [
        EntryRecord(
            entry_id=f"E{i}",
            listing_id="L1",
            buyer_id=b,
            tickets=min(i + 1, 100),
            amount=min(i + 1, 100) * 1_000,
            currency="KRW",
            funding=Funding.CARD,
            status=EntryStatus.PAID,
            created_at=T0,
            expires_at=T0 + timedelta(minutes=10),
            payment_id=f"pay_{i:06d}",
        )
        for i, b in enumerate(buyers)
    ]
    refunds: list[Effect] = [
        Refund.of_payment(e.payment_id or "", e.amount, "KRW", "unsold") for e in paid
    ]
    told = _tell_chunk(record, Outcome.UNSOLD, buyers, paid, list(refunds))
    effects = [*refunds, *told]
    batches = effect_batches(effects)
    assert [e for b in batches for e in b] == effects  # nothing lost, doubled or reordered
    assert len(batches) > 1  # the bytes cut them, not only the count
    for batch in batches:
        assert len(batch) <= MAX_EFFECTS_PER_BATCH
        _, put = outbox_put("t", batch, T0, listing_id="L1")
        assert item_bytes(put["Put"]["Item"]) < DYNAMODB_ITEM_LIMIT
    assert MAX_BATCH_BYTES < DYNAMODB_ITEM_LIMIT


def test_small_effects_are_cut_by_count_alone() -> None:
    refunds: list[Effect] = [
        Refund.of_payment(f"pay_{i}", 1_000, "KRW", "unsold") for i in range(2 * 400 + 1)
    ]
    assert [len(b) for b in effect_batches(refunds)] == [400, 400, 1]
    assert effect_batches([]) == []
