"""Wires the ports to their adapters from the environment. Tests and the local stack override
single ports (the clock, randomness) with ``override``; everything else stays as deployed."""

from __future__ import annotations

import uuid
from typing import Any

import boto3

from tombola.adapters.aws import EventBridgePublisher, StepFunctionsWorkflow
from tombola.adapters.dynamo import DynamoStore
from tombola.adapters.sandbox_psp import SandboxPaymentProvider
from tombola.config import Settings
from tombola.ports import SystemClock, SystemRandomness
from tombola.services.ports import Deps


class UuidIds:
    def new(self, prefix: str) -> str:
        return f"{prefix}{uuid.uuid4().hex[:20]}"


_deps: Deps | None = None
_overrides: dict[str, Any] = {}


def build(settings: Settings | None = None) -> Deps:
    s = settings or Settings.from_env()
    clock = _overrides.get("clock") or SystemClock()
    dynamodb = boto3.client("dynamodb")
    return Deps(
        store=DynamoStore(s.table_name, clock, dynamodb),
        clock=clock,
        randomness=_overrides.get("randomness") or SystemRandomness(),
        payments=_overrides.get("payments") or SandboxPaymentProvider(s.table_name, dynamodb),
        workflow=StepFunctionsWorkflow(s.state_machine_arn, boto3.client("stepfunctions")),
        events=EventBridgePublisher(s.event_bus_name, boto3.client("events")),
        ids=_overrides.get("ids") or UuidIds(),
        settings=s,
    )


def deps() -> Deps:
    """The process's ports, built on first use (a Lambda container keeps them warm)."""
    global _deps  # noqa: PLW0603
    if _deps is None:
        _deps = build()
    return _deps


def override(**ports: Any) -> None:
    """Replace ports (clock=, randomness=, payments=, ids=) for tests and the local stack."""
    global _deps  # noqa: PLW0603
    _overrides.update(ports)
    _deps = None


def reset() -> None:
    global _deps  # noqa: PLW0603
    _overrides.clear()
    _deps = None
