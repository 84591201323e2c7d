"""The runtime's ports: the workflow engine, events, secrets, once-only requests, telemetry, ids."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol, TypeVar

from pydantic import BaseModel

from tombola.telemetry import Decision, Point


class Workflow(Protocol):
    def start(self, name: str, payload: dict[str, object]) -> None:
        """Start the execution ``name``; starting one that exists changes nothing."""
        ...

    def status(self, name: str) -> str | None:
        """RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED; None if there is none."""
        ...

    def resume(self, token: str, output: dict[str, object]) -> None: ...

    def fail(self, token: str, error: str, cause: str) -> None: ...


class EventPublisher(Protocol):
    def publish(self, detail_type: str, detail: dict[str, object]) -> None: ...


class Secrets(Protocol):
    def json(self, arn: str) -> dict[str, str]:
        """The secret's JSON object (cached briefly)."""
        ...


ViewT = TypeVar("ViewT", bound=BaseModel)


class RequestOnce(Protocol):
    def once(
        self,
        scope: str,
        key: str | None,
        body: Mapping[str, object],
        run: Callable[[], ViewT],
        view: type[ViewT],
    ) -> ViewT:
        """``run`` once per (scope, key); the same key with another body is refused; a repeat
        answers the first ``view`` again."""
        ...


class Telemetry(Protocol):
    def decided(self, decision: Decision) -> None:
        """One structured log line, and the decision's metrics."""
        ...

    def count(self, point: Point) -> None: ...


class Ids(Protocol):
    def new(self, prefix: str) -> str: ...
