"""The application on moto: tables, functions, the real state machine and the event bus, created
from template.yaml; Lambda invokes are routed to the handlers in this process.

Use inside ``mock_aws(config=MOTO_CONFIG)`` (tests) or against a moto server (the local stack).
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import logging
import os
import secrets
import sys
import threading
import time
import uuid
import weakref
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType, SimpleNamespace
from typing import Any
from unittest import mock

import boto3
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core.botocore_stubber import BotocoreStubber
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

from tombola.adapters import container, dynamo
from tombola_dev.conformance import Conformance
from tombola_dev.per_thread import per_thread_router_state
from tombola_dev.template import Function, Route, Template, load_definition, resolve

log = logging.getLogger("localstack")
# The function whose invocation is running on this thread, if any.
in_invocation: ContextVar[str | None] = ContextVar("in_invocation", default=None)
# Threads (state machine executions) started under a stack that has stopped since.
_retired_threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
MOTO_CONFIG: Any = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}
REGION = "us-east-1"
ACCOUNT = "123456789012"


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = ""
    aws_request_id: str = ""
    remaining_millis: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_millis


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: Any
    headers: dict[str, str]


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
    ):
        """``retry_scale`` shortens the state machine's retry intervals (tests: 0.01);
        ``timeout_millis`` is what each invocation is told it has left (a request that dies
        frees its Idempotency-Key after that long)."""
        self.retry_scale = retry_scale
        self.timeout_millis = timeout_millis
        # Called around every mocked AWS call (tests inject faults here): (send, request) → result
        self.on_call: Callable[[Callable[[], Any], Any], Any] | None = None
        self.template = template or Template.load()
        self.template.parameters.update(parameters or {})
        self.functions = self.template.functions()
        self.routes: list[Route] = self.template.routes()
        self.refs: dict[str, str] = dict(self.template.parameters)
        self.refs.update({"AWS::Region": REGION, "AWS::AccountId": ACCOUNT})
        self.attrs: dict[tuple[str, str], str] = {}
        self._modules: dict[str, ModuleType] = {}
        self.event_queues: dict[str, str] = {}  # function → SQS queue URL standing in for a rule
        self.invocations: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._aws_lock = threading.RLock()
        # When set, every API response is checked against the OpenAPI document (the suites).
        self.conformance: Conformance | None = None

    # ------------------------------------------------------------------ creation
    def create(self) -> Stack:
        fake_credentials()
        stage = self.refs.get("Stage", "dev")
        for name, props in self.template.tables().items():
            table = f"tombola-{stage}-{name}"
            self._create_table(table, props)
            self.refs[name] = table
        for name, res in self.template.of_type("AWS::SecretsManager::Secret").items():
            self.refs[name] = self._create_secret(res["Properties"])
        bus_names: dict[str, str] = {}
        for name, res in self.template.of_type("AWS::Events::EventBus").items():
            bus = resolve(res["Properties"]["Name"], self.refs, self.attrs)
            boto3.client("events").create_event_bus(Name=bus)
            self.refs[name] = bus
            bus_names[name] = bus
        for res in self.template.of_type("AWS::SES::EmailIdentity").values():
            email = resolve(res["Properties"]["EmailIdentity"], self.refs, self.attrs)
            boto3.client("ses").verify_email_identity(EmailAddress=email)
        role = self._role()
        lam = boto3.client("lambda")
        for fn in self.functions.values():
            arn = lam.create_function(
                FunctionName=f"tombola-{fn.logical_id}",
                Runtime="python3.12",
                Role=role,
                Handler=fn.handler,
                Code={"ZipFile": _placeholder_zip()},
            )["FunctionArn"]
            self.refs[fn.logical_id] = f"tombola-{fn.logical_id}"
            self.attrs[(fn.logical_id, "Arn")] = arn
        sm_name, sm_props = self.template.state_machine()
        subs = {
            k: resolve(v, self.refs, self.attrs)
            for k, v in sm_props.get("DefinitionSubstitutions", {}).items()
        }
        definition = load_definition(self.template, subs)
        sm_arn = boto3.client("stepfunctions").create_state_machine(
            name=f"tombola-{stage}-listing", definition=definition, roleArn=role, type="STANDARD"
        )["stateMachineArn"]
        self.refs[sm_name] = sm_arn
        self.attrs[(sm_name, "Name")] = f"tombola-{stage}-listing"
        self.state_machine_arn = sm_arn
        for fn_name, bus_logical, pattern in self.template.event_rules():
            self._route_rule(fn_name, bus_names[bus_logical], pattern)
        self._export_environment()
        return self

    def _create_table(self, name: str, props: dict[str, Any]) -> None:
        boto3.client("dynamodb").create_table(**create_table_request(name, props))

    def _create_secret(self, props: dict[str, Any]) -> str:
        """A secret as CloudFormation would create it: its generated string under its key, its
        SecretString, or, with neither, no value at all (an empty secret)."""
        name = resolve(props["Name"], self.refs, self.attrs)
        sm = boto3.client("secretsmanager")
        if "GenerateSecretString" not in props and "SecretString" not in props:
            return str(sm.create_secret(Name=name)["ARN"])
        if "SecretString" in props:
            text = str(resolve(props["SecretString"], self.refs, self.attrs))
            return str(sm.create_secret(Name=name, SecretString=text)["ARN"])
        generate = props["GenerateSecretString"]
        value = json.loads(generate.get("SecretStringTemplate") or "{}")
        if generate.get("GenerateStringKey"):
            length = int(generate.get("PasswordLength", 32))
            value[generate["GenerateStringKey"]] = secrets.token_hex(length)[:length]
        return str(sm.create_secret(Name=name, SecretString=json.dumps(value))["ARN"])

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

    def _role(self) -> str:
        iam = boto3.client("iam")
        doc = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        return str(
            iam.create_role(RoleName="tombola-local", AssumeRolePolicyDocument=json.dumps(doc))[
                "Role"
            ]["Arn"]
        )

    def _route_rule(self, function: str, bus: str, pattern: dict[str, Any]) -> None:
        """moto's EventBridge does not invoke Lambda targets: the rule targets a queue, and
        ``deliver_events`` hands what matched to the function."""
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName=f"rule-{function}")["QueueUrl"]
        qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events = boto3.client("events")
        events.put_rule(Name=f"to-{function}", EventBusName=bus, EventPattern=json.dumps(pattern))
        events.put_targets(
            Rule=f"to-{function}", EventBusName=bus, Targets=[{"Id": "queue", "Arn": qarn}]
        )
        self.event_queues[function] = url

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
    def module(self, fn: Function) -> ModuleType:
        if fn.logical_id not in self._modules:
            name = f"tombola_fn_{fn.logical_id}"
            spec = importlib.util.spec_from_file_location(name, fn.module_path)
            assert spec is not None
            assert spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            # its cold start sees only what template.yaml gives this function
            with container.function_environment(self.function_environment(fn.logical_id)):
                spec.loader.exec_module(module)
            self._modules[fn.logical_id] = module
        return self._modules[fn.logical_id]

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        fn = self.functions[logical_id]
        handler: Callable[[dict[str, Any], LambdaContext], Any] = getattr(
            self.module(fn), fn.handler_name
        )
        with self._lock:
            self.invocations.append((logical_id, event))
        context = LambdaContext(
            f"tombola-{logical_id}",
            invoked_function_arn=self.attrs.get((logical_id, "Arn"), ""),
            aws_request_id=str(uuid.uuid4()),
            remaining_millis=self.timeout_millis,
        )
        token = in_invocation.set(logical_id)
        try:
            with container.function_environment(self.function_environment(logical_id)):
                return handler(event, context)
        finally:
            in_invocation.reset(token)

    @contextmanager
    def lambda_routing(self) -> Iterator[None]:
        """Route moto's Lambda invokes (from the state machine) to the handlers in-process."""
        by_name = {f"tombola-{k}": k for k in self.functions}
        stack = self
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
                return json.dumps(
                    {"errorType": type(exc).__name__, "errorMessage": str(exc)}
                ).encode()
            return json.dumps(result).encode()

        original = BotocoreStubber.process_request
        lock = self._aws_lock

        def serialized(stubber: BotocoreStubber, request: Any) -> Any:
            # moto's backends are not thread-safe, and the state machine runs in its own
            # thread: one mocked AWS call at a time (re-entrant, for handlers it invokes).
            with lock:
                hook = stack.on_call
                if hook is not None:
                    return hook(lambda: original(stubber, request), request)
                return original(stubber, request)

        scale = self.retry_scale
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
                self._stop_executions()

    def _stop_executions(self) -> None:
        """Executions still waiting when the stack stops are stopped, so that none of them acts
        on the next stack this process starts (moto's worker threads outlive its mock)."""
        sfn = boto3.client("stepfunctions")
        try:
            running = sfn.list_executions(
                stateMachineArn=self.state_machine_arn, statusFilter="RUNNING"
            )["executions"]
            for execution in running:
                sfn.stop_execution(executionArn=execution["executionArn"])
        except Exception:  # the mock may be gone already: then nothing is left to stop
            log.debug("could not stop the executions", exc_info=True)

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
        """Call the API as API Gateway would: route from template.yaml, JWT claims passed on
        for authorized routes (a request without claims to one gets 401 here, as there)."""
        path_only = path.split("?", 1)[0]
        for route in self.routes:
            params = route.match(method, path_only)
            if params is not None:
                break
        else:
            return HttpResponse(404, {"message": "Not Found"}, {})
        if not route.public and not claims:
            refused = HttpResponse(401, {"message": "Unauthorized"}, {})
            if self.conformance is not None:
                self.conformance.check(method, path_only, refused.status, refused.body)
            return refused
        binary = False
        if raw is not None:
            try:
                text: str | None = raw.decode("utf-8")
            except UnicodeDecodeError:  # API Gateway passes such a body base64-encoded
                text, binary = base64.b64encode(raw).decode(), True
        else:
            text = json.dumps(body) if body is not None else None
        now = datetime.now(UTC)
        event = {
            "version": "2.0",
            "routeKey": f"{route.method} {route.path}",
            "rawPath": path_only,
            "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
            "headers": {"content-type": "application/json", **(headers or {})},
            "queryStringParameters": query or None,
            "pathParameters": params or None,
            "requestContext": {
                "accountId": ACCOUNT,
                "apiId": "local",
                "domainName": "127.0.0.1",
                "http": {
                    "method": route.method,
                    "path": path_only,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "127.0.0.1",
                    "userAgent": "tombola-local",
                },
                "requestId": str(uuid.uuid4()),
                "routeKey": f"{route.method} {route.path}",
                "stage": "$default",
                "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "timeEpoch": int(now.timestamp() * 1000),
                **(
                    {"authorizer": {"jwt": {"claims": claims, "scopes": None}}}
                    if claims and not route.public
                    else {}
                ),
            },
            "body": text,
            "isBase64Encoded": binary,
        }
        try:
            result = self.invoke(route.function, event)
        except Exception:  # the Lambda crashed: API Gateway answers 500
            log.exception("%s %s: the function failed", method, path_only)
            return HttpResponse(500, {"message": "Internal Server Error"}, {})
        body_text = result.get("body") or ""
        try:
            parsed = json.loads(body_text) if body_text else None
        except json.JSONDecodeError:
            parsed = body_text
        response = HttpResponse(int(result["statusCode"]), parsed, result.get("headers") or {})
        if self.conformance is not None:
            self.conformance.check(method, path_only, response.status, response.body)
        return response

    def run_schedules(self, only: set[str] | None = None) -> list[Any]:
        """Fire every scheduled function (or those named) once, as EventBridge Scheduler would."""
        out = []
        for fn, _ in self.template.schedules():
            if only is not None and fn not in only:
                continue
            out.append(
                self.invoke(
                    fn,
                    {
                        "version": "0",
                        "id": str(uuid.uuid4()),
                        "detail-type": "Scheduled Event",
                        "source": "aws.events",
                        "account": ACCOUNT,
                        "time": datetime.now(UTC).isoformat(),
                        "region": REGION,
                        "resources": [],
                        "detail": {},
                    },
                )
            )
        return out

    def deliver_events(self) -> int:
        """Hand events that matched a rule to its function; return how many were delivered."""
        sqs = boto3.client("sqs")
        delivered = 0
        for fn, url in self.event_queues.items():
            while True:
                msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
                if not msgs:
                    break
                for m in msgs:
                    self.invoke(fn, json.loads(m["Body"]))
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                    delivered += 1
        return delivered

    # ------------------------------------------------------------------ observing
    def execution(self, name: str) -> dict[str, Any]:
        """An execution by name (a listing's first execution is named after it)."""
        arn = self.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"
        return dict(boto3.client("stepfunctions").describe_execution(executionArn=arn))

    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 20.0, what: str = "condition"
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")


def create_table_request(name: str, props: dict[str, Any]) -> dict[str, Any]:
    """CreateTable's arguments for a table's template properties (``Template.tables()``): keys,
    attributes, billing mode and GSIs with their projections (moto and DynamoDB Local alike)."""
    kwargs: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    return kwargs


def _placeholder_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()
