from __future__ import annotations

import pytest

from tests.support.fast_platform import FastWorld, fast_deps


@pytest.fixture
def w() -> FastWorld:
    """The services on the MemoryStore, a fake provider, the execution played by the test."""
    deps, clock = fast_deps()
    return FastWorld(deps, clock)
