"""Ports' stand-ins for tests, the benchmark and demos: a clock that moves when told, seeded
randomness, telemetry kept in memory."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from random import Random

from tombola.telemetry import Decision, Metric, Point


@dataclass
class ManualClock:
    """A clock that moves only when told to."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> datetime:
        self.current += delta
        return self.current

    def sleep(self, seconds: float) -> None:
        self.advance(timedelta(seconds=seconds))


class SeededRandomness:
    """Deterministic bytes for tests and demos; never for a real draw."""

    def __init__(self, seed: int) -> None:
        self._random = Random(seed)

    def token_bytes(self, n: int) -> bytes:
        return self._random.randbytes(n)


class RecordingTelemetry:
    """In memory, for tests: every decision, and each metric's total per dimensions."""

    def __init__(self) -> None:
        self.decisions: list[Decision] = []
        self.totals: Counter[tuple[Metric, tuple[tuple[str, str], ...]]] = Counter()

    def decided(self, decision: Decision) -> None:
        self.decisions.append(decision)
        for point in decision.points:
            self.count(point)

    def count(self, point: Point) -> None:
        self.totals[(point.metric, point.dimensions)] += point.value

    def total(self, metric: Metric, **dimensions: str) -> int:
        wanted = tuple(sorted(dimensions.items()))
        return sum(
            v for (m, dims), v in self.totals.items() if m == metric and set(wanted) <= set(dims)
        )
