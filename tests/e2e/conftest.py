from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tombola.local.client import Client

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def stack_url() -> Iterator[str]:
    """The local stack, started as `make run` starts it, on free ports."""
    port, moto_port = free_port(), free_port()
    log_path = ROOT / ".local" / "e2e-stack.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tombola.local.serve",
                "--port",
                str(port),
                "--moto-port",
                str(moto_port),
                "--tick-seconds",
                "1",
            ],
            cwd=ROOT,
            env={**os.environ, "LOCAL_LOG_LEVEL": "ERROR"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                Client(url, timeout=1).ok("GET", "/sandbox/health")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the local stack did not start; see {log_path}") from None
                time.sleep(0.2)
        yield url
        proc.terminate()
        proc.wait(timeout=30)
