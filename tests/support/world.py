"""The world around the system, behaving as AWS and well-behaved clients do when something fails:
clients retry a 5xx (with the same Idempotency-Key), the provider and the carrier re-deliver a
webhook until it is taken, EventBridge re-delivers to the notifier, the schedules keep running.
Used by the reliability suite to drive whole listings through injected faults."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tombola_dev.api_gateway import HttpResponse
from tombola_dev.driver import Driver

from tombola.domain.references import payout_id_for

ATTEMPTS = 12


class NotConverged(AssertionError):
    pass


@dataclass
class World:
    d: Driver
    retries: Counter[str] = field(default_factory=Counter)

    # ------------------------------------------------------------------ clients and providers
    def _again(self, what: str, send: Callable[[], HttpResponse]) -> HttpResponse:
        r = send()
        for _ in range(ATTEMPTS):
            in_progress = r.status == 409 and _code(r) == "in_progress"
            if r.status < 500 and not in_progress:
                return r
            self.retries[what] += 1
            time.sleep(0.05 if not in_progress else 0.3)
            r = send()
        raise NotConverged(f"{what} kept failing: {r}")

    def call(
        self, user: str, method: str, path: str, body: Any = None, *, key: str | None = None
    ) -> HttpResponse:
        headers = {"Idempotency-Key": key} if key else None
        return self._again(
            f"{method} {path}", lambda: self.d.as_(user, method, path, body, headers=headers)
        )

    def ok(
        self,
        user: str,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str | None = None,
        status: int = 200,
    ) -> Any:
        return self.d.ok(self.call(user, method, path, body, key=key), status)

    def pay(self, checkout_id: str, **kw: Any) -> Any:
        return self.d.ok(self._again("payment webhook", lambda: self.d.pay(checkout_id, **kw)))

    def deliver(self, listing_id: str, tracking: str) -> Any:
        return self.d.ok(
            self._again("carrier webhook", lambda: self.d.deliver(listing_id, tracking))
        )

    def payout_paid(self, listing_id: str) -> Any:
        payout = self.d.store.get_payout(payout_id_for(listing_id))
        assert payout is not None
        return self.d.ok(
            self._again(
                "payout webhook",
                lambda: self.d.payout_paid(listing_id, payout.amount, currency=payout.currency),
            )
        )

    # ------------------------------------------------------------------ time passing
    def tick(self) -> None:
        """A minute passes: the schedules run (close, outbox, recovery sweep), events are
        delivered; anything that fails is simply tried again at the next tick."""
        self.d.clock.advance(timedelta(seconds=61))
        for only in ({"CloseFunction"}, {"RecoveryFunction"}):
            try:
                self.d.stack.run_schedules(only)
            except Exception:
                self.retries["schedule"] += 1
        try:
            self.d.stack.deliver_events()
        except Exception:
            self.retries["event delivery"] += 1

    def until(self, what: str, done: Callable[[], bool], timeout: float = 30) -> None:
        """Wait for the system to get there, letting minutes pass while it does not."""
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while not done():
            if time.monotonic() > deadline:
                raise NotConverged(f"did not reach: {what}")
            time.sleep(0.05)
            if time.monotonic() - quiet_since > 1.0:  # stuck for a second: a minute passes
                self.tick()
                quiet_since = time.monotonic()

    def status(self, listing_id: str) -> str:
        return str(self.d.record(listing_id).status.value)

    def reaches(self, listing_id: str, *statuses: str, timeout: float = 30) -> None:
        self.until(
            f"{listing_id} in {statuses}", lambda: self.status(listing_id) in statuses, timeout
        )

    def waiting(self, listing_id: str, stage: str) -> None:
        self.until(f"the {stage} wait", lambda: stage in self.d.record(listing_id).waits)

    def drain(self) -> None:
        """Let time pass until nothing is left to recover: the outbox is empty."""
        self.until("an empty outbox", lambda: not self.d.store.pending_effects(-(10**6)))
        self.tick()


def _code(r: HttpResponse) -> str | None:
    if isinstance(r.body, dict) and isinstance(r.body.get("error"), dict):
        return str(r.body["error"].get("code"))
    return None
