"""The smaller holes: events the bus refuses stay in the outbox; traces keep no responses; the
API is throttled and logged; no function but the draw reads unrevealed seeds; SMS only.

The seed checks evaluate each function's IAM policies as template.yaml gives them
(tests/support/iam_eval.py); TOMBOLA_TEMPLATE=<path> checks another template instead."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from tombola_dev.driver import Driver
from tombola_dev.template import Template

from tests.support import iam_eval
from tests.support.iam_eval import Request, allowed, dynamodb
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
    assert r.status == 200  # the change is committed; the refused event waits in the outbox
    assert d.listing(lid)["status"] == "open"
    assert d.store.pending_effects() == []  # not due before its first retry's pause
    d.clock.advance(timedelta(minutes=2))
    assert d.store.pending_effects()
    d.stack.run_schedules({"CloseFunction"})
    assert d.store.pending_effects(0) == []
    assert d.ok(d.pay(created["deposit"]["checkout"]["checkout_id"]))["result"] == "duplicate"


def _template() -> Template:
    path = os.environ.get("TOMBOLA_TEMPLATE")
    return Template.load(Path(path) if path else None)


def test_the_template_keeps_least_privilege() -> None:
    template = _template()
    res = template.resources
    globals_env = template.doc["Globals"]["Function"]["Environment"]["Variables"]
    assert globals_env["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
    api = res["HttpApi"]["Properties"]
    assert api["DefaultRouteSettings"]["ThrottlingRateLimit"]
    assert api["AccessLogSettings"]["DestinationArn"]
    notifier = json.dumps(res["NotifierFunction"]["Properties"]["Policies"])
    assert '"Effect": "Deny"' in notifier
    assert "sns:*:*:*" in notifier


# ------------------------------------------------------------------ draw seeds

TABLE = "Table"
SEED = "SEED#L1"
SEED_READS = {
    "GetItem": dynamodb("GetItem", TABLE, [SEED]),
    "TransactGetItems (GetItem)": dynamodb("GetItem", TABLE, [SEED], enclosing="TransactGetItems"),
    "BatchGetItem with another key": dynamodb("BatchGetItem", TABLE, ["USER#u1", SEED]),
    "Query": dynamodb("Query", TABLE, [SEED]),
    "Scan": dynamodb("Scan", TABLE),
    "Scan of an index": dynamodb("Scan", TABLE, index="ByStatus"),
    "ConditionCheckItem": dynamodb("ConditionCheckItem", TABLE, [SEED]),
    "ConditionCheckItem ALL_OLD": dynamodb("ConditionCheckItem", TABLE, [SEED], "ALL_OLD"),
    # A write whose condition tests the seed, or that returns the item, reads it.
    "UpdateItem": dynamodb("UpdateItem", TABLE, [SEED]),
    "DeleteItem": dynamodb("DeleteItem", TABLE, [SEED]),
    "PutItem ALL_OLD": dynamodb("PutItem", TABLE, [SEED], "ALL_OLD"),
    "UpdateItem ALL_OLD": dynamodb("UpdateItem", TABLE, [SEED], "ALL_OLD"),
    "UpdateItem UPDATED_OLD": dynamodb("UpdateItem", TABLE, [SEED], "UPDATED_OLD"),
    "UpdateItem ALL_NEW": dynamodb("UpdateItem", TABLE, [SEED], "ALL_NEW"),
    "DeleteItem ALL_OLD": dynamodb("DeleteItem", TABLE, [SEED], "ALL_OLD"),
    "TransactWriteItems Put ALL_OLD": dynamodb(
        "PutItem", TABLE, [SEED], "ALL_OLD", enclosing="TransactWriteItems"
    ),
    "TransactWriteItems Update": dynamodb(
        "UpdateItem", TABLE, [SEED], enclosing="TransactWriteItems"
    ),
    "BatchWriteItem": dynamodb("BatchWriteItem", TABLE, [SEED]),
    "PartiQLSelect": dynamodb("PartiQLSelect", TABLE, [SEED]),
    "PartiQLUpdate ALL_OLD": dynamodb("PartiQLUpdate", TABLE, [SEED], "ALL_OLD"),
}
# How the listings function writes a new listing's seed: a put in the creating transaction.
SEED_PUTS = {
    "PutItem": dynamodb("PutItem", TABLE, [SEED]),
    "PutItem NONE": dynamodb("PutItem", TABLE, [SEED], "NONE"),
    "TransactWriteItems Put": dynamodb("PutItem", TABLE, [SEED], enclosing="TransactWriteItems"),
}
ITEM_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:PartiQLSelect",
    "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
]


def _table_functions(template: Template) -> dict[str, list[dict[str, Any]]]:
    """Every function with some permission on the table's items, and its statements."""
    out = {}
    table = iam_eval.table_arn(TABLE)
    for name in template.functions():
        statements = iam_eval.function_statements(template, name)
        if iam_eval.grants_any(statements, ITEM_ACTIONS, table) or iam_eval.grants_any(
            statements, ITEM_ACTIONS, table + "/index/ByStatus"
        ):
            out[name] = statements
    return out


def _leaks(statements: list[dict[str, Any]], requests: dict[str, Request]) -> list[str]:
    return [what for what, request in requests.items() if allowed(statements, request)]


def test_every_function_with_table_access_is_checked() -> None:
    template = _template()
    functions = _table_functions(template)
    # Not vacuous: the table's users are found whatever policy shape gives them access (a SAM
    # policy template, a scoped inline statement), and a function without any is left out.
    assert {"DrawFunction", "ListingsFunction", "NotifierFunction", "ProfileFunction"} <= set(
        functions
    )
    assert "OpenApiFunction" in template.functions()
    assert "OpenApiFunction" not in functions


def test_no_function_but_the_draw_can_read_a_seed() -> None:
    leaks = {
        name: leaked
        for name, statements in _table_functions(_template()).items()
        if name != "DrawFunction" and (leaked := _leaks(statements, SEED_READS))
    }
    assert leaks == {}


def test_only_the_listings_function_writes_seeds_and_it_gets_nothing_back() -> None:
    functions = _table_functions(_template())
    assert _leaks(functions["ListingsFunction"], SEED_PUTS) == list(SEED_PUTS)
    writers = {
        name
        for name, statements in functions.items()
        if name != "DrawFunction" and _leaks(statements, SEED_PUTS)
    }
    assert writers == {"ListingsFunction"}


def test_the_draw_reads_seeds_and_the_denies_stop_at_seeds() -> None:
    functions = _table_functions(_template())
    assert allowed(functions["DrawFunction"], SEED_READS["GetItem"])
    listing = "LISTING#L1"
    for name, statements in functions.items():
        if name == "NotifierFunction":
            continue
        for request in (
            dynamodb("GetItem", TABLE, [listing]),
            dynamodb("Query", TABLE, ["OPEN#0"], index="ByStatus"),
            dynamodb("BatchGetItem", TABLE, [listing, "USER#u1"]),
            dynamodb("UpdateItem", TABLE, [listing], "ALL_NEW"),
            dynamodb("PutItem", TABLE, [listing], enclosing="TransactWriteItems"),
            dynamodb("DeleteItem", TABLE, ["OUTBOX#0"], "ALL_OLD"),
        ):
            assert allowed(statements, request), (name, request)


def test_the_notifier_reads_profiles_and_writes_only_notes() -> None:
    """It reads profiles, a listing's head and draw order (to tell its entrants), and writes
    nothing but notes."""
    notifier = _table_functions(_template())["NotifierFunction"]
    for request in (
        dynamodb("GetItem", TABLE, ["USER#u1"]),
        dynamodb("GetItem", TABLE, ["NOTES#u1"]),
        dynamodb("GetItem", TABLE, ["LISTING#L1"]),
        dynamodb("BatchGetItem", TABLE, ["DRAW#L1"]),
        dynamodb("PutItem", TABLE, ["NOTES#u1"]),
        dynamodb("UpdateItem", TABLE, ["NOTES#u1"]),
    ):
        assert allowed(notifier, request), request
    for request in (
        dynamodb("BatchGetItem", TABLE, ["SEED#L1"]),
        dynamodb("BatchGetItem", TABLE, ["USER#u1"]),
        dynamodb("Query", TABLE, ["USER#u1"]),
        dynamodb("Scan", TABLE),
        dynamodb("PutItem", TABLE, ["USER#u1"]),  # a profile is the person's own to write
        dynamodb("UpdateItem", TABLE, ["USER#u1"]),
        dynamodb("PutItem", TABLE, ["LISTING#L1"]),
    ):
        assert not allowed(notifier, request), request


# ------------------------------------------------------------------ the evaluator itself

ARN = iam_eval.table_arn(TABLE)


def _allow(actions: list[str], **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": ARN}
    if condition:
        statement["Condition"] = condition
    return statement


def test_the_evaluator_denies_by_default_and_lets_a_deny_win() -> None:
    get = dynamodb("GetItem", TABLE, ["USER#u1"])
    assert not allowed([], get)
    assert allowed([_allow(["dynamodb:*"])], get)
    assert not allowed([_allow(["dynamodb:Query"])], get)
    assert not allowed([_allow(["dynamodb:GetItem"])], dynamodb("GetItem", "Other", ["USER#u1"]))
    deny = {"Effect": "Deny", "Action": "dynamodb:Get*", "Resource": "*"}
    assert not allowed([_allow(["dynamodb:*"]), deny], get)
    not_action = {"Effect": "Allow", "NotAction": ["dynamodb:Scan"], "Resource": ARN}
    assert allowed([not_action], get)
    assert not allowed([not_action], dynamodb("Scan", TABLE))


def test_the_evaluator_reads_leading_keys_as_a_set() -> None:
    seed_deny = {
        "Effect": "Deny",
        "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Scan"],
        "Resource": ARN,
        "Condition": {"ForAnyValue:StringLike": {"dynamodb:LeadingKeys": ["SEED#*"]}},
    }
    policy = [_allow(["dynamodb:*"]), seed_deny]
    assert not allowed(policy, dynamodb("GetItem", TABLE, ["SEED#L1"]))
    assert not allowed(policy, dynamodb("BatchGetItem", TABLE, ["USER#u1", "SEED#L1"]))
    assert allowed(policy, dynamodb("GetItem", TABLE, ["USER#u1"]))
    # No leading key (a scan): ForAnyValue does not match, so this deny alone lets it through.
    assert allowed(policy, dynamodb("Scan", TABLE))
    users_only = [
        _allow(
            ["dynamodb:GetItem"],
            **{"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["USER#*"]}},
        )
    ]
    assert allowed(users_only, dynamodb("GetItem", TABLE, ["USER#u1"]))
    assert not allowed(users_only, dynamodb("GetItem", TABLE, ["USER#u1", "SEED#L1"]))
    with pytest.raises(ValueError, match="multivalued"):
        allowed(
            [_allow(["dynamodb:GetItem"], StringLike={"dynamodb:LeadingKeys": "USER#*"})],
            dynamodb("GetItem", TABLE, ["USER#u1"]),
        )


def test_the_evaluator_treats_a_missing_return_values_as_iam_does() -> None:
    def deny(**condition: Any) -> list[dict[str, Any]]:
        statement = {"Effect": "Deny", "Action": "dynamodb:PutItem", "Resource": ARN}
        return [_allow(["dynamodb:PutItem"]), {**statement, "Condition": condition}]

    bare, none, old = (
        dynamodb("PutItem", TABLE, ["SEED#L1"], rv) for rv in (None, "NONE", "ALL_OLD")
    )
    # StringNotEquals alone also matches when the key is missing: it would deny the bare put.
    naive = deny(StringNotEquals={"dynamodb:ReturnValues": "NONE"})
    assert [allowed(naive, r) for r in (bare, none, old)] == [False, True, False]
    if_exists = deny(StringNotEqualsIfExists={"dynamodb:ReturnValues": "NONE"})
    assert [allowed(if_exists, r) for r in (bare, none, old)] == [False, True, False]
    present = deny(
        StringNotEquals={"dynamodb:ReturnValues": "NONE"}, Null={"dynamodb:ReturnValues": "false"}
    )
    assert [allowed(present, r) for r in (bare, none, old)] == [True, True, False]
    with pytest.raises(ValueError, match="not supported"):
        allowed(deny(NumericEquals={"dynamodb:ReturnValues": "1"}), old)


def test_the_evaluator_refuses_policies_it_does_not_know() -> None:
    template = _template()
    fn = dict(template.resources["ProfileFunction"])
    fn["Properties"] = {
        **fn["Properties"],
        "Policies": [{"DynamoDBWritePolicy": {"TableName": {"Ref": "Table"}}}],
    }
    odd = Template({**template.doc, "Resources": {**template.resources, "ProfileFunction": fn}})
    with pytest.raises(ValueError, match="DynamoDBWritePolicy"):
        iam_eval.function_statements(odd, "ProfileFunction")


def test_the_old_template_leaked_seeds() -> None:
    """The checks above fail on the template before the fix (policies as they were)."""
    read_only = [_allow(iam_eval.SAM_TABLE_TEMPLATES["DynamoDBReadPolicy"])]
    assert "GetItem" in _leaks(read_only, SEED_READS)  # the notifier's table-wide read
    old_deny = [
        _allow(iam_eval.SAM_TABLE_TEMPLATES["DynamoDBCrudPolicy"]),
        {
            "Effect": "Deny",
            "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"],
            "Resource": ARN,
            "Condition": {"ForAnyValue:StringLike": {"dynamodb:LeadingKeys": ["SEED#*"]}},
        },
        {"Effect": "Deny", "Action": ["dynamodb:Scan"], "Resource": [ARN, ARN + "/index/*"]},
    ]
    assert {"PutItem ALL_OLD", "UpdateItem ALL_OLD", "ConditionCheckItem ALL_OLD"} <= set(
        _leaks(old_deny, SEED_READS)
    )


# ------------------------------------------------------------------ the workflow
# What each function's code does to the listing's executions, and why; the outbox sweep (the
# close function) re-runs any function's effects, so it may do all but start them by name.
WORKFLOW_ACTIONS = {
    "ListingsFunction": {"states:StartExecution"},  # a listing without a deposit opens at once
    "EntryFunction": {"states:StartExecution", "states:SendTaskSuccess"},  # mileage fills it
    "PaymentsWebhookFunction": {
        "states:StartExecution",  # the deposit publishes the listing
        "states:SendTaskSuccess",  # the last ticket, a P2 paid
        "states:SendTaskFailure",  # a P2 arriving for a passed candidate
    },
    "PurchaseFunction": {"states:SendTaskSuccess", "states:SendTaskFailure"},  # P2, forfeit…
    "DeliveryWebhookFunction": {"states:SendTaskSuccess"},
    "CallbacksFunction": {"states:SendTaskSuccess", "states:SendTaskFailure"},  # already done
    "CloseFunction": {
        "states:StartExecution",
        "states:SendTaskSuccess",
        "states:SendTaskFailure",
        "states:DescribeExecution",
    },
    "RecoveryFunction": {"states:StartExecution", "states:DescribeExecution"},
}


def _workflow_grants(template: Template, name: str) -> set[str]:
    granted: set[str] = set()
    for policy in template.resources[name]["Properties"].get("Policies", []):
        if isinstance(policy, dict) and "StepFunctionsExecutionPolicy" in policy:
            granted.add("states:StartExecution")
        for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
            if statement.get("Effect") == "Allow":
                actions = statement["Action"]
                actions = actions if isinstance(actions, list) else [actions]
                granted |= {a for a in actions if a.startswith("states:")}
    return granted


def test_each_function_may_do_to_executions_what_its_code_does_and_no_more() -> None:
    template = _template()
    granted = {name: _workflow_grants(template, name) for name in template.functions()}
    assert {name: g for name, g in granted.items() if g} == WORKFLOW_ACTIONS
