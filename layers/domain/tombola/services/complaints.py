"""Complaints to the operator (not a goods dispute): a person raises one, the operator's queue
shows it with its age, the operator answers in the app and the person is told."""

from __future__ import annotations

import secrets as random_tokens
from datetime import datetime

from tombola.api.models import ComplaintAnswerIn, ComplaintIn
from tombola.api.views import (
    ComplaintList,
    ComplaintView,
    OperatorComplaint,
    OperatorComplaintList,
)
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import Conflict, NotAllowedNow, NotFound
from tombola.services.deps import Deps
from tombola.services.request_keys import checked_request_key, derived_id, fingerprint, same_request
from tombola.services.runner import apply
from tombola.state.changes import Change, Publish
from tombola.state.records import ComplaintRecord

MAX_OPEN = 5  # open complaints a person may have at once
SAVE_ATTEMPTS = 3


def view(c: ComplaintRecord) -> ComplaintView:
    return ComplaintView(
        complaint_id=c.complaint_id,
        topic=c.topic,
        text=c.text,
        listing_id=c.listing_id,
        opened_at=c.opened_at.isoformat(),
        status="open" if c.open else "answered",
        answer=c.answer,
        answered_at=c.answered_at.isoformat() if c.answered_at else None,
    )


def raise_complaint(
    deps: Deps, caller: Caller, body: ComplaintIn, request_key: str | None = None
) -> ComplaintView:
    """Under an Idempotency-Key the complaint's id is derived from it: a retry finds it."""
    key = checked_request_key(request_key)
    now = deps.clock.now()
    # under a key the id is the key's alone, so two sends of it at once are one complaint
    complaint_id = (
        derived_id("K", caller.user_id, key)
        if key
        else f"{now:%Y%m%dT%H%M%S%f}Z-{random_tokens.token_hex(6)}"
    )
    if key is not None and (kept := deps.store.get_complaint(caller.user_id, complaint_id)):
        same_request(kept.request_fingerprint, body)
        return view(kept)
    mine = deps.store.complaints_of(caller.user_id, limit=MAX_OPEN * 4)
    if sum(1 for c in mine if c.open) >= MAX_OPEN:
        raise NotAllowedNow(
            f"you have {MAX_OPEN} complaints waiting for an answer already; the operator "
            "answers them first",
            field="complaint",
        )
    complaint = ComplaintRecord(
        user_id=caller.user_id,
        complaint_id=complaint_id,
        topic=body.topic,
        text=body.text,
        listing_id=body.listing_id,
        opened_at=now,
        request_fingerprint=fingerprint(body) if key else None,
    )
    if not deps.store.save_complaint(complaint, None):
        kept = deps.store.get_complaint(caller.user_id, complaint_id)
        if kept is None:
            raise Conflict("the complaint was sent twice at once; send it again")
        same_request(kept.request_fingerprint, body)  # the same key sent twice at once
        return view(kept)
    return view(complaint)


def my_complaints(deps: Deps, caller: Caller) -> ComplaintList:
    return ComplaintList(complaints=[view(c) for c in deps.store.complaints_of(caller.user_id)])


def _operator_view(c: ComplaintRecord, now: datetime) -> OperatorComplaint:
    waited = (c.answered_at or now) - c.opened_at
    return OperatorComplaint(
        **view(c).model_dump(), user_id=c.user_id, age_seconds=int(waited.total_seconds())
    )


def queue(deps: Deps, caller: Caller, status: str = "open") -> OperatorComplaintList:
    caller.require(Role.OPERATOR)
    now = deps.clock.now()
    found = deps.store.complaint_queue(answered=status == "answered")
    return OperatorComplaintList(complaints=[_operator_view(c, now) for c in found])


def answer(deps: Deps, caller: Caller, body: ComplaintAnswerIn) -> OperatorComplaint:
    """Once: the same answer again is the same result; another answer is refused (409)."""
    caller.require(Role.OPERATOR)
    for _ in range(SAVE_ATTEMPTS):
        kept = deps.store.get_complaint(body.user_id, body.complaint_id)
        if kept is None:
            raise NotFound("no such complaint", field="complaint_id")
        if not kept.open:
            if kept.answer == body.answer:
                return _operator_view(kept, deps.clock.now())
            raise NotAllowedNow("this complaint was answered already", field="answer")
        now = deps.clock.now()
        answered = kept.model_copy(
            update={
                "answer": body.answer,
                "answered_at": now,
                "answered_by": caller.user_id,
                "version": kept.version + 1,
            }
        )
        told = Publish(
            detail_type="ComplaintAnswered",
            detail={
                "recipients": [kept.user_id],
                "notice_id": f"complaint-answered-{kept.complaint_id}",
                "title": "",
                "complaint_id": kept.complaint_id,
            },
        )
        try:  # the answer and the notice that tells it, in one transaction
            apply(deps, Change(complaint=(answered, kept.version), effects=[told]))
        except Conflict:
            continue  # another answer came first: read it again
        return _operator_view(answered, now)
    raise Conflict("the complaint changed while it was answered: load it again")
