"""The two Stores the contract runs on: DynamoStore on the template's table under moto, and the
MemoryStore of the fast tier."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import boto3
from moto import mock_aws
from tombola_dev.doubles import ManualClock
from tombola_dev.moto_resources import create_table_request
from tombola_dev.stack import fake_credentials
from tombola_dev.template import Template

from tests.support.memory_store import MemoryStore
from tombola.adapters.dynamo import DynamoStore

AnyStore = DynamoStore | MemoryStore
KINDS = ("dynamo", "memory")


@cache
def _table_properties() -> dict[str, Any]:
    props: dict[str, Any] = Template.load().tables()["Table"]
    return props


@contextmanager
def dynamo_store(clock: ManualClock) -> Iterator[DynamoStore]:
    """A fresh table as template.yaml declares it, on moto."""
    fake_credentials()
    with mock_aws():
        client = boto3.client("dynamodb")
        name = f"contract-{uuid.uuid4().hex[:8]}"
        client.create_table(**create_table_request(name, _table_properties()))
        yield DynamoStore(name, clock, client)


@contextmanager
def store_of(kind: str, clock: ManualClock) -> Iterator[AnyStore]:
    if kind == "dynamo":
        with dynamo_store(clock) as store:
            yield store
    else:
        yield MemoryStore(clock)
