"""The public randomness beacon the draw waits for (domain/beacon.py holds the rules)."""

from __future__ import annotations

from typing import Protocol

from tombola.domain.beacon import Chain, Round


class Beacon(Protocol):
    def chain(self) -> Chain:
        """The chain whose rounds this beacon serves (published with each listing)."""
        ...

    def fetch(self, number: int) -> Round | None:
        """Round ``number``, verified against the chain; None while it is not out (or no relay
        answered). A round that does not verify is never returned."""
        ...

    def latest(self) -> Round | None:
        """The newest round a relay has, verified; None if none answered."""
        ...
