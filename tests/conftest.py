from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws
from tombola_dev.conformance import Conformance
from tombola_dev.contention import Conflicts
from tombola_dev.doubles import ManualClock, RecordingTelemetry, SeededRandomness
from tombola_dev.driver import CountingIds, Driver, now_utc
from tombola_dev.parameters import FAST
from tombola_dev.process import RunningStack, running_stack
from tombola_dev.stack import MOTO_CONFIG, Stack, fake_credentials

from tests.reliability import figures
from tombola.adapters import container

ROOT = Path(__file__).resolve().parents[1]
# Every response the suites receive is checked against the served OpenAPI document.
CONFORMANCE = Conformance.load()


@pytest.fixture
def d(request: pytest.FixtureRequest) -> Iterator[Driver]:
    """The stack on moto; ``@pytest.mark.parametrize("d", [{"Param": "value"}], indirect=True)``
    overrides template parameters."""
    fake_credentials()
    parameters = FAST | getattr(request, "param", {})
    with mock_aws(config=MOTO_CONFIG):
        stack = Stack(parameters=parameters, retry_scale=0.01).create()
        stack.conformance = CONFORMANCE
        clock = ManualClock(now_utc())
        telemetry = RecordingTelemetry()
        container.override(
            clock=clock, randomness=SeededRandomness(42), ids=CountingIds(), telemetry=telemetry
        )
        if os.environ.get("CONTENTION"):  # `make reliability` runs the scenarios under it too
            stack.on_call = Conflicts(float(os.environ["CONTENTION"]))
        with stack.lambda_routing():
            yield Driver(stack, clock, telemetry)
        container.reset()


@pytest.fixture(scope="module")
def local_stack() -> Iterator[RunningStack]:
    """The local stack, started as `make run` starts it, on free ports; stopped after the
    module's tests, so it does not take a worker's CPU while other modules run."""
    with running_stack(ROOT / ".local" / "e2e-stack.log") as running:
        yield running


@pytest.fixture(scope="module")
def stack_url(local_stack: RunningStack) -> str:
    return local_stack.url


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller, or a run without xdist
        figures.reset()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = figures.summary()
    if lines:
        terminalreporter.section("reliability figures")
        for line in lines:
            terminalreporter.write_line(line)


# DynamoDB Local (Amazon's engine, `make dynamodb-local`) for tests that race real concurrent
# requests; one JVM per process (per xdist worker), a fresh table per test.
from tests.support.dynamodb_local import DynamoDBLocal, DynamoDBLocalError  # noqa: E402


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    """The server: ``.endpoint_url``, ``.client()``, ``.new_table()`` → (table name, client)."""
    server = DynamoDBLocal()
    try:
        server.start()
    except DynamoDBLocalError as err:
        pytest.fail(str(err), pytrace=False)
    try:
        yield server
    finally:
        server.stop()
