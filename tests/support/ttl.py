"""DynamoDB deletes items whose TTL passed; moto and DynamoDB Local never do. Tests that let
time pass call this to forget what DynamoDB would have forgotten."""

from __future__ import annotations

from typing import Any

from tombola.adapters.dynamo_items import from_item, to_item

TTL_ATTRIBUTE = "expires_at_epoch"  # template.yaml's TimeToLiveSpecification


def forget_expired(client: Any, table: str, now_epoch: int) -> int:
    """Delete every item whose TTL is at or before ``now_epoch``; returns how many went."""
    gone = 0
    for page in client.get_paginator("scan").paginate(TableName=table):
        for raw in page["Items"]:
            item = from_item(raw)
            if TTL_ATTRIBUTE in item and int(item[TTL_ATTRIBUTE]) <= now_epoch:
                key = to_item({"pk": item["pk"], "sk": item["sk"]})
                client.delete_item(TableName=table, Key=key)
                gone += 1
    return gone
