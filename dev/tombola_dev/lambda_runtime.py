"""Lambda in this process: each function's handler module loaded (its cold start seeing only its
own environment), invoked with a context, and moto's Lambda invokes (from the state machine)
routed to it, one mocked AWS call at a time."""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import ModuleType, SimpleNamespace
from typing import TYPE_CHECKING, Any
from unittest import mock

import boto3
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core.botocore_stubber import BotocoreStubber
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

from tombola.adapters import container, dynamo
from tombola_dev.per_thread import per_thread_router_state
from tombola_dev.template import Function

if TYPE_CHECKING:
    from tombola_dev.stack import Stack

log = logging.getLogger("localstack")
# The function whose invocation is running on this thread, if any.
in_invocation: ContextVar[str | None] = ContextVar("in_invocation", default=None)
# Threads (state machine executions) started under a stack that has stopped since.
_retired_threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = ""
    aws_request_id: str = ""
    remaining_millis: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_millis


def load_module(fn: Function, environment: dict[str, str]) -> ModuleType:
    """The function's handler module, imported as its cold start would: seeing only
    ``environment`` (what template.yaml gives this function)."""
    name = f"tombola_fn_{fn.logical_id}"
    spec = importlib.util.spec_from_file_location(name, fn.module_path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    with container.function_environment(environment):
        spec.loader.exec_module(module)
    return module


def run_handler(
    module: ModuleType,
    fn: Function,
    event: dict[str, Any],
    *,
    environment: dict[str, str],
    arn: str,
    timeout_millis: int,
) -> Any:
    """One invocation: the handler called with a context, in the function's environment."""
    handler: Callable[[dict[str, Any], LambdaContext], Any] = getattr(module, fn.handler_name)
    context = LambdaContext(
        f"tombola-{fn.logical_id}",
        invoked_function_arn=arn,
        aws_request_id=str(uuid.uuid4()),
        remaining_millis=timeout_millis,
    )
    token = in_invocation.set(fn.logical_id)
    try:
        with container.function_environment(environment):
            return handler(event, context)
    finally:
        in_invocation.reset(token)


@contextmanager
def lambda_routing(stack: Stack) -> Iterator[None]:
    """Route moto's Lambda invokes (from the state machine) to ``stack.invoke`` in-process;
    every mocked AWS call goes through ``stack.on_call`` (both read at each call)."""
    by_name = {f"tombola-{k}": k for k in stack.functions}
    before = set(threading.enumerate())

    def invoke(
        backend: Any,
        function_name: str,
        qualifier: Any,
        body: Any,
        headers: Any,
        response_headers: Any,
    ) -> bytes:
        name = function_name.rsplit(":function:", 1)[-1].split(":", maxsplit=1)[0]
        payload = json.loads(body or "{}")
        try:
            if threading.current_thread() in _retired_threads:
                # an execution that outlived its stack (a finished test's) must not act
                # on the stack that runs now
                raise RuntimeError("this execution's stack has stopped")
            result = stack.invoke(by_name[name], payload)
        except Exception as exc:  # the state machine sees errorType, as from real Lambda
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}).encode()
        return json.dumps(result).encode()

    original = BotocoreStubber.process_request
    lock = stack._aws_lock

    def serialized(stubber: BotocoreStubber, request: Any) -> Any:
        # moto's backends are not thread-safe, and the state machine runs in its own
        # thread: one mocked AWS call at a time (re-entrant, for handlers it invokes).
        with lock:
            hook = stack.on_call
            if hook is not None:
                return hook(lambda: original(stubber, request), request)
            return original(stubber, request)

    scale = stack.retry_scale
    with (
        per_thread_router_state(),
        mock.patch.object(LambdaSimpleBackend, "invoke", invoke),
        mock.patch.object(BotocoreStubber, "process_request", serialized),
        mock.patch.object(
            retrier_decl, "time", SimpleNamespace(sleep=lambda s: time.sleep(s * scale))
        ),
        # moto calls are serialized above (a Lambda invocation holds the lock), so
        # partitions are read one after another here.
        mock.patch.object(dynamo, "READ_WORKERS", 1),
    ):
        try:
            yield
        finally:
            _retired_threads.update(set(threading.enumerate()) - before)
            stop_executions(stack)


def stop_executions(stack: Stack) -> None:
    """Executions still waiting when the stack stops are stopped, so that none of them acts
    on the next stack this process starts (moto's worker threads outlive its mock)."""
    sfn = boto3.client("stepfunctions")
    try:
        running = sfn.list_executions(
            stateMachineArn=stack.state_machine_arn, statusFilter="RUNNING"
        )["executions"]
        for execution in running:
            sfn.stop_execution(executionArn=execution["executionArn"])
    except Exception:  # the mock may be gone already: then nothing is left to stop
        log.debug("could not stop the executions", exc_info=True)
