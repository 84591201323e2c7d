"""The smaller holes: events the bus refuses stay in the outbox; traces keep no responses; the
API is throttled and logged; no function but the draw reads unrevealed seeds; SMS only."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from tombola_dev.template import Template

from tests.support.app_driver import Driver
from tombola.adapters.aws import EventBridgePublisher, EventNotPublished


class RefusingBus:
    def put_events(self, **_: Any) -> dict[str, Any]:
        return {
            "FailedEntryCount": 1,
            "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}],
        }


def test_an_event_the_bus_refuses_raises_so_the_outbox_keeps_it() -> None:
    with pytest.raises(EventNotPublished, match="InternalFailure"):
        EventBridgePublisher("bus", RefusingBus()).publish("ListingOpened", {"listing_id": "L1"})


def test_a_refused_event_is_published_later_by_the_outbox_sweep(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    created = d.create_listing("seller")
    lid = created["listing"]["listing_id"]
    real = EventBridgePublisher.publish

    def refused(self: EventBridgePublisher, detail_type: str, detail: dict[str, object]) -> None:
        client, self.client = self.client, RefusingBus()
        try:
            real(self, detail_type, detail)
        finally:
            self.client = client

    with mock.patch.object(EventBridgePublisher, "publish", refused):
        r = d.pay(created["deposit"]["checkout"]["checkout_id"])
    assert r.status == 500  # the provider re-delivers; the change itself is committed
    assert d.listing(lid)["status"] == "open"
    d.clock.advance(timedelta(minutes=2))
    assert d.store.pending_effects(60)
    d.stack.run_schedules({"CloseFunction"})
    assert d.store.pending_effects(0) == []
    assert d.ok(d.pay(created["deposit"]["checkout"]["checkout_id"]))["result"] == "duplicate"


def test_the_template_keeps_least_privilege() -> None:
    template = Template.load()
    res = template.resources
    globals_env = template.doc["Globals"]["Function"]["Environment"]["Variables"]
    assert globals_env["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
    api = res["HttpApi"]["Properties"]
    assert api["DefaultRouteSettings"]["ThrottlingRateLimit"]
    assert api["AccessLogSettings"]["DestinationArn"]
    for name in template.functions():
        policies = json.dumps(res[name]["Properties"].get("Policies", []))
        if "DynamoDBCrudPolicy" in policies and '"Table"' in policies:
            assert ("NoSeedReadsPolicy" in policies) == (name != "DrawFunction"), name
    deny = res["NoSeedReadsPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"]["ForAnyValue:StringLike"]["dynamodb:LeadingKeys"] == ["SEED#*"]
    notifier = json.dumps(res["NotifierFunction"]["Properties"]["Policies"])
    assert '"Effect": "Deny"' in notifier
    assert "sns:*:*:*" in notifier
