"""Responsible play through the API on the stack template.yaml describes, with Market=KR: the
sandbox's identity window, one person one account, limits, a break, a self-exclusion; each
refusal a 4xx naming the rule and when it ends; GET /policy shows the market."""

from __future__ import annotations

from typing import Any

import pytest
from tombola_dev.driver import Driver
from tombola_dev.parameters import FAST

KOREA = FAST | {"Market": "KR"}
pytestmark = pytest.mark.parametrize("d", [KOREA], indirect=True)


def error(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status == status, (r.status, r.body)
    found: dict[str, Any] = r.body["error"]
    assert found["code"] == code, found
    return found


def test_the_market_asks_and_the_api_refuses_until_it_is_answered(d: Driver) -> None:
    policy = d.ok(d.stack.http("GET", "/policy"))["play"]
    assert policy["market"] == "KR"
    assert policy["minimum_age"] == 19
    assert policy["identity_required"] is True
    assert policy["limit_prompt"] is True
    assert policy["free_entry_cap"] == 0
    assert policy["time_zone"] == "Asia/Seoul"

    d.user("sam", "seller", payout=True)
    body = {"title": "Camera", "price": 10_000, "expected_entrants": 10}
    listing = d.as_("sam", "POST", "/listings", body | {"closes_at": d.clock.now().isoformat()})
    error(listing, 403, "verification_needed")
    d.ok(d.verify("sam", name="김민수", phone="010-1234-5678"))
    lid = d.open_listing("sam", expected_entrants=10, price=10_000, ticket_limit=4)

    d.user("ann", "buyer")
    standing = d.ok(d.as_("ann", "GET", "/me/standing"))
    assert standing["verified"] is False
    assert standing["refusal"] == "verification_needed"
    assert standing["limits_chosen"] == []
    entry = d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 1})
    error(entry, 403, "verification_needed")
    too_young = d.ok(d.verify("ann", born=f"{d.clock.now().year - 18}-01-01"))
    assert too_young["of_age"] is False
    error(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 1}), 403, "under_age")

    # a second account of the seller, verified as the same person (typed another way)
    d.user("sam2", "buyer")
    again = d.verify("sam2", name="김민수", phone="+82 10 1234 5678")
    error(again, 409, "same_person")
    refused = d.ok(d.as_op("GET", "/operator/play"))["refused_accounts"]
    assert [(r["user_id"], r["holder_id"]) for r in refused] == [("sam2", "sam")]

    d.user("bob", "buyer")
    verified = d.ok(d.verify("bob"))
    assert (verified["may_buy"], verified["refusal"]) == (False, "limit_needed")
    error(d.as_("bob", "POST", f"/listings/{lid}/entries", {"tickets": 1}), 403, "limit_needed")
    limits = d.ok(d.as_("bob", "PUT", "/me/limits", {"currency": "KRW", "day": 1_000}))
    assert limits["limits"][0]["limits"]["day"] == 1_000
    d.buy("bob", lid)
    over = error(
        d.as_("bob", "POST", f"/listings/{lid}/entries", {"tickets": 1}),
        409,
        "spend_limit_reached",
    )
    assert over["window"] == "day"
    assert over["limits"] == {"limit": 1_000, "spent": 1_000}
    assert over["resets_at"].endswith("T15:00:00+00:00")  # midnight in Seoul
    bad = d.as_("bob", "PUT", "/me/limits", {"currency": "KRW", "day": 5_000, "week": 1_000})
    assert bad.status == 422, bad.body
    [problem] = bad.body["problems"]
    assert (problem["field"], problem["type"]) == ("body.week", "limits_nested")

    d.user("cat", "buyer")
    d.ok(d.verify("cat"))
    d.ok(d.as_("cat", "PUT", "/me/limits", {"currency": "KRW"}))  # no limit is a choice too
    paused = d.ok(d.as_("cat", "POST", "/me/exclusion", {"months": 6, "confirm": True}))
    assert paused["excluded_until"] is not None
    assert paused["may_buy"] is False
    out = error(
        d.as_("cat", "POST", f"/listings/{lid}/entries", {"tickets": 1}), 403, "self_excluded"
    )
    assert out["until"] == paused["excluded_until"]
    short = d.ok(d.as_("cat", "POST", "/me/break", {"days": 1}))
    assert short["refusal"] == "self_excluded"  # a break does not end an exclusion
    d.conserved(lid)


def test_a_verification_another_account_started_is_refused(d: Driver) -> None:
    d.user("ann", "buyer")
    d.user("bob", "buyer")
    started = d.ok(d.as_("ann", "POST", "/me/verification/start"))
    assert started["provider"] == "sandbox"
    stolen = d.as_(
        "bob", "POST", "/me/verification", {"verification_id": started["verification_id"]}
    )
    error(stolen, 400, "invalid_input")
    unfinished = d.as_(
        "ann", "POST", "/me/verification", {"verification_id": started["verification_id"]}
    )
    error(unfinished, 409, "not_allowed_now")


def test_a_complaint_reaches_the_operators_queue_and_its_answer_the_person(d: Driver) -> None:
    d.user("ann", "buyer")
    body = {"topic": "draw", "text": "추첨 결과가 이상해요"}
    made = d.ok(
        d.as_("ann", "POST", "/me/complaints", body, headers={"Idempotency-Key": "c1"}), 201
    )
    again = d.ok(
        d.as_("ann", "POST", "/me/complaints", body, headers={"Idempotency-Key": "c1"}), 201
    )
    assert again["complaint_id"] == made["complaint_id"]
    assert d.as_("ann", "GET", "/operator/complaints").status == 403  # a buyer is not the operator
    [queued] = d.ok(d.as_op("GET", "/operator/complaints"))["complaints"]
    assert (queued["user_id"], queued["text"], queued["status"]) == ("ann", body["text"], "open")
    answer = {"user_id": "ann", "complaint_id": made["complaint_id"], "answer": "확인했습니다."}
    d.ok(d.as_op("POST", "/operator/complaints/answer", answer))
    other = d.as_op("POST", "/operator/complaints/answer", answer | {"answer": "다른 답"})
    error(other, 409, "not_allowed_now")
    [mine] = d.ok(d.as_("ann", "GET", "/me/complaints"))["complaints"]
    assert (mine["status"], mine["answer"]) == ("answered", "확인했습니다.")
    assert d.ok(d.as_op("GET", "/operator/complaints"))["complaints"] == []
    assert d.stack.deliver_events() >= 1  # the notifier, as EventBridge hands it the event
    notes = d.ok(d.as_("ann", "GET", "/me/notifications"))["notes"]
    assert [n["kind"] for n in notes] == ["ComplaintAnswered"]
