"""The local stack over real HTTP: the demo's path, a close-when-full listing, a mileage-policy
listing, unauthorized requests and a forged webhook."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tombola_dev import cli, demo, verify
from tombola_dev.accounts import payout_account
from tombola_dev.client import Client, User
from tombola_dev.sandbox import payment_webhook

from tombola.domain.signatures import SIGNATURE_HEADER

pytestmark = pytest.mark.e2e
RUN = datetime.now(UTC).strftime("%H%M%S%f")


def person(url: str, name: str, group: str) -> User:
    user = User(Client(url), f"{name}-{RUN}", (group,))
    profile: dict[str, Any] = {
        "name": name,
        "email": f"{name}@example.com",
        "phone": "+82 10 1111 2222",
        "address": "Seoul",
    }
    if group == "seller":
        profile["payout_account"] = payout_account(name)
    user.ok("PUT", "/me/profile", profile)
    return user


def wait(predicate: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def status(url: str, lid: str) -> str:
    return str(Client(url).ok("GET", f"/listings/{lid}")["status"])


def sell(url: str, seller: User, buyers: list[User], **fields: Any) -> tuple[str, User]:
    """List, pay the deposit, sell tickets (one each), and take the sale to settlement."""
    client = Client(url)
    body = {
        "title": "Lamp",
        "price": 40_000,
        "closes_at": (datetime.now(UTC) + timedelta(seconds=6)).isoformat(),
    } | fields
    created = seller.ok("POST", "/listings", body, expect=201)
    lid = created["listing"]["listing_id"]
    checkout = created["deposit"]["checkout"]
    assert checkout["url"] == f"{url}/#/checkout/{checkout['checkout_id']}"  # its port
    client.ok("POST", f"/sandbox/checkouts/{checkout['checkout_id']}/pay")
    for b in buyers:
        entry = b.ok("POST", f"/listings/{lid}/entries", {"tickets": 1}, expect=201)
        client.ok("POST", f"/sandbox/checkouts/{entry['checkout']['checkout_id']}/pay")
    wait(lambda: status(url, lid) == "final_buyer", "a final buyer")
    by_name = {
        e["pseudonym"]: b
        for b in buyers
        for e in b.ok("GET", "/me/entries")["entries"]
        if e["listing_id"] == lid
    }
    winner = by_name[client.ok("GET", f"/listings/{lid}/draw")["order"][-1]]
    demo.complete_sale(client, seller, winner, lid)
    paid = client.ok("POST", f"/sandbox/payouts/{lid}/paid")
    assert paid["result"] == "payout_recorded"
    return lid, winner


def test_the_demo_path(stack_url: str) -> None:
    assert demo.main(["--url", stack_url, "--buyers", "24"]) == 0


def test_a_close_when_full_listing(stack_url: str) -> None:
    seller = person(stack_url, "fullseller", "seller")
    buyers = [person(stack_url, f"full{i}", "buyer") for i in range(4)]
    lid, _ = sell(
        stack_url,
        seller,
        buyers,
        expected_entrants=4,
        close_when_full=True,
        closes_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat(),
    )
    st = seller.ok("GET", f"/listings/{lid}/statement")
    assert st["balanced"]
    assert st["held_in_escrow"] == 0
    assert st["paid_in"]["first_payments"] == 40_000
    ok, lines = verify.check(verify.fetch(Client(stack_url), lid))
    assert ok, lines


def test_a_mileage_policy_listing(stack_url: str) -> None:
    started = time.monotonic()
    seller = person(stack_url, "mileseller", "seller")
    buyers = [person(stack_url, f"mile{i}", "buyer") for i in range(5)]
    # closed by time with 5 tickets for 4 (a surplus): the window leaves room for the listing,
    # its deposit, five entries and their payments at three times the pace the six profiles
    # were just saved at (a loaded machine took over 2 s a request)
    pace = (time.monotonic() - started) / 6
    window = 10 + 3 * 12 * pace
    lid, winner = sell(
        stack_url,
        seller,
        buyers,
        expected_entrants=4,
        close_when_full=False,
        surplus_policy="mileage",
        deadlines={"confirm": 30},
        closes_at=(datetime.now(UTC) + timedelta(seconds=window)).isoformat(),
    )
    # 5 tickets of 10,000 against a price of 40,000: 10,000 surplus over 4 losing tickets.
    for b in buyers:
        expected = 0 if b is winner else 2_500
        wait(lambda b=b, e=expected: b.ok("GET", "/me/mileage")["balance"] == e, "mileage")  # type: ignore[misc]
    st = seller.ok("GET", f"/listings/{lid}/statement")
    assert st["paid_out"]["mileage_issued"] == 10_000
    assert st["balanced"]
    assert st["held_in_escrow"] == 0


def test_unauthorized_requests(stack_url: str) -> None:
    client = Client(stack_url)
    assert client.call("GET", "/me/entries")[0] == 401
    assert client.call("GET", "/me/entries", token="not-a-jwt")[0] == 401
    buyer = person(stack_url, "plainbuyer", "buyer")
    status_code, body = buyer.call(
        "POST",
        "/listings",
        {"title": "x", "price": 100, "expected_entrants": 10, "closes_at": "2030-01-01T00:00:00Z"},
    )
    assert status_code == 403
    assert body["error"]["code"] == "forbidden"


def test_a_forged_webhook(stack_url: str) -> None:
    seller = person(stack_url, "forgedseller", "seller")
    created = seller.ok(
        "POST",
        "/listings",
        {
            "title": "Vase",
            "price": 10_000,
            "expected_entrants": 10,
            "closes_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        },
        expect=201,
    )
    lid = created["listing"]["listing_id"]
    raw, headers = payment_webhook(
        "a-secret-the-attacker-guessed",
        reference=f"deposit:{lid}",
        amount=created["deposit"]["amount"],
        currency="KRW",
        now_epoch=int(time.time()),
    )
    code, body = Client(stack_url).call("POST", "/webhooks/payments", raw=raw, headers=headers)
    assert code == 401
    assert body["error"]["code"] == "bad_signature"
    assert SIGNATURE_HEADER in json.dumps(list(headers))
    # Nothing was written: the listing is still unpublished, awaiting its deposit.
    assert Client(stack_url).call("GET", f"/listings/{lid}")[0] == 404


@pytest.mark.parametrize(
    ("path", "raw", "headers", "expected"),
    [
        ("/webhooks/payments", b"\xff\xfe\x00garbage", {}, 400),
        ("/listings", b"\xff\xfe", {}, 400),
        ("/listings", b"--b", {"content-type": "multipart/form-data"}, 415),
        ("/sandbox/tokens", b"\xff\xfe", {}, 400),
    ],
)
def test_hostile_bodies_over_http_are_4xx(
    stack_url: str, path: str, raw: bytes, headers: dict[str, str], expected: int
) -> None:
    seller = person(stack_url, "hostileseller", "seller")
    code, body = Client(stack_url).call("POST", path, raw=raw, headers=headers, token=seller.token)
    assert code == expected, body
    assert body["error"]["code"]


def test_the_operator_commands(stack_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--url", stack_url, "attention"]) == 0
    assert "listings" in json.loads(capsys.readouterr().out)
    assert cli.main(["--url", stack_url, "resume", "L-none"]) == 1
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "not_found"


def test_the_web_client_and_the_api_document_are_served(stack_url: str) -> None:
    """The web client at / (as `make run` serves it), Swagger UI at /docs, both as HTML."""
    for path, marker in (("/", '<div id="app">'), ("/docs", "SwaggerUIBundle")):
        with urllib.request.urlopen(stack_url + path, timeout=10) as resp:
            assert resp.headers["content-type"].startswith("text/html"), path
            assert marker in resp.read().decode(), path
    status, _ = Client(stack_url).call("GET", "/assets/../../template.yaml")
    assert status == 404  # nothing outside web/dist is served
