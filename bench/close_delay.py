"""How long after ``closes_at`` a listing closes: each listing's execution closes it by its own
timer (the schedule behind it ran once a minute: up to 60 s late, 30 s at the median).

The harness's clock is the real one here, since the state machine's timers are real seconds."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from moto import mock_aws
from tombola_dev.doubles import ManualClock, RecordingTelemetry, SeededRandomness
from tombola_dev.driver import CountingIds, Driver
from tombola_dev.parameters import FAST
from tombola_dev.stack import MOTO_CONFIG, Stack, fake_credentials

from bench.report import row
from tombola.adapters import container

LEAD = timedelta(seconds=2)  # from publishing the last listing to the first close
# Apart enough that one close (with the draw and settlement it starts) is not queued behind
# another on the harness, which runs one AWS call at a time where Lambda would run them at once.
SPACING = timedelta(seconds=1)


class WallClock(ManualClock):
    """The real time, where the Driver expects its clock. The harness runs one AWS call at a
    time and an invocation holds that lock throughout; a function sleeping out its timer's last
    fraction of a second lets the others run meanwhile, as concurrent Lambdas would."""

    def __init__(self, harness_lock: Any) -> None:
        super().__init__()
        self.harness_lock = harness_lock

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        held = self.harness_lock._release_save()  # every level of the re-entrant lock
        try:
            time.sleep(seconds)
        finally:
            self.harness_lock._acquire_restore(held)


def close_delay(listings: int) -> None:
    print(f"close delay after closes_at over {listings} listings (their executions' timers)")
    fake_credentials()
    with mock_aws(config=MOTO_CONFIG):
        stack = Stack(parameters=FAST, retry_scale=0.01).create()
        clock = WallClock(stack._aws_lock)
        telemetry = RecordingTelemetry()
        container.override(
            clock=clock, randomness=SeededRandomness(42), ids=CountingIds(), telemetry=telemetry
        )
        try:
            with stack.lambda_routing():
                delays = _measure(Driver(stack, clock, telemetry), listings)
        finally:
            container.reset()
    cut = statistics.quantiles(delays, n=100, method="inclusive")
    p50, p99 = statistics.median(delays), cut[98]
    row(
        "close delay after closes_at, p50 / p99",
        f"{p50:.2f} s / {p99:.2f} s over {listings} listings (the schedule alone: up to 60 s)",
        "≤ 1 s",
        p99 <= 1.0,
    )


def _measure(d: Driver, listings: int) -> list[float]:
    """Listings published one after another, each closing a little after the last is published
    (a probe listing says how long publishing takes here), so every timer runs its course."""
    d.user("seller", "seller", payout=True)

    def publish(closes_at: datetime) -> str:
        return d.open_listing(
            "seller", price=100_000, expected_entrants=100, closes_at=closes_at.isoformat()
        )

    started = time.monotonic()
    publish(d.clock.now() + timedelta(days=1))
    each = time.monotonic() - started
    first = d.clock.now() + LEAD + timedelta(seconds=2 * each * listings)
    ids = [publish(first + SPACING * i) for i in range(listings)]
    late = [lid for lid in ids if d.clock.now() > d.record(lid).closes_at]
    if late:
        raise SystemExit(f"{len(late)} listings were published after their close: a longer lead")
    deadline = time.monotonic() + (first - d.clock.now()).total_seconds() + 60
    delays: dict[str, float] = {}
    while len(delays) < len(ids) and time.monotonic() < deadline:
        for lid in ids:
            record = d.record(lid)
            if lid not in delays and record.closed_at is not None:
                delays[lid] = (record.closed_at - record.closes_at).total_seconds()
        time.sleep(0.05)
    missing = len(ids) - len(delays)
    if missing:
        raise SystemExit(f"{missing} listings never closed")
    return list(delays.values())
