"""The harness the scenarios run in (moto, the real handlers and state machine, counted AWS calls)
and how they set a listing up: opened, buyers seeded straight into the table, one purchase
metered."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from moto import mock_aws
from tombola_dev.doubles import ManualClock, RecordingTelemetry, SeededRandomness
from tombola_dev.driver import CountingIds, Driver, now_utc
from tombola_dev.parameters import FAST
from tombola_dev.stack import MOTO_CONFIG, Stack, fake_credentials

from bench.fast_moto import fast_queries, fast_results, fast_transactions, table
from bench.meter import Meter
from tombola.adapters import container
from tombola.adapters.dynamo import DynamoStore
from tombola.adapters.dynamo_items import buyer_put, journal_put
from tombola.domain.bookings import Funding, tickets_paid
from tombola.domain.quota import bucket
from tombola.domain.tickets import ticket_id
from tombola.state.records import BuyerRecord, EntryRecord, EntryStatus


@contextmanager
def harness() -> Iterator[tuple[Driver, Meter]]:
    fake_credentials()
    with mock_aws(config=MOTO_CONFIG):
        stack = Stack(parameters=FAST, retry_scale=0.01).create()
        clock = ManualClock(now_utc())
        telemetry = RecordingTelemetry()  # decisions counted, not logged: a million would be
        container.override(
            clock=clock, randomness=SeededRandomness(42), ids=CountingIds(), telemetry=telemetry
        )
        meter = Meter()
        stack.on_call = meter
        try:
            with stack.lambda_routing(), fast_transactions(), fast_queries(), fast_results():
                yield Driver(stack, clock, telemetry), meter
        finally:
            container.reset()


def big_listing(d: Driver, expected: int, **fields: Any) -> str:
    d.user("seller", "seller", payout=True)
    price = expected * 100  # P1 = 100
    lid = d.open_listing(
        "seller",
        price=price,
        expected_entrants=expected,
        ticket_limit=4,
        closes_at=(d.clock.now() + timedelta(days=30)).isoformat(),
        **fields,
    )
    d.waiting_for_close(lid)  # its execution's first writes are not a purchase's
    return lid


def seed_buyers(d: Driver, lid: str, buyers: int, tickets_each: int = 4) -> None:
    """Buyers with paid entries, and their payments' journal entries, written straight into
    moto's table (not through HTTP, not even a request per item); then the quota shards count
    them."""
    store = d.store
    assert isinstance(store, DynamoStore)
    listing = store.get_listing(lid)
    assert listing is not None
    moto_table = table(store.table)
    now = d.clock.now()
    assert not listing.closed_at, "seed before close"
    started = time.perf_counter()
    for i in range(buyers):
        buyer_id = f"seed{i:07d}"
        entry_id = f"S{i:07d}"
        entry = EntryRecord(
            entry_id=entry_id,
            listing_id=lid,
            buyer_id=buyer_id,
            tickets=tickets_each,
            amount=listing.first_payment * tickets_each,
            currency=listing.currency,
            funding=Funding.CARD,
            status=EntryStatus.PAID,
            created_at=now,
            expires_at=now,
            payment_id=f"pay-{entry_id}",
            ticket_ids=[ticket_id(entry_id, t) for t in range(tickets_each)],
        )
        buyer = BuyerRecord(
            listing_id=lid,
            buyer_id=buyer_id,
            partition=bucket(buyer_id, listing.entry_partitions),
            version=1,
            entries={entry_id: entry},
        )
        moto_table.put_item(buyer_put(store.table, buyer)["Put"]["Item"])
        paid = journal_put(store.table, tickets_paid(lid, entry.payment()), now)
        moto_table.put_item(paid["Put"]["Item"])
        if (i + 1) % 50_000 == 0:
            print(f"    seeded {i + 1:,} buyers ({time.perf_counter() - started:.0f} s)")
    count_in_quota(d, lid, buyers * tickets_each)


def count_in_quota(d: Driver, lid: str, tickets: int) -> None:
    """The seeded tickets, counted as paid on the quota shards (taken from what is left where
    the shards are capped), as the purchases would have."""
    record = d.record(lid)
    left = tickets
    for state in d.store.quota(lid, range(record.quota_shards)):
        take = left if state.remaining is None else min(left, state.remaining)
        values = {":paid": {"N": str(take)}, ":neg": {"N": str(-take)}}
        d.store.client.update_item(
            TableName=d.store.table,
            Key={"pk": {"S": f"QUOTA#{lid}#{state.shard}"}, "sk": {"S": "QUOTA"}},
            UpdateExpression="ADD paid :paid"
            + ("" if state.remaining is None else ", remaining :neg"),
            ExpressionAttributeValues=values
            if state.remaining is not None
            else {":paid": values[":paid"]},
        )
        left -= take
        if not left:
            return
    raise ValueError(f"the listing has room for {tickets - left:,} of {tickets:,} seeded tickets")


def purchase(d: Driver, meter: Meter, buyer: str, lid: str, tickets: int) -> dict[str, Any]:
    d.user(buyer, "buyer")
    meter.reset()
    meter.on = True
    d.buy(buyer, lid, tickets=tickets)
    meter.on = False
    return {
        "item_writes": meter.item_writes,
        "distinct": len(meter.distinct),
        "wru": meter.wru,
        "rru": meter.rru,
    }


def listing_head(d: Driver, lid: str) -> dict[str, Any]:
    got = d.store.client.get_item(
        TableName=d.store.table, Key={"pk": {"S": f"LISTING#{lid}"}, "sk": {"S": "META"}}
    )
    return dict(got["Item"])
