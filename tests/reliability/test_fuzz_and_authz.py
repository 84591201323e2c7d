"""Over HTTP, on the local stack as `make run` starts it: schemathesis against the served OpenAPI
document (no response >= 500), and the authorization matrix: every signed-in route × (no token,
expired, wrong key, wrong group, other user, right user): only the right user gets through, and
nothing is written otherwise."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from tombola_dev import auth
from tombola_dev.accounts import payout_account
from tombola_dev.client import Client, User
from tombola_dev.process import RunningStack, running_stack

from tests.reliability import figures

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e
DOCUMENT = Path(__file__).resolve().parents[2] / "functions" / "openapi" / "openapi.json"
schema = schemathesis.openapi.from_path(str(DOCUMENT))
EVERYONE = auth.mint("fuzzer", ["buyer", "seller", "operator"])
REFUSED = {401, 403, 404}
CONFORMANCE = [
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=60 if figures.FULL else 8,
    deadline=None,
    derandomize=not figures.FULL,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_server_error(case: Any, stack_url: str) -> None:
    """...and every answer is one the document declares, with the body it describes."""
    response = case.call(base_url=stack_url, headers={"authorization": f"Bearer {EVERYONE}"})
    failed = response.status_code >= 500
    figures.record("server_errors", {"count": int(failed), "checked": 1})
    assert not failed, (case.method, case.formatted_path, response.status_code, response.text)
    case.validate_response(response, checks=CONFORMANCE)


# ---------------------------------------------------------------------------- authorization


@dataclass
class Route:
    method: str
    path: str
    right: str  # who may
    other: str | None  # someone of the same group who may not
    body: Any = None
    any_group: bool = False  # open to anyone signed in (their own profile)


def _token(user: str, groups: list[str], variant: str) -> str | None:
    if variant == "no token":
        return None
    if variant == "expired":
        now = int(time.time())
        claims = {"sub": user, "cognito:groups": groups, "iss": auth.ISSUER, "exp": now - 60}
        return jwt.encode(claims, auth.secret(), algorithm="HS256")
    if variant == "wrong key":
        claims = {"sub": user, "cognito:groups": groups, "iss": auth.ISSUER, "exp": 2**31}
        return jwt.encode(claims, "not-the-key-" + "x" * 32, algorithm="HS256")
    return auth.mint(user, groups)


def _items(stack: RunningStack) -> frozenset[str]:
    """Every item of every table, each as canonical JSON: "nothing written" means the whole
    table is the same, not only as many items (an unauthorised update keeps the count)."""
    client = boto3.client(
        "dynamodb",
        endpoint_url=stack.moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    items: set[str] = set()
    for name in client.list_tables()["TableNames"]:
        for page in client.get_paginator("scan").paginate(TableName=name):
            items.update(f"{name}|{json.dumps(i, sort_keys=True)}" for i in page["Items"])
    return frozenset(items)


def _quiet_items(stack: RunningStack, still: int = 1) -> frozenset[str]:
    """The tables once the stack's own background work (executions, schedules) is done: the
    same on ``still`` reads in a row after the first."""
    last, same = _items(stack), 0
    for _ in range(120):
        time.sleep(0.15)
        now = _items(stack)
        same = same + 1 if now == last else 0
        if same >= still:
            return now
        last = now
    raise AssertionError("the stack never went quiet")


def _unchanged_after(
    stack: RunningStack,
    route: Route,
    refused: list[str],
    before: frozenset[str] | None,
    leaks: list[str],
) -> frozenset[str] | None:
    """The tables once quiet, checked unchanged since ``before`` when ``refused`` requests
    were sent since (a leak names the route and those variants); ``refused`` is emptied."""
    if not refused or before is None:
        return before
    after = _quiet_items(stack)
    if after != before:
        leaks.append(
            f"{route.method} {route.path} {refused}: a refused request wrote; "
            + _changed(before, after)
        )
    refused.clear()
    return after


def _changed(before: frozenset[str], after: frozenset[str]) -> str:
    gone, new = sorted(before - after), sorted(after - before)
    return f"written: {new[:3]} removed: {gone[:3]}" if gone or new else ""


def _people(url: str, run: str) -> dict[str, User]:
    client = Client(url)
    people = {}
    for name, group in (
        ("seller", "seller"),
        ("seller2", "seller"),
        ("ann", "buyer"),
        ("bob", "buyer"),
        ("cat", "buyer"),
        ("op", "operator"),
    ):
        user = User(client, f"{name}-{run}", (group,))
        profile = {
            "name": name,
            "email": f"{name}@example.com",
            "phone": "+82 10 1111 2222",
            "address": "Seoul",
            "payout_account": payout_account(name),
        }
        user.ok("PUT", "/me/profile", profile)
        people[name] = user
    return people


def _sold(url: str, p: dict[str, User]) -> tuple[str, str, str]:
    """A listing with a final buyer waiting for shipment; returns (listing, winner, loser)."""
    client = Client(url)
    body = {
        "title": "Matrix",
        "price": 10_000,
        "expected_entrants": 2,
        "ticket_limit": 1,
        "closes_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        "deadlines": {"confirm": 600, "ship": 600, "delivery": 600},
    }
    created = p["seller"].ok("POST", "/listings", body, expect=201)
    lid = created["listing"]["listing_id"]
    client.ok("POST", f"/sandbox/checkouts/{created['deposit']['checkout']['checkout_id']}/pay")
    for b in ("ann", "bob"):
        entry = p[b].ok("POST", f"/listings/{lid}/entries", {"tickets": 1}, expect=201)
        client.ok("POST", f"/sandbox/checkouts/{entry['checkout']['checkout_id']}/pay")
    deadline = time.monotonic() + 60
    while client.ok("GET", f"/listings/{lid}")["status"] != "final_buyer":
        assert time.monotonic() < deadline, "no final buyer"
        time.sleep(0.2)
    mine = {b: p[b].ok("GET", "/me/entries")["entries"][0]["pseudonym"] for b in ("ann", "bob")}
    order = client.ok("GET", f"/listings/{lid}/draw")["order"]
    winner = next(b for b, name in mine.items() if name == order[-1])
    return lid, winner, ("bob" if winner == "ann" else "ann")


VARIANTS = ("no token", "expired", "wrong key", "wrong group", "other user", "right user")
WRONG_GROUP = {"seller": ["buyer"], "buyer": ["seller"], "operator": ["buyer", "seller"]}


@pytest.fixture
def own_stack() -> Iterator[RunningStack]:
    """A stack of its own: "nothing written" scans every table after each request, so the
    tables must not hold what the session's other tests wrote on the shared stack."""
    with running_stack(ROOT / ".local" / "authz-stack.log", tick_seconds=1) as running:
        yield running


def test_only_the_right_user_gets_through_and_nothing_is_written_otherwise(
    own_stack: RunningStack,
) -> None:
    local_stack = own_stack
    url = local_stack.url
    run = datetime.now(UTC).strftime("%H%M%S%f")
    p = _people(url, run)
    lid, winner, loser = _sold(url, p)
    listing = f"/listings/{lid}"
    routes = [
        Route("GET", "/me/profile", "ann", None, any_group=True),
        Route("GET", "/me/entries", "ann", None),
        Route("GET", "/me/mileage", "ann", None),
        Route("GET", f"{listing}/statement", "seller", "seller2"),
        Route("GET", f"{listing}/final-buyer", "seller", "seller2"),
        Route("POST", f"{listing}/second-payment", "", winner),  # no P2 is due: nobody
        Route("POST", f"{listing}/forfeit", "", winner),
        Route("POST", f"{listing}/entries", "cat", None, {"tickets": 1}),  # closed: refused
        Route("POST", f"{listing}/free-entry", "", None),  # closed (and no free route): nobody
        Route(
            "POST",
            f"{listing}/shipment",
            "seller",
            "seller2",
            {"carrier": "CJ", "tracking_number": "T"},
        ),
        # photos: only the seller, and only before the close (this listing is past it: nobody)
        Route("POST", f"{listing}/photos", "", "seller2", {"content_type": "image/png", "size": 9}),
        Route("POST", f"{listing}/photos/P1", "", "seller2"),
        Route("POST", f"{listing}/dispute", winner, loser, {"reason": "broken"}),
        # the dispute's photos: its final buyer only (P1 was never uploaded: 409 for them);
        # its answer: the listing's seller only
        Route(
            "POST",
            f"{listing}/dispute/photos",
            winner,
            loser,
            {"content_type": "image/png", "size": 9},
        ),
        Route("POST", f"{listing}/dispute/photos/P1", winner, loser),
        Route("POST", f"{listing}/dispute/answer", "seller", "seller2", {"answer": "sent"}),
        Route("POST", f"{listing}/confirm", winner, loser),
        Route("POST", f"{listing}/dispute/resolution", "op", None, {"decision": "release"}),
        Route("GET", "/operator/attention", "op", None),
        Route("POST", f"{listing}/resume", "op", None),
        Route("GET", "/operator/effects", "op", None),
        # no dead effects exist: only the refusals are checked (the operator would get 404)
        Route("POST", "/operator/effects/20260101T000000Z-000000000000/retry", "", None),
        Route(
            "POST",
            "/operator/effects/20260101T000000Z-000000000000/resolve",
            "",
            None,
            {"note": "done by hand"},
        ),
        Route("GET", "/operator/reconciliation", "op", None),
        Route("GET", "/operator/payouts", "op", None),
        Route("GET", "/operator/payouts?status=paid", "op", None),
        Route("GET", "/operator/disputes", "op", None),
        Route("GET", "/operator/disputes?status=decided", "op", None),
        Route("GET", "/operator/undelivered", "op", None),
        Route(
            "POST",
            "/operator/undelivered/dismiss",
            "",
            None,
            {"user_id": "ann", "note_id": "20260101T000000.000000Z#0"},
        ),
        # what the product told each person: their own only (a note of another's is not found)
        Route("GET", "/me/notifications", "ann", None, any_group=True),
        Route("POST", "/me/notifications/read", "", None, {"upto": "20260101T000000.000000Z#0"}),
        # the order step by step: its buyers and its seller (a buyer with no entry on it: 404)
        Route("GET", f"{listing}/timeline", winner, "cat"),
        # one's own tickets' proofs in the draw (a buyer with no ticket on it: 404)
        Route("GET", f"{listing}/draw/mine", winner, "cat"),
        # responsible play: one's own standing only (a verification another account started
        # is refused: 400 for the right user too); the operator's counts
        Route("GET", "/me/standing", "ann", None, any_group=True),
        Route("POST", "/me/verification/start", "ann", None, any_group=True),
        Route("POST", "/me/verification", "ann", None, {"verification_id": "idv-0-0"}, True),
        Route("PUT", "/me/limits", "ann", None, {"currency": "KRW", "day": 50_000}, True),
        Route("POST", "/me/break", "cat", None, {"days": 1}, any_group=True),
        Route("POST", "/me/exclusion", "cat", None, {"months": 6, "confirm": True}, True),
        Route("GET", "/operator/play", "op", None),
        # complaints: one's own; the operator's queue and answer (no such complaint: refusals)
        Route("POST", "/me/complaints", "ann", None, {"topic": "other", "text": "hi"}, True),
        Route("GET", "/me/complaints", "ann", None, any_group=True),
        Route("GET", "/operator/complaints", "op", None),
        Route(
            "POST",
            "/operator/complaints/answer",
            "",
            None,
            {"user_id": "ann", "complaint_id": "C-0", "answer": "done"},
        ),
    ]
    leaks: list[str] = []
    checked = 0
    client = Client(url)
    before: frozenset[str] | None = None
    for route in routes:
        owner = route.right or route.other or "ann"
        group = p[owner].groups[0]
        refused: list[str] = []  # the variants sent and refused since ``before`` was read
        for variant in VARIANTS:
            if variant == "right user" and not route.right:
                continue
            if variant == "wrong group" and route.any_group:
                continue
            if variant == "other user":
                if route.other is None:
                    continue
                user, groups = p[route.other].user_id, [p[route.other].groups[0]]
            elif variant == "wrong group":
                user, groups = p[owner].user_id, WRONG_GROUP[group]
            else:
                user, groups = p[owner].user_id, [group]
            if variant == "right user":
                # the tables after the refused ones: none of them wrote anything (read once for
                # the route's refusals together; a reading per refusal doubled the test's time)
                before = _unchanged_after(local_stack, route, refused, before, leaks)
            if before is None:  # after a write: its background work may go on in steps
                before = _quiet_items(local_stack, still=8)  # > the 1 s ticker
            status, body = client.call(
                route.method, route.path, route.body, token=_token(user, groups, variant)
            )
            checked += 1
            if variant == "right user":
                before = None  # it may write: count afresh
                if status in REFUSED or status >= 500:
                    leaks.append(f"{route.method} {route.path}: the right user got {status} {body}")
                continue
            expected = {401} if variant in {"no token", "expired", "wrong key"} else REFUSED
            if status not in expected:
                leaks.append(f"{route.method} {route.path} [{variant}]: {status} {body}")
            refused.append(variant)
        before = _unchanged_after(local_stack, route, refused, before, leaks)
    figures.record("authz_leaks", {"count": len(leaks), "checked": checked})
    assert leaks == [], "\n".join(leaks)
    assert checked > 60
