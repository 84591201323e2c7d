"""The application on moto: tables, functions, the real state machine and the event bus, created
from template.yaml; Lambda invokes are routed to the handlers in this process.

Use inside ``mock_aws(config=MOTO_CONFIG)`` (tests) or against a moto server (the local stack).
The jobs are in their own modules: the resources (moto_resources), the functions in-process
(lambda_runtime), the API in front of them (api_gateway), schedules and rules (eventbridge).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import boto3

from tombola_dev import api_gateway, eventbridge, lambda_runtime
from tombola_dev.api_gateway import HttpResponse
from tombola_dev.conformance import Conformance
from tombola_dev.moto_resources import ACCOUNT, REGION, create_resources
from tombola_dev.template import Function, Route, Template, resolve

# How many times the stated timeout a test's wait allows (TEST_PATIENCE overrides).
PATIENCE = float(os.environ.get("TEST_PATIENCE", "3"))

MOTO_CONFIG: Any = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}


def fake_credentials() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ["AWS_DEFAULT_REGION"] = REGION
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")


class Stack:
    """What `template.yaml` declares, created on moto."""

    def __init__(
        self,
        template: Template | None = None,
        parameters: dict[str, str] | None = None,
        *,
        retry_scale: float = 1.0,
        timeout_millis: int = 30_000,
        keep_invocations: bool = True,
    ):
        """``retry_scale`` shortens the state machine's retry intervals (tests: 0.01);
        ``timeout_millis`` is what each invocation is told it has left (a request that dies
        frees its Idempotency-Key after that long); ``keep_invocations`` keeps each invocation's
        event for the tests to read (the long-running local stack only counts them)."""
        self.retry_scale = retry_scale
        self.timeout_millis = timeout_millis
        # Called around every mocked AWS call (tests inject faults here): (send, request) → result
        self.on_call: Callable[[Callable[[], Any], Any], Any] | None = None
        self.template = template or Template.load()
        # the local stack has no network: its draws use the local beacon (template default: drand)
        self.template.parameters.update({"Beacon": "local"} | (parameters or {}))
        self.functions = self.template.functions()
        self.routes: list[Route] = self.template.routes()
        self.refs: dict[str, str] = dict(self.template.parameters)
        self.refs.update({"AWS::Region": REGION, "AWS::AccountId": ACCOUNT})
        self.attrs: dict[tuple[str, str], str] = {}
        self._modules: dict[str, list[ModuleType]] = {}  # idle instances per function
        self._cold_only = False
        self.event_queues: dict[str, str] = {}  # function → SQS queue URL standing in for a rule
        self.invocations: list[tuple[str, dict[str, Any]]] = []
        self.keep_invocations = keep_invocations
        self.invocation_count = 0
        self._lock = threading.Lock()
        self._aws_lock = threading.RLock()
        # When set, every API response is checked against the OpenAPI document (the suites).
        self.conformance: Conformance | None = None

    # ------------------------------------------------------------------ creation
    def create(self) -> Stack:
        fake_credentials()
        self.state_machine_arn = create_resources(self.template, self.refs, self.attrs)
        for fn_name, bus, pattern in self.template.event_rules():
            self.event_queues[fn_name] = eventbridge.route_rule(fn_name, self.refs[bus], pattern)
        self._export_environment()
        return self

    def secret(self, logical_id: str) -> dict[str, str]:
        """The current value of a secret the template declares."""
        got = boto3.client("secretsmanager").get_secret_value(SecretId=self.refs[logical_id])
        value: dict[str, str] = json.loads(got["SecretString"])
        return value

    def webhook_secret(self) -> str:
        """What the sandbox payment provider signs with."""
        return self.secret("WebhookSigningSecret")["current"]

    def carrier_secret(self) -> str:
        """What the sandbox carrier signs with (its own secret)."""
        return self.secret("CarrierSigningSecret")["current"]

    def function_environment(self, logical_id: str) -> dict[str, str]:
        """One function's variables, resolved, over the process environment (as Lambda has)."""
        fn = self.functions[logical_id]
        own = {k: str(resolve(v, self.refs, self.attrs)) for k, v in fn.environment.items()}
        shared = {k: v for k, v in os.environ.items() if k not in self._all_function_vars()}
        return shared | own

    def _all_function_vars(self) -> set[str]:
        return {k for fn in self.functions.values() for k in fn.environment}

    def environment(self) -> dict[str, str]:
        """Every function's variables, resolved (the functions share one process)."""
        env: dict[str, str] = {}
        for fn in self.functions.values():
            for k, v in fn.environment.items():
                env[k] = str(resolve(v, self.refs, self.attrs))
        return env

    def _export_environment(self) -> None:
        os.environ.update(self.environment())

    # ------------------------------------------------------------------ invoking
    def _checkout(self, fn: Function) -> ModuleType:
        """An idle instance of the function's module, or a new one (a cold start): like Lambda,
        one invocation at a time per instance. Powertools' resolver keeps per-request state on
        the module's ``app``, so two concurrent requests must never share one."""
        with self._lock:
            idle = self._modules.setdefault(fn.logical_id, [])
            if idle and not self._cold_only:
                return idle.pop()
        return lambda_runtime.load_module(fn, self.function_environment(fn.logical_id))

    def warm(self, count: int, request: Callable[[], object]) -> None:
        """``count`` warm instances of every function ``request`` reaches, each having served
        it once (provisioned concurrency, for a benchmark that measures contention, not cold
        starts)."""
        self._cold_only = True
        try:
            for _ in range(count):
                request()
        finally:
            self._cold_only = False

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        fn = self.functions[logical_id]
        module = self._checkout(fn)
        with self._lock:
            self.invocation_count += 1
            if self.keep_invocations:
                self.invocations.append((logical_id, event))
        try:
            return lambda_runtime.run_handler(
                module,
                fn,
                event,
                environment=self.function_environment(logical_id),
                arn=self.attrs.get((logical_id, "Arn"), ""),
                timeout_millis=self.timeout_millis,
            )
        finally:
            with self._lock:
                self._modules[logical_id].append(module)

    @contextmanager
    def lambda_routing(self) -> Iterator[None]:
        """Route moto's Lambda invokes (from the state machine) to the handlers in-process."""
        with lambda_runtime.lambda_routing(self):
            yield

    def http(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        raw: bytes | None = None,
        claims: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
    ) -> HttpResponse:
        """Call the API as API Gateway would (``api_gateway.request``), checked against the
        OpenAPI document when ``conformance`` is set."""
        return api_gateway.request(
            self.routes,
            self.invoke,
            method,
            path,
            body=body,
            raw=raw,
            claims=claims,
            headers=headers,
            query=query,
            conformance=self.conformance,
        )

    def run_schedules(self, only: set[str] | None = None) -> list[Any]:
        """Fire every scheduled function (or those named) once, as EventBridge Scheduler would."""
        return eventbridge.run_schedules(self.template.schedules(), self.invoke, only)

    def deliver_events(self) -> int:
        """Hand events that matched a rule to its function; return how many were delivered."""
        return eventbridge.deliver_events(self.event_queues, self.invoke)

    # ------------------------------------------------------------------ observing
    def execution(self, name: str) -> dict[str, Any]:
        """An execution by name (a listing's first execution is named after it)."""
        arn = self.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"
        return dict(boto3.client("stepfunctions").describe_execution(executionArn=arn))

    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 20.0, what: str = "condition"
    ) -> None:
        # A loaded machine (a CI worker sharing two cores) may be several times slower than a
        # quiet one; a wait that succeeds returns as soon as it can, so patience costs nothing.
        deadline = time.monotonic() + timeout * PATIENCE
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what} ({timeout * PATIENCE:.0f}s)")
