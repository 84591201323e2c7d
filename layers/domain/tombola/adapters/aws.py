"""Step Functions as the Workflow port and EventBridge as the EventPublisher port."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

# A task that already finished, timed out or was never ours: resuming it again changes nothing.
_GONE = {"TaskDoesNotExist", "TaskTimedOut", "InvalidToken"}


class StepFunctionsWorkflow:
    def __init__(self, state_machine_arn: str, client: Any) -> None:
        self.arn = state_machine_arn
        self.client = client

    def start(self, name: str, payload: dict[str, object]) -> None:
        try:
            self.client.start_execution(
                stateMachineArn=self.arn, name=name, input=json.dumps(payload)
            )
        except ClientError as err:
            if err.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise

    def status(self, name: str) -> str | None:
        arn = self.arn.replace(":stateMachine:", ":execution:", 1) + f":{name}"
        try:
            return str(self.client.describe_execution(executionArn=arn)["status"])
        except ClientError as err:
            if err.response["Error"]["Code"] == "ExecutionDoesNotExist":
                return None
            raise

    def resume(self, token: str, output: dict[str, object]) -> None:
        try:
            self.client.send_task_success(taskToken=token, output=json.dumps(output))
        except ClientError as err:
            if err.response["Error"]["Code"] not in _GONE:
                raise

    def fail(self, token: str, error: str, cause: str) -> None:
        try:
            self.client.send_task_failure(taskToken=token, error=error, cause=cause)
        except ClientError as err:
            if err.response["Error"]["Code"] not in _GONE:
                raise


class EventBridgePublisher:
    SOURCE = "tombola"

    def __init__(self, bus_name: str, client: Any) -> None:
        self.bus = bus_name
        self.client = client

    def publish(self, detail_type: str, detail: dict[str, object]) -> None:
        """Raise unless the bus took the event, so the outbox keeps it for the sweep."""
        got = self.client.put_events(
            Entries=[
                {
                    "Source": self.SOURCE,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail, default=str),
                    "EventBusName": self.bus,
                }
            ]
        )
        if got.get("FailedEntryCount"):
            entry = (got.get("Entries") or [{}])[0]
            raise EventNotPublished(
                f"{detail_type}: {entry.get('ErrorCode', '?')} {entry.get('ErrorMessage', '')}"
            )


class EventNotPublished(RuntimeError):
    pass
