"""Counts what the system asks of DynamoDB and the other services, from the requests themselves
(a hook around every mocked AWS call): items and write units per key, reads, invocations.

Write units follow DynamoDB's rules: ceil(item size / 1 KB), doubled inside a transaction; a
ConditionCheck costs a transactional write of its key. Updates are sized from the request
(their items here are small counters and balances). Index writes: 1 unit for each keys-only
index entry a buyer item gains or loses (ByHoldExpiry), for a new buyer item (ByOwner), and for
a journal entry or refund receipt in its day's reconciliation index (ByHoldExpiry RECON#).
"""

from __future__ import annotations

import base64
import json
import math
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tombola_dev.contention import operation
from tombola_dev.lambda_runtime import in_invocation

from tombola.domain.quota import HOLD_INDEX_PARTITIONS, bucket


def value_size(value: dict[str, Any]) -> int:
    kind, v = next(iter(value.items()))
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        digits = v.lstrip("-").replace(".", "").lstrip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(base64.b64decode(v))
    if kind in {"BOOL", "NULL"}:
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(x) + 1 for k, x in v.items())
    if kind == "L":
        return 3 + sum(value_size(x) + 1 for x in v)
    if kind == "SS":
        return sum(len(x.encode()) for x in v)
    if kind == "NS":
        return sum(len(x) for x in v)
    return 0


def item_size(item: dict[str, Any]) -> int:
    return sum(len(k.encode()) + value_size(v) for k, v in item.items())


def units(size: int, transactional: bool) -> int:
    return max(1, math.ceil(size / 1024)) * (2 if transactional else 1)


@dataclass
class Meter:
    """Install as ``stack.on_call``; counts only while ``on`` is set (and, unless
    ``count_harness``, only calls made inside a Lambda invocation or the state machine)."""

    on: bool = False
    count_harness: bool = False
    calls: Counter[str] = field(default_factory=Counter)
    item_writes: int = 0
    wru: int = 0
    rru: int = 0
    distinct: set[tuple[str, str]] = field(default_factory=set)
    key_wru: Counter[str] = field(default_factory=Counter)
    largest_item: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.item_writes = self.wru = self.rru = self.largest_item = 0
            self.distinct.clear()
            self.key_wru.clear()

    def __call__(self, send: Callable[[], Any], request: Any) -> Any:
        if self.on and (self.count_harness or in_invocation.get() is not None):
            op = operation(request)
            body = getattr(request, "body", b"") or b"{}"
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = {}
            with self._lock:
                self.calls[op] += 1
                self._count(op, parsed)
        return send()

    def _write(self, key: dict[str, Any], item: dict[str, Any] | None, transactional: bool) -> None:
        pk, sk = key["pk"]["S"], key["sk"]["S"]
        if pk.startswith("PSP#"):  # the sandbox provider's own records: not our system's
            return
        size = item_size(item if item is not None else key)
        self.largest_item = max(self.largest_item, size)
        cost = units(size, transactional)
        self.item_writes += 1
        self.wru += cost
        self.distinct.add((pk, sk))
        self.key_wru[pk] += cost
        if item is not None and "gsi3pk" in item and pk.startswith(("LEDGER#", "REFUND#")):
            # a journal entry or refund receipt naming a provider record: the day's
            # reconciliation index (sparse ByHoldExpiry RECON#<day>#<j>), written once
            self.wru += 1
            self.key_wru["ByHoldExpiry:" + item["gsi3pk"]["S"]] += 1
        if item is not None and pk.startswith("ENTRIES#"):
            version = int(item.get("version", {}).get("N", "1"))
            if "gsi3pk" in item or version > 1:  # a hold appears in or leaves ByHoldExpiry
                listing_id = pk.split("#")[1]
                buyer_id = sk.removeprefix("BUYER#")
                h = bucket(f"{listing_id}|{buyer_id}", HOLD_INDEX_PARTITIONS)
                self.wru += 1
                self.key_wru[f"ByHoldExpiry:HOLDS#{h}"] += 1
            if version == 1:
                self.wru += 1
                self.key_wru["ByOwner:" + item["gsi2pk"]["S"]] += 1

    def _count(self, op: str, body: dict[str, Any]) -> None:
        if op == "TransactWriteItems":
            for entry in body.get("TransactItems", []):
                kind, spec = next(iter(entry.items()))
                if kind == "Put":
                    self._write(spec["Item"], spec["Item"], True)
                else:
                    extra = spec.get("ExpressionAttributeValues", {})
                    self._write(spec["Key"], {**spec["Key"], **extra}, True)
        elif op == "PutItem":
            self._write(body["Item"], body["Item"], False)
        elif op in {"UpdateItem", "DeleteItem"}:
            self._write(body["Key"], None, False)
        elif op == "BatchWriteItem":
            for requests in body.get("RequestItems", {}).values():
                for r in requests:
                    item = r.get("PutRequest", {}).get("Item")
                    key = item or r["DeleteRequest"]["Key"]
                    self._write(key, item, False)
        elif op == "GetItem":
            self.rru += 1
        elif op == "BatchGetItem":
            self.rru += sum(len(t["Keys"]) for t in body.get("RequestItems", {}).values())
        elif op in {"Query", "Scan"}:
            self.rru += 1
