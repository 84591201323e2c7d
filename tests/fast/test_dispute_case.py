"""A dispute in full, on the MemoryStore: the final buyer writes a reason of several lines (any
language, bounded, control characters removed) and adds a few photos through the listing photos'
own upload forms; the seller reads both and answers once; the operator reads all three; both
timelines show the dispute with the operator's deadline, then the decision. Every write is the
listing head's, under its version: the same answer again writes nothing, another one is refused.

A listing of 10,000 with Np = 10 (P1 = 1,000): ann 2 tickets, bob 1; the drawn one pays P2."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import timedelta

import pytest
from pydantic import ValidationError

from tests.fast.test_disputes import OP, disputed
from tests.support.fast_platform import FastWorld
from tests.support.images import png
from tests.support.interleavings import caller
from tests.support.photo_bucket import Bucket
from tombola.api.models import MAX_DISPUTE_TEXT, DisputeAnswerIn, DisputeIn, PhotoUploadIn
from tombola.api.views import DisputeCase, TimelineView
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import Forbidden, NotAllowedNow, NotFound, OutcomeFixed
from tombola.domain.photos import (
    MAX_DISPUTE_PHOTOS,
    MAX_DISPUTE_UPLOAD_FORMS,
    PhotoNotUploaded,
    PhotoRefused,
    TooManyDisputePhotos,
    TooManyDisputeUploads,
)
from tombola.ports.photo_storage import StoredPhoto
from tombola.services import listing_photos, purchase
from tombola.services.disputes import disputes
from tombola.services.timeline import timeline

SELLER = caller("seller", Role.SELLER)
REASON = "상자를 열어 보니\r\n렌즈가 깨져 있었습니다.\x00\x1b[31m\n\tPhotos attached.\u202e"
KEPT = "상자를 열어 보니\n렌즈가 깨져 있었습니다.[31m\nPhotos attached."
ANSWER = "포장 사진이 있습니다.\n발송 전에는 멀쩡했습니다."


def buyer(w: FastWorld) -> Caller:
    return caller(w.record().final_buyer, Role.BUYER)


def seen(w: FastWorld, who: Caller) -> TimelineView:
    return timeline(w.deps, who, w.listing_id)


def open_with(w: FastWorld, reason: str = REASON) -> str:
    """``disputed`` with the buyer's own words: delivered, then disputed (the test's world
    disputes "arrived broken"; here the reason is the buyer's several lines)."""
    lid = w.open()
    w.buy("ann", 2)
    w.buy("bob", 1)
    w.close()
    assert w.run() == "wait_p2"
    assert w.pay(w.second_payment()) == "final_buyer"
    assert w.run() == "wait_ship"
    w.ship()
    assert w.run() == "wait_delivery"
    assert w.deliver() == "delivered"
    assert w.run() == "wait_confirm"
    purchase.dispute(w.deps, buyer(w), lid, DisputeIn(reason=reason))
    assert w.run() == "wait_resolution"
    return lid


def photo(w: FastWorld, bucket: Bucket, data: bytes | None = None) -> str:
    """A photo of the dispute uploaded (not yet attached): its id."""
    image = data or png()
    given = listing_photos.request_evidence_upload(
        w.deps,
        buyer(w),
        w.listing_id,
        PhotoUploadIn(content_type="image/png", size=len(image)),
    )
    bucket.objects[f"uploads/{w.listing_id}/{given.photo_id}"] = ("image/png", image)
    return given.photo_id


def attach(w: FastWorld, photo_id: str) -> DisputeCase:
    return listing_photos.attach_evidence(w.deps, buyer(w), w.listing_id, photo_id)


@pytest.fixture
def bucket(w: FastWorld) -> Bucket:
    store = Bucket()
    w.deps = dataclasses.replace(w.deps, photos=store)
    return store


def test_the_reason_keeps_its_lines_and_korean_and_drops_control_characters() -> None:
    assert DisputeIn(reason=REASON).reason == KEPT
    # Korean typed as separate jamo (NFD) counts as its syllables: 1,000 of them fit
    decomposed = unicodedata.normalize("NFD", "깨" * MAX_DISPUTE_TEXT)
    assert len(decomposed) > MAX_DISPUTE_TEXT
    assert DisputeIn(reason=decomposed).reason == "깨" * MAX_DISPUTE_TEXT
    assert DisputeAnswerIn(answer=ANSWER).answer == ANSWER
    # the bound counts what is kept: control characters do not use it up
    assert len(DisputeIn(reason="가" * MAX_DISPUTE_TEXT + "\x00\x07").reason) == MAX_DISPUTE_TEXT


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("가" * (MAX_DISPUTE_TEXT + 1), "string_too_long"),
        ("", "string_too_short"),
        ("\x00\x1b \r\n\t", "string_too_short"),  # nothing but control characters and spaces
    ],
)
def test_a_reason_or_answer_out_of_bounds_is_refused_naming_its_field(
    text: str, problem: str
) -> None:
    for model, field in ((DisputeIn, "reason"), (DisputeAnswerIn, "answer")):
        with pytest.raises(ValidationError) as refused:
            model.model_validate({field: text})
        [error] = refused.value.errors()
        assert (error["loc"], error["type"]) == ((field,), problem)
        if problem == "string_too_long":
            assert error["ctx"] == {"max_length": MAX_DISPUTE_TEXT}


def test_the_seller_reads_the_reason_and_answers_once(w: FastWorld) -> None:
    lid = open_with(w)
    record = w.record()
    assert record.dispute_reason == KEPT
    case = seen(w, SELLER).dispute
    assert case is not None
    assert (case.reason, case.photos, case.answer, case.decision) == (KEPT, [], None, None)
    assert case.opened_at == record.reached["disputed"].isoformat()
    assert case.resolution_due_at == record.stage_due_at["resolution"].isoformat()
    # the buyer reads the same; a buyer who lost the draw reads none of it
    assert seen(w, buyer(w)).dispute == case
    loser = "bob" if record.final_buyer == "ann" else "ann"
    assert seen(w, caller(loser, Role.BUYER)).dispute is None

    w.clock.advance(timedelta(minutes=3))
    answered_at = w.clock.now()
    w.events.published.clear()
    before = w.record().version
    got = purchase.answer_dispute(w.deps, SELLER, lid, DisputeAnswerIn(answer=ANSWER))
    assert (got.answer, got.answered_at) == (ANSWER, answered_at.isoformat())
    assert w.record().version == before + 1  # the head, under its version
    [detail] = [d for k, d in w.events.published if k == "DisputeAnswered"]
    assert detail["recipients"] == [record.final_buyer, "operator"]
    assert detail["answer"] == ANSWER
    # the operator reads the reason (its lines), the answer and when
    [d] = disputes(w.deps, OP).disputes
    assert (d.reason, d.answer, d.answered_at) == (KEPT, ANSWER, answered_at.isoformat())
    assert seen(w, buyer(w)).dispute.answer == ANSWER  # type: ignore[union-attr]

    # the same answer again: the same result, nothing written, nobody told again
    w.clock.advance(timedelta(minutes=1))
    w.events.published.clear()
    again = purchase.answer_dispute(w.deps, SELLER, lid, DisputeAnswerIn(answer=ANSWER))
    assert again == got
    assert w.record().version == before + 1
    assert w.events.published == []
    # another answer once answered: refused, naming the field
    with pytest.raises(NotAllowedNow) as refused:
        purchase.answer_dispute(w.deps, SELLER, lid, DisputeAnswerIn(answer="다른 답변"))
    assert refused.value.field == "answer"
    assert w.record().dispute_answer == ANSWER


def test_only_the_listings_seller_answers_and_only_while_the_dispute_waits(
    w: FastWorld,
) -> None:
    lid = w.open()
    w.buy("ann", 2)
    w.buy("bob", 1)
    w.close()
    w.run()
    w.pay(w.second_payment())
    w.run()
    w.ship()
    w.run()
    w.deliver()
    w.run()
    body = DisputeAnswerIn(answer=ANSWER)
    # not disputed (delivered): nothing to answer
    with pytest.raises(NotAllowedNow):
        purchase.answer_dispute(w.deps, SELLER, lid, body)
    w.dispute()
    w.run()
    version = w.record().version
    # the final buyer, another seller, an operator: refused, nothing written
    for who, refusal in (
        (buyer(w), Forbidden),
        (caller("other-seller", Role.SELLER), Forbidden),
        (OP, Forbidden),
    ):
        with pytest.raises(refusal):
            purchase.answer_dispute(w.deps, who, lid, body)
    with pytest.raises(NotFound):
        purchase.answer_dispute(w.deps, SELLER, "L-nothing", body)
    assert w.record().version == version
    assert w.record().dispute_answer is None
    # decided: too late to answer (the decision is taken, the settlement not begun yet)
    w.resolve("refund")
    with pytest.raises(NotAllowedNow) as late:
        purchase.answer_dispute(w.deps, SELLER, lid, body)
    assert late.value.field == "answer"
    assert w.run() == "done"
    with pytest.raises(OutcomeFixed):  # settled (cancelled): the outcome is fixed
        purchase.answer_dispute(w.deps, SELLER, lid, body)
    assert w.record().dispute_answer is None


@pytest.mark.parametrize(
    ("decision", "step", "end"),
    [("release", "released", "settled"), ("refund", "refunded", "cancelled")],
)
def test_both_timelines_show_the_dispute_its_deadline_then_the_decision(
    w: FastWorld, decision: str, step: str, end: str
) -> None:
    lid = disputed(w)
    record = w.record()
    for who in (buyer(w), SELLER):
        steps = seen(w, who).steps
        names = [s.step for s in steps]
        assert names[-3:] == ["disputed", "decision", "settled"], names
        assert "confirmed" not in names  # a dispute is not a confirmation
        opened, deciding = steps[-3], steps[-2]
        assert (opened.state, opened.at) == ("done", record.reached["disputed"].isoformat())
        assert (deciding.state, deciding.at) == ("now", None)
        assert deciding.due_at == record.stage_due_at["resolution"].isoformat()
    w.clock.advance(timedelta(minutes=7))
    decided_at = w.clock.now()
    w.resolve(decision)
    for who in (buyer(w), SELLER):
        view = seen(w, who)
        assert [(s.step, s.state) for s in view.steps][-3:] == [
            ("disputed", "done"),
            (step, "done"),
            (end, "next"),
        ]
        assert view.steps[-2].at == decided_at.isoformat()
        assert view.dispute is not None
        decided = (view.dispute.decision, view.dispute.decided_at)
        assert decided == (decision, decided_at.isoformat())
        assert view.dispute.resolution_due_at is None
    assert w.run() == "done"
    for who in (buyer(w), SELLER):
        view = seen(w, who)
        assert all(s.state == "done" for s in view.steps), view.steps
        assert [s.step for s in view.steps][-3:] == ["disputed", step, end]
        assert view.dispute is not None
        assert view.dispute.reason == "arrived broken"
    assert lid == w.listing_id


def test_a_listing_never_disputed_has_no_dispute_on_its_timeline(w: FastWorld) -> None:
    w.open()
    w.buy("ann", 1)
    w.close()
    w.run()
    names = [s.step for s in seen(w, SELLER).steps]
    assert not {"disputed", "decision", "released", "refunded"} & set(names)
    assert seen(w, SELLER).dispute is None


def test_the_buyer_adds_a_few_photos_the_seller_and_operator_see_them(
    w: FastWorld, bucket: Bucket
) -> None:
    lid = open_with(w)
    first = photo(w, bucket)
    case = attach(w, first)
    key = f"photos/{lid}/{first}"
    assert w.record().dispute_photos == [key]
    assert case.photos == [f"https://cdn.invalid/{key}"]
    assert bucket.objects[key] == ("image/png", png())
    # confirmed again: nothing more
    version = w.record().version
    attach(w, first)
    assert w.record().version == version
    # the seller's timeline and the operator's list show it (relative to the web's origin in
    # a function without the photo storage, which serves /photos/* too)
    assert seen(w, SELLER).dispute.photos == [f"https://cdn.invalid/{key}"]  # type: ignore[union-attr]
    [d] = disputes(w.deps, OP).disputes
    assert d.photos == [f"https://cdn.invalid/{key}"]
    without = dataclasses.replace(w.deps, photos=None)
    assert timeline(without, SELLER, lid).dispute.photos == [f"/{key}"]  # type: ignore[union-attr]
    # up to MAX_DISPUTE_PHOTOS in all
    for _ in range(MAX_DISPUTE_PHOTOS - 1):
        attach(w, photo(w, bucket))
    assert len(w.record().dispute_photos) == MAX_DISPUTE_PHOTOS
    with pytest.raises(TooManyDisputePhotos) as full:
        photo(w, bucket)
    assert full.value.limits == {"max": MAX_DISPUTE_PHOTOS}
    # the listing's own gallery is untouched
    assert w.record().photos == []


def test_photos_are_the_final_buyers_checked_and_only_while_the_dispute_waits(
    w: FastWorld, bucket: Bucket
) -> None:
    lid = open_with(w)
    image = png()
    body = PhotoUploadIn(content_type="image/png", size=len(image))
    record = w.record()
    loser = "bob" if record.final_buyer == "ann" else "ann"
    for who, refusal in ((caller(loser, Role.BUYER), NotFound), (SELLER, Forbidden)):
        with pytest.raises(refusal):
            listing_photos.request_evidence_upload(w.deps, who, lid, body)
        with pytest.raises(refusal):
            listing_photos.attach_evidence(w.deps, who, lid, "P1")
    # not uploaded, or not an image: refused, nothing attached
    given = photo(w, bucket)
    del bucket.objects[f"uploads/{lid}/{given}"]
    with pytest.raises(PhotoNotUploaded):
        attach(w, given)
    page = b"<html>".ljust(len(image), b" ")
    with pytest.raises(PhotoRefused):
        attach(w, photo(w, bucket, page))
    assert w.record().dispute_photos == []
    # decided: no more photos
    w.resolve("release")
    with pytest.raises(NotAllowedNow) as late:
        photo(w, bucket)
    assert late.value.field == "photos"


def test_a_dispute_is_issued_a_bounded_number_of_upload_forms(w: FastWorld, bucket: Bucket) -> None:
    open_with(w)
    for _ in range(MAX_DISPUTE_UPLOAD_FORMS):
        photo(w, bucket)
    assert w.record().dispute_photo_forms == MAX_DISPUTE_UPLOAD_FORMS
    version = w.record().version
    with pytest.raises(TooManyDisputeUploads) as refused:
        photo(w, bucket)
    assert refused.value.limits == {"max": MAX_DISPUTE_UPLOAD_FORMS}
    assert w.record().version == version  # a refusal writes nothing
    assert len(bucket.forms) == MAX_DISPUTE_UPLOAD_FORMS


def test_nothing_invisible_is_kept_and_nothing_visible_is_refused() -> None:
    """Direction marks (LRM, RLM, ALM), zero-width and byte-order characters go; a line or
    paragraph separator is a line break; an answer of only invisible characters is empty."""
    text = DisputeIn(reason="abc\u200f\u200e\u061c\u200b\ufeff\u2028def\u2029끝").reason
    assert text == "abc\ndef\n\n끝"
    for nothing in ("\u200b\u200b", " \u200e\n", "\x00"):
        with pytest.raises(ValidationError) as refused:
            DisputeAnswerIn(answer=nothing)
        assert refused.value.errors()[0]["loc"] == ("answer",)


def test_a_photo_copied_as_the_operator_decides_is_withdrawn(w: FastWorld, bucket: Bucket) -> None:
    """The operator's decision commits while the photo is being copied: the attach is refused
    and the served copy, which no record names, is deleted (it would stay public otherwise)."""
    open_with(w)
    pid = photo(w, bucket)
    real = bucket.publish

    def publish_as_the_operator_decides(source: str, target: str, checked: StoredPhoto) -> bool:
        copied = real(source, target, checked)
        if not w.record().resolution:
            w.resolve("refund")
        return copied

    bucket.publish = publish_as_the_operator_decides  # type: ignore[method-assign]
    with pytest.raises(NotAllowedNow):
        attach(w, pid)
    assert w.record().dispute_photos == []
    assert f"photos/{w.listing_id}/{pid}" not in bucket.objects
