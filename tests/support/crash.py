"""Crash injection: the Nth AWS call the system makes raises, before the call goes out or after it
was applied (the reply is lost), then the world retries as AWS would; the listing must converge
to the end a clean run reaches, with every payment captured once and refunded at most once, the
payout made once and mileage credited once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from moto import mock_aws
from tombola_dev.conformance import Conformance
from tombola_dev.contention import operation
from tombola_dev.doubles import ManualClock, RecordingTelemetry, SeededRandomness
from tombola_dev.driver import CountingIds, Driver, now_utc
from tombola_dev.lambda_runtime import in_invocation
from tombola_dev.stack import MOTO_CONFIG, Stack, fake_credentials

from tests.reliability import figures
from tests.support.world import World
from tombola.adapters import container
from tombola.domain.statement import Statement


class InjectedCrash(Exception):
    """What a Lambda sees when its process dies or its connection drops mid-call."""


@dataclass
class Injector:
    """Counts the system's AWS calls (a function's, or the state machine engine's) and makes one
    of them fail. The test's own reads (the harness thread, outside any invocation) are not
    counted: they are the observer, not the system."""

    harness: threading.Thread
    target: int | None = None
    when: str = "before"
    count: int = 0
    fired: str | None = None
    operations: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, send: Callable[[], Any], request: Any) -> Any:
        if threading.current_thread() is self.harness and in_invocation.get() is None:
            return send()
        with self.lock:
            self.count += 1
            n = self.count
            op = operation(request)
            self.operations[op] += 1
            fire = n == self.target and self.fired is None
            if fire:
                self.fired = f"{op} #{n} ({self.when}, in {in_invocation.get() or 'engine'})"
        if fire and self.when == "before":
            raise InjectedCrash(self.fired)
        result = send()
        if fire:
            raise InjectedCrash(self.fired)
        return result


@contextmanager
def world(parameters: dict[str, str]) -> Iterator[tuple[World, Injector]]:
    """A fresh stack, as the integration tests have it, with the injector in place."""
    fake_credentials()
    with mock_aws(config=MOTO_CONFIG):
        stack = Stack(parameters=parameters, retry_scale=0.01, timeout_millis=300).create()
        stack.conformance = Conformance.load()
        clock = ManualClock(now_utc())
        telemetry = RecordingTelemetry()
        container.override(
            clock=clock, randomness=SeededRandomness(42), ids=CountingIds(), telemetry=telemetry
        )
        injector = Injector(threading.current_thread())
        stack.on_call = injector
        try:
            with stack.lambda_routing():
                yield World(Driver(stack, clock, telemetry)), injector
        finally:
            stack.on_call = None
            container.reset()


@dataclass(frozen=True)
class Outcome:
    status: str
    statement: Statement
    calls: int
    fired: str | None
    retries: int


def converged(w: World, listing_id: str, expected: str) -> Statement:
    """The money checks after a run: the end state, a conserved journal and closed statement,
    each payment captured once and refunded at most once, one payout, mileage once."""
    d = w.d
    record = d.record(listing_id)
    assert record.status.value == expected, (record.status.value, expected)
    assert record.attention is None, record.attention
    st = d.conserved(listing_id)
    journal = d.store.journal_of_listing(listing_id)
    captured: Counter[str] = Counter()
    for entry in journal:
        kind, _, payment_id = entry.key.removeprefix(f"{listing_id}:").partition(":")
        if kind in {"deposit", "tickets", "second-payment", "unaccepted"}:
            captured[payment_id] += 1
    assert all(n == 1 for n in captured.values()), captured
    refunds = Counter(r["payment_id"] for r in d.psp.records("REFUND"))
    doubles = sum(1 for n in refunds.values() if n > 1)
    figures.record("double_refunds", {"count": doubles, "checked": len(refunds)})
    assert doubles == 0, refunds
    payouts = d.psp.records("PAYOUT")
    assert len(payouts) == (1 if expected == "settled" else 0), payouts
    payout_entries = [e for e in journal if e.kind.value == "payout"]
    assert len(payout_entries) == (1 if expected == "settled" else 0), payout_entries
    assert d.store.pending_effects(-(10**6)) == []
    return st
