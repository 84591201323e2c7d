"""Attacks on the free entry route and complaints (review of d03ed7f..7370636)."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta
from typing import Any

import pytest

from tests.support.fast_platform import FastWorld
from tests.support.interleavings import caller
from tombola.api.models import BreakIn, ComplaintIn, ExclusionIn
from tombola.domain.auth import Role
from tombola.domain.errors import DomainError
from tombola.services import complaints, play
from tombola.services.request_keys import derived_id


@pytest.fixture
def uk(w: FastWorld) -> FastWorld:
    w.people()
    w.market("UK", identity_required="no", limit_prompt="no")
    return w


def test_a_free_ticket_id_cannot_be_recomputed_from_a_user_id(uk: FastWorld) -> None:
    """DECISIONS: "A free entry's id is derived from the person ... never the user id: ticket
    ids are public in the transcript". It is F + sha256(user id | listing | free-1), unkeyed:
    anyone who knows an account id (the operator's views, a payout's seller_id, a leaked JWT
    sub) finds that account's ticket, and so its pseudonym and paid tickets, in the public
    transcript."""
    w = uk
    w.open()
    [ticket] = w.free("ann").entry.ticket_ids
    guess = derived_id("F", "ann", w.listing_id, "free-1")
    assert not ticket.startswith(guess), "the public ticket id is computable from the user id"


def test_a_break_taken_while_a_free_entry_is_decided_stops_it(uk: FastWorld) -> None:
    """Every purchase checks the standing's version in its transaction; the free entry reads
    the standing but does not: a break (or exclusion) committed between its read and its
    write does not stop it."""
    w = uk
    w.open()
    real = w.store.get_standing
    state = {"armed": True}

    def read_then_break(user_id: str) -> Any:
        found = real(user_id)
        if state["armed"] and user_id == "ann":
            state["armed"] = False
            play.take_break(w.deps, caller("ann", Role.BUYER), BreakIn(days=30))
        return found

    w.store.get_standing = read_then_break  # type: ignore[method-assign]
    with pytest.raises(DomainError) as refused:
        w.free("ann")  # fails: the entry lands, nothing is raised
    assert refused.value.code == "on_break"


class Ticking:
    """A clock whose every read is a microsecond later (two Lambdas never share an instant)."""

    def __init__(self, start: Any) -> None:
        self.current = start
        self._lock = threading.Lock()

    def now(self) -> Any:
        with self._lock:
            self.current += timedelta(microseconds=1)
            return self.current


def test_one_idempotency_key_sent_twice_at_once_is_one_complaint(w: FastWorld) -> None:
    """The complaint's id is <now>-<hash of key>; a retry is found by scanning the person's
    complaints. Two requests with one key that both scan before either writes get two ids
    (their instants differ) and both are kept: the operator's queue shows it twice."""
    w.deps.clock = Ticking(w.clock.now())  # type: ignore[assignment]
    barrier = threading.Barrier(2)
    real = w.store.complaints_of

    def both_scan_first(user_id: str, limit: int = 50) -> Any:
        found = real(user_id, limit)
        if threading.current_thread().name.startswith("retry"):
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
        return found

    w.store.complaints_of = both_scan_first  # type: ignore[method-assign]
    body = ComplaintIn(topic="payment", text="I was charged twice")

    def send() -> None:
        with contextlib.suppress(DomainError):
            complaints.raise_complaint(w.deps, caller("ann", Role.BUYER), body, "key-0001-abcd")

    threads = [threading.Thread(target=send, name=f"retry-{i}") for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    kept = real("ann")
    assert len(kept) == 1, f"{len(kept)} complaints for one Idempotency-Key"


def test_a_deposit_paid_after_the_seller_excluded_themselves_opens_nothing(
    w: FastWorld,
) -> None:
    """Rule 19: an exclusion stops listing. may_list runs when the listing is created; the
    deposit that opens it is not gated: a seller who excludes themselves between creating
    and paying still has the listing opened (and is then bound to ship, answer disputes …)."""
    w.people()
    w.market("KR")
    w.verify("seller")
    created = w.create()
    assert created.deposit.checkout is not None
    play.exclude(w.deps, caller("seller", Role.SELLER), ExclusionIn(months=6, confirm=True))
    result = w.pay(created.deposit.checkout.checkout_id)
    assert result == "refunded", f"the excluded seller's listing: {result}"
