"""A dispute over HTTP on the moto stack: the final buyer's reason of several Korean lines (a
longer one is refused with 422 naming the field), their photo uploaded through a signed form to
the S3 stand-in and attached once checked; the seller reads both on their timeline and answers
once (another seller, the buyer, a second different answer refused); the operator's list shows
the reason, the photo and the answer; every answer is checked against the OpenAPI document."""

from __future__ import annotations

from typing import Any

import boto3
from tombola_dev.driver import Driver, complete_sale
from tombola_dev.photo_uploads import PhotoRoutes

from tests.integration.test_photos import BASE, s3, upload  # noqa: F401  (s3: a fixture)
from tests.support.images import png
from tombola.api.models import MAX_DISPUTE_TEXT

REASON = "받은 상자가 비어 있었습니다.\r\n송장 사진을 첨부합니다.\u0007"
KEPT = "받은 상자가 비어 있었습니다.\n송장 사진을 첨부합니다."
ANSWER = "발송 전에 찍은 사진이 있습니다.\n상자에는 렌즈가 들어 있었습니다."


def delivered(d: Driver) -> tuple[str, str, str]:
    """(listing, its final buyer, the other buyer): sold, shipped and delivered."""
    lid = d.sold_out()
    complete_sale(d, lid, until="delivered")
    winner = d.record(lid).final_buyer
    return lid, winner, "bob" if winner == "ann" else "ann"


def operator_row(d: Driver, lid: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = d.ok(d.as_op("GET", "/operator/disputes"))["disputes"]
    [row] = [r for r in rows if r["listing_id"] == lid]
    return row


def test_a_dispute_with_its_lines_a_photo_and_the_sellers_answer(
    d: Driver,
    s3: PhotoRoutes,  # noqa: F811
) -> None:
    lid, winner, loser = delivered(d)
    path = f"/listings/{lid}/dispute"
    # too long: refused before anything is written, naming the field
    version = d.record(lid).version
    long = d.as_(winner, "POST", path, {"reason": "가" * (MAX_DISPUTE_TEXT + 1)})
    assert long.status == 422, long.body
    assert long.body["error"]["field"] == "body.reason"
    assert long.body["problems"][0]["type"] == "string_too_long"
    assert d.record(lid).version == version
    d.ok(d.as_(winner, "POST", path, {"reason": REASON}))
    assert d.record(lid).dispute_reason == KEPT
    d.stack.wait_for(lambda: "resolution" in d.record(lid).waits, 10, "the resolution wait")

    # the buyer's photo: the listing photos' own signed form, upload and checked attach
    image = png(4, 3)
    form = d.as_(
        winner, "POST", f"{path}/photos", {"content_type": "image/png", "size": len(image)}
    )
    given = d.ok(form)
    assert given["upload"]["fields"]["key"] == f"uploads/{lid}/{given['photo_id']}"
    refused = d.as_(loser, "POST", f"{path}/photos", {"content_type": "image/png", "size": 9})
    assert refused.status == 404, refused.body
    assert upload(s3, given, image) == (204, b"")
    case = d.ok(d.as_(winner, "POST", f"{path}/photos/{given['photo_id']}"))
    key = f"photos/{lid}/{given['photo_id']}"
    assert case["photos"] == [f"{BASE}/{key}"]
    assert case["reason"] == KEPT
    stored = boto3.client("s3").get_object(Bucket=d.stack.refs["PhotosBucket"], Key=key)
    assert stored["Body"].read() == image
    assert d.record(lid).photos == []  # not the listing's gallery

    # the seller reads it on their timeline (the photo served by the web's origin)
    seller_view = d.ok(d.as_("seller", "GET", f"/listings/{lid}/timeline"))
    assert seller_view["dispute"]["reason"] == KEPT
    assert seller_view["dispute"]["photos"] == [f"/{key}"]
    assert seller_view["dispute"]["answer"] is None
    steps = [(s["step"], s["state"]) for s in seller_view["steps"]]
    assert steps[-3:] == [("disputed", "done"), ("decision", "now"), ("settled", "next")]
    assert (
        seller_view["steps"][-2]["due_at"] == d.record(lid).stage_due_at["resolution"].isoformat()
    )

    # only the listing's seller answers: the buyer (wrong group) and another seller are refused
    answer = f"{path}/answer"
    d.user("sam", "seller", payout=True)
    for who in (winner, "sam"):
        r = d.as_(who, "POST", answer, {"answer": ANSWER})
        assert r.status == 403, r.body
    r = d.as_("seller", "POST", answer, {"answer": "x" * (MAX_DISPUTE_TEXT + 1)})
    assert (r.status, r.body["error"]["field"]) == (422, "body.answer")
    got = d.ok(d.as_("seller", "POST", answer, {"answer": ANSWER}))
    assert (got["answer"], got["photos"]) == (ANSWER, [f"/{key}"])
    again = d.ok(d.as_("seller", "POST", answer, {"answer": ANSWER}))
    assert again == got
    other = d.as_("seller", "POST", answer, {"answer": "다른 답"})
    assert (other.status, other.body["error"]["code"]) == (409, "not_allowed_now")
    assert other.body["error"]["field"] == "answer"

    # the operator reads all of it; the buyer reads the answer
    row = operator_row(d, lid)
    assert (row["reason"], row["answer"], row["photos"]) == (KEPT, ANSWER, [f"/{key}"])
    assert row["answered_at"] == got["answered_at"]
    mine = d.ok(d.as_(winner, "GET", f"/listings/{lid}/timeline"))
    assert mine["dispute"]["answer"] == ANSWER
    loser_view = d.ok(d.as_(loser, "GET", f"/listings/{lid}/timeline"))
    assert loser_view["dispute"] is None

    # decided: the timelines say so; no more answers or photos
    d.ok(d.as_op("POST", f"{path}/resolution", {"decision": "refund"}))
    late = d.as_(winner, "POST", f"{path}/photos", {"content_type": "image/png", "size": 9})
    assert late.status == 409, late.body
    d.wait_status(lid, "cancelled")
    for who in (winner, "seller"):
        view = d.ok(d.as_(who, "GET", f"/listings/{lid}/timeline"))
        assert [(s["step"], s["state"]) for s in view["steps"]][-3:] == [
            ("disputed", "done"),
            ("refunded", "done"),
            ("cancelled", "done"),
        ]
        assert view["dispute"]["decision"] == "refund"
