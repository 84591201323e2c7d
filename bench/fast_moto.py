"""For the bench only (never the product or the tests): moto's TransactWriteItems deep-copies
every table it names before applying, to roll back on failure, so under moto a transaction
costs O(items in the table). This version checks every condition first and writes only when
all hold, which is the same for transactions whose items are distinct (ours always are)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import TooManyTransactionsException, TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend


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
