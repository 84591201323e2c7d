"""A small IAM evaluator for the identity policies template.yaml gives a function: explicit Deny
wins, then any Allow, else implicitly denied. It knows what the template uses and refuses what it
does not know (a condition operator, a SAM policy template), so that a check built on it cannot
pass by ignoring a statement.

Condition semantics follow the IAM reference: values listed for one key are ORed, keys and
operators are ANDed; a missing key fails a positive operator and passes a negated one (StringNot*),
passes ...IfExists, fails ForAnyValue and passes ForAllValues; Null tests presence. A multivalued
key (dynamodb:LeadingKeys) needs a set operator (ForAnyValue / ForAllValues)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from tombola_dev.template import Template

REGION, ACCOUNT = "us-east-1", "123456789012"

# SAM policy templates (samtranslator/policy_templates_data/policy_templates.json), the ones the
# template uses. Those that grant nothing in DynamoDB expand to nothing; any other name is refused.
_CRUD = [
    "dynamodb:GetItem",
    "dynamodb:DeleteItem",
    "dynamodb:PutItem",
    "dynamodb:Scan",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:BatchGetItem",
    "dynamodb:DescribeTable",
    "dynamodb:ConditionCheckItem",
]
_READ = [
    "dynamodb:GetItem",
    "dynamodb:Scan",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:DescribeTable",
]
SAM_TABLE_TEMPLATES = {"DynamoDBCrudPolicy": _CRUD, "DynamoDBReadPolicy": _READ}
SAM_TEMPLATES_WITHOUT_TABLE_ACCESS = {
    "AWSSecretsManagerGetSecretValuePolicy",
    "EventBridgePutEventsPolicy",
    "StepFunctionsExecutionPolicy",
    "SESCrudPolicy",
    "LambdaInvokePolicy",
}

_OPERATOR = re.compile(
    r"^(?:(?P<set>ForAnyValue|ForAllValues):)?"
    r"(?P<op>StringEquals|StringNotEquals|StringLike|StringNotLike|Bool|Null)"
    r"(?P<if_exists>IfExists)?$"
)


@dataclass(frozen=True)
class Request:
    action: str  # dynamodb:GetItem
    resource: str  # an ARN
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


def table_arn(name: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def dynamodb(
    action: str,
    table: str,
    keys: Sequence[str] | None = None,
    return_values: str | None = None,
    enclosing: str | None = None,
    index: str | None = None,
) -> Request:
    """A DynamoDB request as IAM sees it: ``keys`` are the partition keys it touches
    (dynamodb:LeadingKeys; none for a scan), ``return_values`` its ReturnValues if given."""
    context: dict[str, str | Sequence[str]] = {}
    if keys is not None:
        context["dynamodb:LeadingKeys"] = list(keys)
    if return_values is not None:
        context["dynamodb:ReturnValues"] = return_values
    if enclosing is not None:
        context["dynamodb:EnclosingOperation"] = enclosing
    resource = table_arn(table) + (f"/index/{index}" if index else "")
    return Request(f"dynamodb:{action}", resource, context)


def allowed(statements: Sequence[Mapping[str, Any]], request: Request) -> bool:
    matching = [s for s in statements if _applies(s, request)]
    if any(s["Effect"] == "Deny" for s in matching):
        return False
    return any(s["Effect"] == "Allow" for s in matching)


def grants_any(
    statements: Sequence[Mapping[str, Any]], actions: Sequence[str], resource: str
) -> bool:
    """Whether some Allow statement names one of ``actions`` on ``resource`` (conditions aside)."""
    return any(
        s["Effect"] == "Allow"
        and any(_action_matches(s, a) for a in actions)
        and _resource_matches(s, resource)
        for s in statements
    )


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _action_matches(statement: Mapping[str, Any], action: str) -> bool:
    def hit(patterns: Any) -> bool:
        return any(fnmatchcase(action.lower(), p.lower()) for p in _listed(patterns))

    if "NotAction" in statement:
        return not hit(statement["NotAction"])
    return hit(statement["Action"])


def _resource_matches(statement: Mapping[str, Any], resource: str) -> bool:
    def hit(patterns: Any) -> bool:
        return any(fnmatchcase(resource, p) for p in _listed(patterns))

    if "NotResource" in statement:
        return not hit(statement["NotResource"])
    return hit(statement["Resource"])


def _applies(statement: Mapping[str, Any], request: Request) -> bool:
    if statement["Effect"] not in ("Allow", "Deny"):
        raise ValueError(f"unknown effect {statement['Effect']!r}")
    return (
        _action_matches(statement, request.action)
        and _resource_matches(statement, request.resource)
        and all(
            _condition(operator, key, values, request.context)
            for operator, keys in statement.get("Condition", {}).items()
            for key, values in keys.items()
        )
    )


def _condition(
    operator: str, key: str, policy_values: Any, context: Mapping[str, str | Sequence[str]]
) -> bool:
    m = _OPERATOR.match(operator)
    if not m:
        raise ValueError(f"condition operator {operator!r} is not supported")
    op, qualifier = m["op"], m["set"]
    wanted = [str(v).lower() if isinstance(v, bool) else str(v) for v in _listed(policy_values)]
    present = key in context
    if op == "Null":
        return (not present) == (wanted == ["true"])
    if not present:
        if m["if_exists"] or qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return op.startswith("StringNot")
    value = context[key]
    negated = op.startswith("StringNot")
    base = op.replace("Not", "")

    def one(v: str) -> bool:
        if base == "StringLike":
            hit = any(fnmatchcase(v, w) for w in wanted)
        elif base == "Bool":
            hit = v.lower() in [w.lower() for w in wanted]
        else:
            hit = v in wanted
        return not hit if negated else hit

    if qualifier is None:
        if not isinstance(value, str):
            raise ValueError(f"{key} is multivalued: {operator} needs ForAnyValue/ForAllValues")
        return one(value)
    values = [value] if isinstance(value, str) else list(value)
    if qualifier == "ForAnyValue":
        return any(one(v) for v in values)
    return all(one(v) for v in values)


# ------------------------------------------------------------------ template.yaml


def function_statements(template: Template, name: str) -> list[dict[str, Any]]:
    """Every statement of a function's Policies, intrinsics resolved (a resource's physical
    name is its logical id), SAM policy templates expanded, managed policies inlined."""
    resources = template.resources
    statements: list[dict[str, Any]] = []
    for policy in resources[name]["Properties"].get("Policies", []):
        if isinstance(policy, dict) and set(policy) == {"Ref"}:
            target = resources[policy["Ref"]]
            if target["Type"] != "AWS::IAM::ManagedPolicy":
                raise ValueError(f"{name}: {policy['Ref']} is not a managed policy")
            doc = target["Properties"]["PolicyDocument"]
            statements.extend(_resolve(s, template) for s in _listed(doc["Statement"]))
        elif isinstance(policy, dict) and "Statement" in policy:
            statements.extend(_resolve(s, template) for s in _listed(policy["Statement"]))
        elif isinstance(policy, dict) and len(policy) == 1:
            ((sam, params),) = policy.items()
            if sam in SAM_TEMPLATES_WITHOUT_TABLE_ACCESS:
                continue
            if sam not in SAM_TABLE_TEMPLATES:
                raise ValueError(f"{name}: SAM policy template {sam} is not known here")
            table = _resolve(params["TableName"], template)
            statements.append(
                {
                    "Effect": "Allow",
                    "Action": SAM_TABLE_TEMPLATES[sam],
                    "Resource": [table_arn(table), table_arn(table) + "/index/*"],
                }
            )
        else:
            raise ValueError(f"{name}: policy {policy!r} is not understood")
    return statements


def _resolve(value: Any, template: Template) -> Any:
    if isinstance(value, list):
        return [_resolve(v, template) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return _ref(value["Ref"], template)
    if set(value) == {"Fn::GetAtt"}:
        logical, attribute = value["Fn::GetAtt"]
        return _attribute(logical, attribute, template)
    if set(value) == {"Fn::Sub"}:
        text, variables = (
            (value["Fn::Sub"], {})
            if isinstance(value["Fn::Sub"], str)
            else (value["Fn::Sub"][0], _resolve(value["Fn::Sub"][1], template))
        )

        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name:
                logical, attribute = name.split(".", 1)
                return _attribute(logical, attribute, template)
            return str(_ref(name, template))

        return re.sub(r"\$\{([\w:.]+)\}", sub, text)
    return {k: _resolve(v, template) for k, v in value.items()}


def _ref(name: str, template: Template) -> str:
    pseudo = {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}
    if name in pseudo:
        return pseudo[name]
    if name in template.parameters:
        return template.parameters[name]
    return name  # a resource: its logical id stands in for its name or ARN


def _attribute(logical: str, attribute: str, template: Template) -> str:
    if attribute == "Arn" and template.resources[logical]["Type"] == "AWS::DynamoDB::Table":
        return table_arn(logical)
    return f"{logical}.{attribute}"
