"""The same random history of changes committed to DynamoStore (moto) and to the MemoryStore:
each commit must end the same way (written, duplicate, or the same error), and afterwards every
read must answer the same, in the same order, with the same page positions."""

from __future__ import annotations

from datetime import timedelta
from random import Random
from typing import Any

import pytest
from tombola_dev.doubles import ManualClock

from tests.contract.records import START, buyer, deposit, entry, grant, listing, notice
from tests.contract.stores import AnyStore, dynamo_store
from tests.support.memory_store import MemoryStore
from tombola.domain.lifecycle import ListingStatus
from tombola.domain.provider_match import RefundReceipt
from tombola.state.changes import Change, MileageDebit, NewQuotaShard, QuotaMove
from tombola.state.records import Attention, BuyerRecord, EntryStatus, PayoutRecord

LISTINGS = ["L0", "L1", "L2", "L3"]
BUYERS = ["ann", "bob", "cat", "dan", "eve", "fay"]
STATUSES = [ListingStatus.OPEN, ListingStatus.AWAITING_DEPOSIT, ListingStatus.CLOSED]


def outcome(store: AnyStore, change: Change) -> str:
    try:
        ids = store.commit(change)
    except Exception as err:
        return type(err).__name__.replace("ClientError", "InvalidTransaction")
    return "duplicate" if ids is None else f"written {len(ids)}"


class History:
    """Random changes, built from what the (memory) store holds, as services build them."""

    def __init__(self, seed: int, memory: MemoryStore, clock: ManualClock) -> None:
        self.r = Random(seed)
        self.memory = memory
        self.clock = clock

    def change(self) -> Change:
        r = self.r
        kind = r.choice(["listing", "listing", "buyer", "buyer", "quota", "money", "misc"])
        if kind == "listing":
            lid = r.choice(LISTINGS)
            read = self.memory.get_listing(lid)
            if read is None or r.random() < 0.1:
                record = listing(
                    lid,
                    seller_id=r.choice(["seller", "other"]),
                    created_at=self.clock.now(),
                    closes_at=self.clock.now() + timedelta(minutes=r.randint(-30, 90)),
                    status=r.choice(STATUSES),
                )
                caps = [r.choice([2, 3, None]) for _ in range(r.randint(1, 3))]
                shards = [NewQuotaShard(lid, k, cap) for k, cap in enumerate(caps)]
                return Change(listing=record, new_listing=True, new_quota=shards)
            version = read.version + (1 if r.random() < 0.85 else r.choice([0, 2]))
            update: dict[str, Any] = {"version": version, "status": r.choice(STATUSES)}
            if r.random() < 0.3:
                update["closes_at"] = read.closes_at + timedelta(minutes=r.randint(-20, 20))
            if r.random() < 0.2:  # a dispute decided (the operator's history, gsi3)
                update["resolution"] = r.choice(["release", "refund"])
                update["resolved_at"] = self.clock.now()
            return Change(listing=read.model_copy(update=update), effects=[notice()])
        if kind == "buyer":
            lid, name = r.choice(LISTINGS), r.choice(BUYERS)
            partition = r.randint(0, 1)
            read_b = self.memory.get_buyer(lid, partition, name)
            b = read_b or buyer(name, listing_id=lid, partition=partition, version=0)
            b = b.model_copy(deep=True, update={"version": b.version + r.choice([1, 1, 1, 0])})
            self._entry(b)
            return Change(buyers=[b], quota=self._moves(lid, 1))
        if kind == "quota":
            return Change(quota=self._moves(r.choice(LISTINGS), r.randint(1, 3)))
        if kind == "money":
            change = Change(dedupe=[f"evt-{r.randint(0, 8)}"] if r.random() < 0.4 else [])
            lid = r.choice([*LISTINGS, "L9"])
            change.journal.append(deposit(lid, f"p{r.randint(0, 15)}"))
            if r.random() < 0.3:
                change.journal.append(grant(r.choice(BUYERS), 10, key=f"g{r.randint(0, 5)}"))
            if r.random() < 0.3:
                debit = MileageDebit(r.choice(BUYERS), "KRW", r.randint(1, 40))
                change.mileage_debits.append(debit)
            return change
        lid = r.choice(LISTINGS)
        at = Attention(error="E", execution=lid, at=self.clock.now())
        change = Change(attention={lid: at if r.random() < 0.6 else None})
        if r.random() < 0.5:
            status = r.choice(["issued", "issued", "paid"])
            change.payouts.append(
                PayoutRecord(
                    payout_id=f"payout-{lid}",
                    listing_id=lid,
                    seller_id="seller",
                    amount=r.randint(1, 9) * 100,
                    currency="KRW",
                    status=status,
                    issued_at=self.clock.now() - timedelta(minutes=r.randint(0, 50)),
                    paid_at=self.clock.now() if status == "paid" else None,
                )
            )
        return change

    def _entry(self, b: BuyerRecord) -> None:
        r = self.r
        if b.entries and r.random() < 0.5:
            e = b.entries[r.choice(sorted(b.entries))]
            e.status = r.choice(list(EntryStatus))
            return
        n = len(b.entries)
        e = entry(
            f"E{b.buyer_id}{n}",
            b.buyer_id,
            listing_id=b.listing_id,
            tickets=r.randint(1, 3),
            status=r.choice([EntryStatus.PENDING, EntryStatus.PENDING, EntryStatus.PAID]),
            created_at=self.clock.now(),
            expires_at=self.clock.now() + timedelta(minutes=r.randint(-10, 10)),
        )
        b.entries[e.entry_id] = e

    def _moves(self, lid: str, n: int) -> list[QuotaMove]:
        r = self.r
        return [
            QuotaMove(
                lid,
                r.randint(0, 3),
                take=r.choice([0, 0, 1, 2]),
                give=r.choice([0, 0, 1]),
                paid=r.choice([0, 0, 1]),
                close=r.random() < 0.05,
                capped=r.random() < 0.8,
                expect_paid=r.choice([None, None, 0, 1]),
            )
            for _ in range(n)
        ]


def pages(read: Any, *args: Any) -> list[Any]:
    """Every page of an index with its positions, page by page (3 a page)."""
    out: list[Any] = []
    after = None
    for _ in range(50):
        page, after = read(*args, 3, after)
        out.append(
            [
                (at, getattr(row, "listing_id", None), getattr(row, "buyer_id", None))
                for at, row in page
            ]
        )
        if after is None:
            return out
    raise AssertionError("pages never ended")


def reads(store: AnyStore, clock: ManualClock) -> dict[str, Any]:
    now = clock.now()
    day = f"{now:%Y-%m-%d}"
    return {
        "listings": {lid: store.get_listing(lid) for lid in LISTINGS},
        "by_status": {s.value: pages(store.list_listings, s.value) for s in STATUSES},
        "of_seller": {s: pages(store.listings_of_seller, s) for s in ("seller", "other")},
        "decided_disputes": pages(store.decided_disputes),
        "due": list(store.due_listing_ids(now)),
        "holds": store.expired_holds(now),
        "holds_of": {lid: store.expired_holds(now, lid) for lid in LISTINGS},
        "buyers": {lid: list(store.buyers_of_listing(lid, 2)) for lid in LISTINGS},
        "partition_pages": {
            (lid, p): store.buyers_in_partition(lid, p, None, 2) for lid in LISTINGS for p in (0, 1)
        },
        "records_of": {b: pages(store.buyer_records_of, b) for b in BUYERS},
        "quota": {lid: store.quota(lid, range(4)) for lid in LISTINGS},
        "journal": {lid: list(store.journal_of_listing(lid)) for lid in [*LISTINGS, "L9"]},
        "all_journal": sorted(e.key + (e.listing_id or "") for e in store.all_journal_entries()),
        "recorded": list(store.recorded_on(day)),
        "payouts": store.issued_payouts(),
        "payout": {lid: store.get_payout(f"payout-{lid}") for lid in LISTINGS},
        "mileage": {b: store.mileage_balance(b, "KRW") for b in BUYERS},
        "attention": list(store.needing_attention()),
        "pending": sorted(
            (len(p.effects), p.attempts, p.listing_id) for p in store.pending_effects(-(10**6))
        ),
    }


@pytest.mark.parametrize("seed", range(4))
def test_both_stores_answer_alike_after_the_same_history(seed: int) -> None:
    clock = ManualClock(START)
    memory = MemoryStore(clock)
    history = History(seed, memory, clock)
    with dynamo_store(clock) as dynamo:
        for b in BUYERS:  # some mileage to spend
            for store in (dynamo, memory):
                assert store.credit_mileage(b, "KRW", 60, f"seed:{b}")
        for step in range(150):
            change = history.change()
            copy = Change(**{f: getattr(change, f) for f in change.__dataclass_fields__})
            got = outcome(dynamo, change), outcome(memory, copy)
            assert got[0] == got[1], (step, change)
            if step % 10 == 9:
                clock.advance(timedelta(minutes=7))
            if step % 50 == 49:
                receipt = RefundReceipt(
                    f"refund-{step}", "p", "L1", 9, step % 2, "KRW", clock.now()
                )
                assert dynamo.keep_refund_receipt(receipt) == memory.keep_refund_receipt(receipt)
        assert reads(dynamo, clock) == reads(memory, clock)
