from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tombola.local.process import running_stack

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def stack_url() -> Iterator[str]:
    """The local stack, started as `make run` starts it, on free ports."""
    with running_stack(ROOT / ".local" / "e2e-stack.log") as url:
        yield url
