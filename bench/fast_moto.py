"""For the bench only (never the product or the tests): moto is O(items in the table) where
DynamoDB is not, which makes a 1,000,000-item table unusable in the harness.

- TransactWriteItems deep-copies every table it names before applying, to roll back on
  failure. This version checks every condition first and writes only when all hold, which is
  the same for transactions whose items are distinct (ours always are).
- Query lists and sorts every item of the table to find its candidates (see _fast_query).
- Item results are serialized by walking botocore's shape model attribute by attribute; they
  are plain JSON already (see _json_result)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import boto3
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import TooManyTransactionsException, TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoResult


def _key(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    table = backend.get_table(op["TableName"])
    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = op["Item"][table.range_key_attr]
    return key


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    errors: list[Any] = []
    for item in transact_items:
        op_type, op = next(iter(item.items()))
        condition = op.get("ConditionExpression")
        current = self.get_item(op["TableName"], _key(self, op_type, op))
        holds = condition is None or get_filter_expression(
            condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        ).expr(current)
        errors.append(
            (None, None, None) if holds else ("ConditionalCheckFailed", "condition failed", None)
        )
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    for item in transact_items:
        op_type, op = next(iter(item.items()))
        names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        if op_type == "Put":
            self.put_item(op["TableName"], op["Item"])
        elif op_type == "Delete":
            self.delete_item(op["TableName"], op["Key"])
        elif op_type == "Update":
            self.update_item(
                op["TableName"],
                op["Key"],
                update_expression=op["UpdateExpression"],
                expression_attribute_names=names,
                expression_attribute_values=values,
            )


@contextmanager
def fast_transactions() -> Iterator[None]:
    with mock.patch.object(DynamoDBBackend, "transact_write_items", transact_write_items):
        yield


_query = threading.local()
_INDEX = object()  # the query is on an index
_all_items = Table.all_items


def _items_for_query(self: Table) -> list[Any]:
    """During a query, moto lists (and sorts) every item of the table to pick the candidates.
    A base-table query needs only its own partition; an index query sorts its candidates
    itself afterwards, so the whole-table sort is wasted."""
    mode = getattr(_query, "hash_key", None)
    if mode is None:
        return _all_items(self)
    if mode is _INDEX:
        return [item for partition in self.items.values() for item in partition.values()]
    partition = self.items.get(mode)
    return list(partition.values()) if partition else []


_table_query = Table.query


def _fast_query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
    _query.hash_key = _INDEX if index_name else hash_key
    try:
        return _table_query(self, hash_key, *args, **kwargs)
    finally:
        _query.hash_key = None


@contextmanager
def fast_queries() -> Iterator[None]:
    with (
        mock.patch.object(Table, "all_items", _items_for_query),
        mock.patch.object(Table, "query", _fast_query),
    ):
        yield


def table(name: str) -> Table:
    """The moto table itself, to seed items without a request per item."""
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][boto3.session.Session().region_name]
    return backend.get_table(name)


_execute_result = DynamoResult.execute_result


def _json_result(self: DynamoResult, context: Any) -> Any:
    try:
        body = json.dumps(self.result)
    except TypeError:  # not plain JSON after all: moto's own way
        return _execute_result(self, context)
    return 200, {"Content-Type": "application/x-amz-json-1.0"}, body


@contextmanager
def fast_results() -> Iterator[None]:
    with mock.patch.object(DynamoResult, "execute_result", _json_result):
        yield
