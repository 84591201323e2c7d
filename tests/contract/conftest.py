from __future__ import annotations

from collections.abc import Iterator

import pytest
from tombola_dev.doubles import ManualClock

from tests.contract.records import START
from tests.contract.stores import KINDS, AnyStore, store_of


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[AnyStore]:
    """Each contract test runs once on each Store."""
    with store_of(request.param, clock) as s:
        yield s
