"""EventBridge stood in for: the Scheduler's events fired at the scheduled functions, and what
matched a rule handed to its function (moto's EventBridge does not invoke Lambda targets)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import boto3

from tombola_dev.moto_resources import ACCOUNT, REGION

Invoke = Callable[[str, dict[str, Any]], Any]


def route_rule(function: str, bus: str, pattern: dict[str, Any]) -> str:
    """The rule targets a queue, and ``deliver_events`` hands what matched to the function:
    returns the queue's URL."""
    sqs = boto3.client("sqs")
    url = str(sqs.create_queue(QueueName=f"rule-{function}")["QueueUrl"])
    qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = boto3.client("events")
    events.put_rule(Name=f"to-{function}", EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(
        Rule=f"to-{function}", EventBusName=bus, Targets=[{"Id": "queue", "Arn": qarn}]
    )
    return url


def deliver_events(event_queues: dict[str, str], invoke: Invoke) -> int:
    """Hand events that matched a rule to its function; return how many were delivered."""
    sqs = boto3.client("sqs")
    delivered = 0
    for fn, url in event_queues.items():
        while True:
            msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not msgs:
                break
            for m in msgs:
                invoke(fn, json.loads(m["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                delivered += 1
    return delivered


def run_schedules(
    schedules: Iterable[tuple[str, int]], invoke: Invoke, only: set[str] | None = None
) -> list[Any]:
    """Fire every scheduled function (or those named) once, as EventBridge Scheduler would."""
    out = []
    for fn, _ in schedules:
        if only is not None and fn not in only:
            continue
        out.append(invoke(fn, scheduled_event()))
    return out


def scheduled_event() -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": datetime.now(UTC).isoformat(),
        "region": REGION,
        "resources": [],
        "detail": {},
    }
