from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from tests.support.app_driver import CountingIds, Driver, now_utc
from tombola.adapters import container
from tombola.local.stack import MOTO_CONFIG, Stack, fake_credentials
from tombola.ports import ManualClock, SeededRandomness

# The state machine's timeouts are real, the domain clock is manual. Waits a test lets pass are
# set to 1-3 s (here, or per listing through `deadlines`); the others are long enough that a
# slow machine never lets them pass by accident.
FAST = {
    "SecondPaymentSeconds": "3",
    "ShipSeconds": "30",
    "DeliverySeconds": "30",
    "ConfirmSeconds": "30",
    "ResolutionSeconds": "30",
    "DepositRateBps": "500",
    # Sellers may choose waits of a second or more here, so tests never wait for real days.
    **{
        f"{n}SecondsMin": "1"
        for n in ("SecondPayment", "Ship", "Delivery", "Confirm", "Resolution")
    },
}


@pytest.fixture
def d() -> Iterator[Driver]:
    fake_credentials()
    with mock_aws(config=MOTO_CONFIG):
        stack = Stack(parameters=FAST, retry_scale=0.01).create()
        clock = ManualClock(now_utc())
        container.override(clock=clock, randomness=SeededRandomness(42), ids=CountingIds())
        with stack.lambda_routing():
            yield Driver(stack, clock)
        container.reset()
