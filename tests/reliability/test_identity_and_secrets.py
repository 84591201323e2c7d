"""Secrets live in Secrets Manager with no default and reach only the functions that need them;
webhooks verify under the current and, during a rotation, the previous secret; public data names
people by keyed pseudonyms; every route checks the caller's group as well as ownership."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from tombola_dev.driver import Driver, claims, complete_sale
from tombola_dev.sandbox import carrier_webhook, payment_webhook
from tombola_dev.template import Template

from tombola.telemetry import Metric

WEBHOOK_FUNCTIONS = {"PaymentsWebhookFunction"}  # the payment provider's secret
CARRIER_FUNCTIONS = {"DeliveryWebhookFunction"}  # the carrier's own
# the public pseudonyms, and the operator's dispute cards (a final buyer by their pseudonym);
# the profile function keys a person's hash with it (one person, one account); the draw seals
# each ticket with its buyer's pseudonym in the entries' Merkle tree
PSEUDONYM_FUNCTIONS = {
    "ListingsFunction",
    "EntryFunction",
    "RecoveryFunction",
    "ProfileFunction",
    "DrawFunction",
}
# the local (test-stage) beacon's signing key: the draw reads rounds, listings fix the chain
BEACON_KEY_FUNCTIONS = {"DrawFunction", "ListingsFunction"}
# Checkouts, webhooks, refunds and payouts (the close function sends what the outbox holds).
PAYMENT_FUNCTIONS = {
    "ProfileFunction",  # PortOne's identity verification
    "ListingsFunction",
    "EntryFunction",
    "PurchaseFunction",
    "PaymentsWebhookFunction",
    "SettleFunction",
    "CloseFunction",
    "ReconcileFunction",  # lists the day's payments and cancellations at the provider
}


def _policy_text(template: Template, name: str) -> str:
    return json.dumps(template.resources[name]["Properties"].get("Policies", []))


def test_the_template_has_no_secret_default_and_gives_secrets_only_where_needed() -> None:
    template = Template.load()
    assert "WebhookSecret" not in template.doc["Parameters"]
    text = (template.root / "template.yaml").read_text()
    assert "change-me" not in text
    for name, fn in template.functions().items():
        policies = _policy_text(template, name)
        assert ("WEBHOOK_SECRET_ARN" in fn.environment) == (name in WEBHOOK_FUNCTIONS), name
        assert ("WebhookSigningSecret" in policies) == (name in WEBHOOK_FUNCTIONS), name
        assert ("CARRIER_SECRET_ARN" in fn.environment) == (name in CARRIER_FUNCTIONS), name
        assert ("CarrierSigningSecret" in policies) == (name in CARRIER_FUNCTIONS), name
        assert ("PSEUDONYM_KEY_ARN" in fn.environment) == (name in PSEUDONYM_FUNCTIONS), name
        assert ("PseudonymKey" in policies) == (name in PSEUDONYM_FUNCTIONS), name
        assert ("BEACON_KEY_ARN" in fn.environment) == (name in BEACON_KEY_FUNCTIONS), name
        assert ("BeaconKey" in policies) == (name in BEACON_KEY_FUNCTIONS), name
        assert "WEBHOOK_SECRET" not in fn.environment, name
        assert ("PORTONE_SECRET_ARN" in fn.environment) == (name in PAYMENT_FUNCTIONS), name
        assert ("PortOneSecret" in policies) == (name in PAYMENT_FUNCTIONS), name


PORTONE = {"PaymentProvider": "portone", "CheckoutPageUrl": "https://tombola.example/pay"}


@pytest.mark.parametrize("d", [PORTONE], indirect=True)
def test_the_template_never_writes_the_portone_secret(d: Driver) -> None:
    """Created with no value, so a stack update never replaces the credentials the operator put
    there; until they are put, a checkout answers 503 (retry), never a 500."""
    props = Template.load().resources["PortOneSecret"]["Properties"]
    assert "SecretString" not in props
    assert "GenerateSecretString" not in props
    sm = boto3.client("secretsmanager")
    assert "VersionIdsToStages" not in sm.describe_secret(SecretId=d.stack.refs["PortOneSecret"])
    d.user("sam", "seller", payout=True)
    refused = d.as_("sam", "POST", "/listings", _listing(d))
    assert refused.status == 503, refused.body
    assert refused.body["error"]["code"] == "provider_unavailable"
    [waiting] = d.ok(d.as_("sam", "GET", "/me/listings"))["listings"]
    again = d.as_("sam", "POST", f"/listings/{waiting['listing_id']}/deposit")
    assert again.status == 503, again.body


def _listing(d: Driver) -> dict[str, Any]:
    return {
        "title": "Camera",
        "price": 9_000,
        "expected_entrants": 3,
        "closes_at": (d.clock.now() + timedelta(hours=1)).isoformat(),
    }


def test_webhooks_verify_with_the_previous_secret_during_a_rotation(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    created = d.create_listing("seller")
    lid = created["listing"]["listing_id"]
    old = d.secret
    new = "rotated-secret-" + "x" * 32
    sm = boto3.client("secretsmanager")
    arn = d.stack.refs["WebhookSigningSecret"]
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"current": new, "previous": old}))
    parameters.clear_caches()  # type: ignore[no-untyped-call]
    # The provider still signs with the old secret: accepted during the rotation.
    assert d.pay(created["deposit"]["checkout"]["checkout_id"]).status == 200
    assert d.listing(lid)["status"] == "open"
    assert d.secret == new
    d.user("ann", "buyer")
    entry = d.ok(d.as_("ann", "POST", f"/listings/{lid}/entries", {"tickets": 1}), 201)
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"current": new, "previous": ""}))
    parameters.clear_caches()  # type: ignore[no-untyped-call]
    stale = d.stack.http(
        "POST",
        "/webhooks/payments",
        **_signed_with(d, old, entry["checkout"]["checkout_id"]),
    )
    assert stale.status == 401
    assert d.pay(entry["checkout"]["checkout_id"]).status == 200  # signed with the new one
    d.conserved(lid)


def test_the_carrier_has_its_own_secret_rotated_the_same_way(d: Driver) -> None:
    """The provider's secret verifies no carrier event, the carrier's no payment; the carrier's
    rotates like the provider's: current and previous both verify until previous is emptied."""
    template = Template.load()
    secrets = {
        name: res["Properties"]
        for name, res in template.of_type("AWS::SecretsManager::Secret").items()
    }
    generated = secrets["WebhookSigningSecret"]["GenerateSecretString"]
    assert secrets["CarrierSigningSecret"]["GenerateSecretString"] == generated
    assert d.carrier_secret != d.secret
    lid = d.sold_out("sam")
    d.ok(
        d.as_(
            "sam", "POST", f"/listings/{lid}/shipment", {"carrier": "CJ", "tracking_number": "T1"}
        )
    )
    now = int(d.clock.now().timestamp())

    def carrier_event(secret: str, event_id: str) -> int:
        raw, headers = carrier_webhook(
            secret,
            listing_id=lid,
            tracking_number="T1",
            now_epoch=now,
            event_type="shipment.in_transit",
            event_id=event_id,
        )
        return d.stack.http("POST", "/webhooks/delivery", raw=raw, headers=headers).status

    assert carrier_event(d.secret, "e1") == 401  # the payment provider's secret
    assert d.telemetry.total(Metric.WEBHOOK_REJECTS, Source="delivery") == 1
    # and the carrier's secret signs no payment event
    created = d.create_listing("sam")
    stale = d.stack.http(
        "POST",
        "/webhooks/payments",
        **_signed_with(d, d.carrier_secret, created["deposit"]["checkout"]["checkout_id"]),
    )
    assert stale.status == 401
    old = d.carrier_secret
    assert carrier_event(old, "e2") == 200
    new = "rotated-carrier-secret-" + "y" * 32
    sm = boto3.client("secretsmanager")
    arn = d.stack.refs["CarrierSigningSecret"]
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"current": new, "previous": old}))
    parameters.clear_caches()  # type: ignore[no-untyped-call]
    assert carrier_event(old, "e3") == 200  # the carrier still signs with the old one
    assert carrier_event(new, "e4") == 200
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"current": new, "previous": ""}))
    parameters.clear_caches()  # type: ignore[no-untyped-call]
    assert carrier_event(old, "e5") == 401
    assert carrier_event(new, "e6") == 200
    assert len(d.record(lid).tracking_events) == 4


def _signed_with(d: Driver, secret: str, checkout_id: str) -> dict[str, Any]:
    checkout = d.psp.checkout(checkout_id)
    assert checkout is not None
    raw, headers = payment_webhook(
        secret,
        reference=checkout["reference"],
        amount=checkout["amount"],
        currency=checkout["currency"],
        now_epoch=int(d.clock.now().timestamp()),
    )
    return {"raw": raw, "headers": headers}


def test_public_data_names_people_by_keyed_pseudonyms(d: Driver) -> None:
    lid = d.sold_out()
    public = d.listing(lid)
    assert "seller_id" not in public
    assert public["seller"].startswith("s-")
    for shown in d.ok(d.stack.http("GET", "/listings"))["listings"]:
        assert "seller_id" not in shown
        assert "seller" not in json.dumps(shown).replace(f'"seller": "{shown["seller"]}"', "")
    drawn = d.ok(d.stack.http("GET", f"/listings/{lid}/draw"))
    text = json.dumps(drawn)
    for user in ("ann", "bob", "seller"):
        assert f'"{user}"' not in text
        unkeyed = "b-" + hashlib.sha256(f"{lid}|{user}".encode()).hexdigest()[:16]
        assert unkeyed not in text, "anyone could test whether a known user entered"
    # Each buyer finds themselves in the public draw through their own entries.
    mine = {
        b: d.ok(d.as_(b, "GET", "/me/entries"))["entries"][0]["pseudonym"] for b in ("ann", "bob")
    }
    assert sorted(mine.values()) == sorted({t["buyer"] for t in drawn["tickets"]})
    winner = d.record(lid).final_buyer
    assert drawn["order"][-1] == mine[winner]
    complete_sale(d, lid)
    d.conserved(lid)


def test_the_wrong_group_cannot_act_on_its_own_objects(d: Driver) -> None:
    """Ownership alone is not enough: a token without the role is refused, nothing written."""
    lid = d.sold_out("sam")
    winner = d.record(lid).final_buyer
    assert winner is not None
    as_buyer = claims("sam", "buyer")
    before = d.store.client.scan(TableName=d.store.table, Select="COUNT")["Count"]
    for method, path, body in [
        ("POST", f"/listings/{lid}/shipment", {"carrier": "c", "tracking_number": "t"}),
        ("GET", f"/listings/{lid}/final-buyer", None),
        ("GET", f"/listings/{lid}/statement", None),
    ]:
        r = d.stack.http(method, path, body=body, claims=as_buyer)
        assert r.status == 403, (path, r)
    as_seller = claims(winner, "seller")
    for method, path, body in [
        ("POST", f"/listings/{lid}/confirm", None),
        ("POST", f"/listings/{lid}/dispute", {"reason": "x"}),
        ("GET", "/me/entries", None),
    ]:
        r = d.stack.http(method, path, body=body, claims=as_seller)
        assert r.status == 403, (path, r)
    assert d.store.client.scan(TableName=d.store.table, Select="COUNT")["Count"] == before
    complete_sale(d, lid)
