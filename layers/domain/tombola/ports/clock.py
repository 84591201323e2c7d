"""Ports: the small interfaces the domain needs from the outside, and their simplest
implementations for tests and local use. Adapters to AWS and a PSP implement the same shapes.
The repository port, which needs the stored records, is `tombola.services.ports.Store`."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None:
        """Only for less than a second (the close after its timer's whole seconds)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class Randomness(Protocol):
    def token_bytes(self, n: int) -> bytes: ...


class SystemRandomness:
    def token_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)
