"""Starting the local stack as its own process (for the demo and the end-to-end tests)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tombola_dev.client import ApiError, Client
from tombola_dev.template import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(url: str) -> bool:
    try:
        Client(url, timeout=1).ok("GET", "/sandbox/health")
    except (ApiError, OSError):
        return False
    return True


@dataclass(frozen=True)
class RunningStack:
    url: str  # the API
    moto_url: str  # moto's own endpoint, for reading what the stack holds


@contextlib.contextmanager
def running_stack(
    log_path: Path,
    *,
    tick_seconds: int = 10,
    timeout: float = 60,
    parameters: dict[str, str] | None = None,
) -> Iterator[RunningStack]:
    """`python -m tombola_dev.serve` on free ports, stopped afterwards; ``parameters`` override
    template parameters as `make run ARGS="--param Name=Value"` does. A minute of schedule lasts
    ``tick_seconds``: listings close by their own timers, the schedule only releases expired
    holds and re-runs stuck effects, and each of its runs costs moto a scan of the table."""
    port, moto_port = free_port(), free_port()
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("a") as log:
        proc = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [
                sys.executable,
                "-m",
                "tombola_dev.serve",
                f"--port={port}",
                f"--moto-port={moto_port}",
                f"--tick-seconds={tick_seconds}",
                "--check-contract",
                *(f"--param={k}={v}" for k, v in (parameters or {}).items()),
            ],
            cwd=ROOT,
            env={**os.environ, "LOCAL_LOG_LEVEL": "ERROR"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while not healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the local stack did not start; see {log_path}")
                time.sleep(0.2)
            yield RunningStack(url, f"http://127.0.0.1:{moto_port}")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a loaded machine: it is stopped all the same
                proc.kill()
                proc.wait(timeout=30)
