"""Complaints to the operator: raised by anyone signed in, queued oldest first with their age,
answered once (the same answer again is the same result, another is refused), the person told
in the same transaction as the answer. On the MemoryStore."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta

import pytest

from tests.support.fast_platform import FastWorld
from tests.support.interleavings import caller
from tombola.api.models import ComplaintAnswerIn, ComplaintIn
from tombola.domain.auth import Role
from tombola.domain.errors import DomainError, NotAllowedNow
from tombola.services import complaints


def raise_(
    w: FastWorld, who: str, text: str = "I was charged twice", key: str | None = None
) -> str:
    body = ComplaintIn(topic="payment", text=text)
    made = complaints.raise_complaint(w.deps, caller(who, Role.BUYER), body, key)
    return made.complaint_id


def answer(w: FastWorld, who: str, complaint_id: str, text: str, op: str = "op") -> object:
    body = ComplaintAnswerIn(user_id=who, complaint_id=complaint_id, answer=text)
    return complaints.answer(w.deps, caller(op, Role.OPERATOR), body)


def test_a_complaint_is_queued_with_its_age_and_answered_once(w: FastWorld) -> None:
    first = raise_(w, "ann", "  The draw page  \u202eshows nothing\u200b  ")
    w.clock.advance(timedelta(hours=2))
    second = raise_(w, "bob", "줄 바꿈\n그대로")
    queue = complaints.queue(w.deps, caller("op", Role.OPERATOR)).complaints
    assert [(c.user_id, c.age_seconds) for c in queue] == [("ann", 7_200), ("bob", 0)]
    assert queue[0].text == "The draw page  shows nothing"  # no hidden characters reach anyone
    assert queue[1].text == "줄 바꿈\n그대로"
    done = answer(w, "ann", first, "Refunded the second charge.")
    assert answer(w, "ann", first, "Refunded the second charge.") == done  # again: the same
    with pytest.raises(NotAllowedNow):
        answer(w, "ann", first, "Something else")
    mine = complaints.my_complaints(w.deps, caller("ann", Role.BUYER)).complaints
    assert [(c.status, c.answer) for c in mine] == [("answered", "Refunded the second charge.")]
    open_now = complaints.queue(w.deps, caller("op", Role.OPERATOR)).complaints
    assert [c.complaint_id for c in open_now] == [second]
    answered = complaints.queue(w.deps, caller("op", Role.OPERATOR), "answered").complaints
    assert [c.complaint_id for c in answered] == [first]
    w.drain()
    told = [d for t, d in w.events.published if t == "ComplaintAnswered"]
    assert [d["recipients"] for d in told] == [["ann"]]


def test_a_retried_complaint_is_kept_once_and_a_person_has_at_most_five_open(
    w: FastWorld,
) -> None:
    one = raise_(w, "ann", key="k-1")
    assert raise_(w, "ann", key="k-1") == one  # a retry: the same complaint
    with pytest.raises(DomainError) as other_body:
        raise_(w, "ann", "something else", key="k-1")
    assert other_body.value.code == "idempotency_key_reused"
    for n in range(4):
        raise_(w, "ann", f"complaint {n}")
    with pytest.raises(NotAllowedNow):
        raise_(w, "ann", "a sixth")
    assert len(complaints.my_complaints(w.deps, caller("ann", Role.BUYER)).complaints) == 5


def test_two_operators_answering_at_once_one_answer_stands(w: FastWorld) -> None:
    made = raise_(w, "ann")
    barrier = threading.Barrier(2)
    get = w.store.get_complaint
    results: dict[str, str] = {}

    def read_together(user_id: str, complaint_id: str) -> object:
        found = get(user_id, complaint_id)
        if threading.current_thread().name.startswith("op") and not results.get(
            threading.current_thread().name
        ):
            results[threading.current_thread().name] = "read"
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
        return found

    w.store.get_complaint = read_together  # type: ignore[method-assign,assignment]

    def go(op: str) -> None:
        try:
            answer(w, "ann", made, f"answer of {op}", op)
            results[op] = "answered"
        except NotAllowedNow:
            results[op] = "refused"

    threads = [threading.Thread(target=go, args=(f"op{i}",), name=f"op{i}") for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == ["answered", "refused"]
    kept = get("ann", made)
    assert kept is not None
    winner = next(op for op, r in results.items() if r == "answered")
    assert kept.answer == f"answer of {winner}"
    w.drain()
    assert len([d for t, d in w.events.published if t == "ComplaintAnswered"]) == 1
