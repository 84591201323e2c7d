"""A big seeded listing closed, drawn and settled: its time, its invocations (the slowest, the
busiest), the largest item, the execution history, and the money conserved."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from tombola_dev.driver import Driver, check_conserved, complete_sale
from tombola_dev.stack import Stack

from bench.fast_moto import table
from bench.harness import big_listing, harness, listing_head, seed_buyers
from bench.meter import Meter, item_size
from bench.report import row
from tombola.adapters.dynamo_items import from_item, journal_from
from tombola.domain.ledger import JournalEntry
from tombola.domain.statement import Statement


@dataclass
class Invocation:
    function: str
    seconds: float = 0.0
    items: int = 0
    largest: int = 0


def per_invocation(stack: Stack, meter: Meter) -> list[Invocation]:
    """Wraps the stack's invoke: each Lambda invocation's time, items written, largest item."""
    done: list[Invocation] = []
    local = threading.local()
    invoke = stack.invoke
    write = meter._write

    def counted_write(key: dict[str, Any], item: dict[str, Any] | None, tx: bool) -> None:
        current = getattr(local, "current", None)
        if current is not None:
            current.items += 1
            current.largest = max(current.largest, item_size(item or key))
        write(key, item, tx)

    def timed(logical_id: str, event: dict[str, Any]) -> Any:
        # The harness runs one invocation at a time (moto is not thread-safe): take the turn
        # first, so that an invocation's time is its own, not the wait for another's.
        with stack._aws_lock:
            local.current = record = Invocation(logical_id)
            started = time.perf_counter()
            try:
                return invoke(logical_id, event)
            finally:
                record.seconds = time.perf_counter() - started
                local.current = None
                done.append(record)

    stack.invoke = timed  # type: ignore[method-assign]
    meter._write = counted_write  # type: ignore[method-assign, assignment]
    return done


@contextmanager
def progress(
    calls: list[Invocation], started: float, stuck: Callable[[], str | None], every: float = 60
) -> Iterator[None]:
    """A line a minute on a long run: the invocations so far, by function. A listing that went
    on the operator's list will not finish: say why and stop the bench there."""
    done = threading.Event()

    def report() -> None:
        while not done.wait(every):
            counts = Counter(c.function.removesuffix("Function") for c in calls)
            so_far = ", ".join(f"{name} {n:,}" for name, n in sorted(counts.items()))
            print(f"    {time.perf_counter() - started:,.0f} s: {so_far or 'starting'}", flush=True)
            problem = stuck()  # reads the listing: waits for the running invocation's turn
            if problem:
                print(f"    the listing stopped: {problem}", flush=True)
                os._exit(2)

    reporter = threading.Thread(target=report, daemon=True)
    reporter.start()
    try:
        yield
    finally:
        done.set()


def history_events(execution_arn: str) -> int:
    sfn = boto3.client("stepfunctions")
    count = 0
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
        count += len(page["events"])
    return count


def big_listing_settled(buyers: int) -> None:
    tickets = buyers * 4
    print(f"a listing of {buyers:,} buyers / {tickets:,} tickets: seeded, closed, drawn, settled")
    with harness() as (d, meter):
        # Np = 3 tickets a buyer, 4 paid: the surplus is shared as mileage by the losers.
        lid = big_listing(
            d,
            buyers * 3,
            close_when_full=False,
            surplus_policy="mileage",
            deadlines={"confirm": 1},
        )
        seed_buyers(d, lid, buyers)
        head_seeded = item_size(listing_head(d, lid))
        calls = per_invocation(d.stack, meter)
        meter.reset()
        meter.on = True
        started = time.perf_counter()

        def stuck() -> str | None:
            attention = d.record(lid).attention
            return f"{attention.error}: {attention.cause}" if attention else None

        with progress(calls, started, stuck):
            d.close_window(lid)
            d.wait_status(lid, "final_buyer", timeout=7200)
            d.user(d.record(lid).final_buyer, "buyer")  # seeded buyers have no profile yet
            complete_sale(d, lid, confirm=False, settle_timeout=7200)
        meter.on = False
        elapsed = time.perf_counter() - started
        slowest = max(calls, key=lambda c: c.seconds)
        busiest = max(calls, key=lambda c: c.items)
        checked = time.perf_counter()
        st = conserved_in_table(d, lid)
        print(f"    conservation checked from the table in {time.perf_counter() - checked:.0f} s")
        by_function: dict[str, list[float]] = {}
        for c in calls:
            by_function.setdefault(c.function, []).append(c.seconds)
        for function, times in sorted(by_function.items()):
            print(
                f"    {function}: {len(times):,} invocations, {sum(times):.0f} s in all, "
                f"slowest {max(times):.1f} s"
            )
        events = history_events(d.stack.execution(lid)["executionArn"])
        row("close → settled in the harness (s)", f"{elapsed:.0f}")
        row(
            f"listing head size with {buyers:,} buyers in / settled (bytes)",
            f"{head_seeded:,} / {item_size(listing_head(d, lid)):,}",
            "a few KB",
            max(head_seeded, item_size(listing_head(d, lid))) < 4096,
        )
        row(
            "slowest invocation (s, in-process)",
            f"{slowest.seconds:.1f} ({slowest.function})",
        )
        row(
            "most items one invocation wrote",
            f"{busiest.items:,} ({busiest.function})",
            "bounded (≤ ~1,000 buyers a task)",
        )
        row(
            "largest item written (KB)",
            f"{meter.largest_item / 1024:.1f}",
            "≤ 100",
            meter.largest_item <= 100 * 1024,
        )
        row("execution history events", f"{events:,}", "< 25,000", events < 25_000)
        row(
            "mileage issued / escrow left",
            f"{st.paid_out.get('mileage_issued', 0):,} / {st.held_in_escrow}",
            "escrow 0",
            st.held_in_escrow == 0,
        )


def conserved_in_table(d: Driver, lid: str) -> Statement:
    """The Driver's conservation check, with the journal and mileage read straight from moto's
    table (through requests, reading a million items takes longer than settling them)."""
    entries: list[JournalEntry] = []
    mileage: dict[tuple[str, str], int] = {}
    for item in table(d.store.table).all_items():
        pk, sk = item.hash_key.value, item.range_key.value if item.range_key else ""
        if pk.startswith("LEDGER#") or sk.startswith("MILEAGE#"):
            plain = from_item(item.to_json()["Attributes"])
            if sk.startswith("MILEAGE#"):
                mileage[(pk.removeprefix("USER#"), sk.removeprefix("MILEAGE#"))] = plain["balance"]
            else:
                entries.append(journal_from(plain))
    of_listing = sorted((e for e in entries if e.listing_id == lid), key=lambda e: e.key)
    return check_conserved(
        entries,
        lambda buyer, currency: mileage.get((buyer, currency), 0),
        d.record(lid),
        of_listing,
    )
