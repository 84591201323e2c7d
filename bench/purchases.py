"""What one purchase writes (on an empty listing and on one with many buyers in), and the write
rate of the hottest key when tickets sell at the target rate."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.harness import big_listing, harness, listing_head, purchase, seed_buyers
from bench.meter import item_size
from bench.report import row
from tombola.domain.quota import HOLD_INDEX_PARTITIONS, JOURNAL_PARTITIONS, OUTBOX_PARTITIONS

TICKETS_PER_SECOND = 5_000
PARTITION_WRU_LIMIT = 1_000


def writes_per_purchase(already: int) -> dict[int, dict[str, Any]]:
    print(f"writes per purchase (empty listing, then {already:,} buyers already in)")
    out: dict[int, dict[str, Any]] = {}
    with harness() as (d, meter):
        lid = big_listing(d, max(1_000_000, already * 8), close_when_full=True)
        for n in (1, 4):
            empty = purchase(d, meter, f"empty{n}", lid, n)
            out[n] = empty
        size_empty = item_size(listing_head(d, lid))
        seed_buyers(d, lid, already)
        for n in (1, 4):
            full = purchase(d, meter, f"full{n}", lid, n)
            same = (full["item_writes"], full["wru"]) == (out[n]["item_writes"], out[n]["wru"])
            row(
                f"{n}-ticket purchase: item writes / distinct items / WRU (empty)",
                f"{out[n]['item_writes']} / {out[n]['distinct']} / {out[n]['wru']}",
                "≤ 3 distinct items" if n == 1 else "",
                out[n]["distinct"] <= 3 if n == 1 else None,
            )
            row(
                f"{n}-ticket purchase: item writes / distinct items / WRU ({already:,} in)",
                f"{full['item_writes']} / {full['distinct']} / {full['wru']}",
                "equal to empty",
                same,
            )
        row(
            f"listing head size at 0 and {already:,} buyers (bytes)",
            f"{size_empty} / {item_size(listing_head(d, lid))}",
            "equal, a few KB",
            size_empty == item_size(listing_head(d, lid)) < 4096,
        )
    return out


def hottest_key(purchases: int) -> None:
    print(f"write rate per key: {purchases:,} one-ticket purchases, scaled to 5,000 tickets/s")
    with harness() as (d, meter):
        lid = big_listing(d, 1_000_000)
        for i in range(purchases):
            d.user(f"h{i}", "buyer")
        meter.reset()
        meter.on = True
        for i in range(purchases):
            d.buy(f"h{i}", lid)
        meter.on = False
        record = d.record(lid)
        # Keys of one family share its writes by a uniform hash: the expected rate of each is
        # the family's total over its partitions (a small sample's maximum is mostly noise).
        partitions = {
            "QUOTA": record.quota_shards,
            "ENTRIES": record.entry_partitions,
            "LEDGER": JOURNAL_PARTITIONS,
            "ByHoldExpiry:HOLDS": HOLD_INDEX_PARTITIONS,
            "OUTBOX": OUTBOX_PARTITIONS,
        }
        families: Counter[str] = Counter()
        single: Counter[str] = Counter()  # per-user keys: each buyer's own
        for key, wru in meter.key_wru.items():
            family = key.split("#")[0]
            families[family] += wru
            single[family] = max(single[family], wru)
        rates = {
            family: (total if family in partitions else single[family] * partitions.get(family, 1))
            / purchases
            * TICKETS_PER_SECOND
            / partitions.get(family, 1)
            for family, total in families.items()
        }
        family, rate = max(rates.items(), key=lambda kv: kv[1])
        row(
            "hottest key at 5,000 tickets/s (WRU/s per partition)",
            f"{rate:,.0f} ({family}, {partitions.get(family, 1)} partitions)",
            f"< {PARTITION_WRU_LIMIT:,}",
            rate < PARTITION_WRU_LIMIT,
        )
        for name in sorted(rates):
            print(f"    {name}: {rates[name]:,.0f} WRU/s per partition")
