"""DynamoDB under load cancels a share of transactions with TransactionConflict; moto serialises
every call and never does. This hook does it, before the call goes out (nothing is written)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError


@dataclass
class Conflicts:
    rate: float
    seed: int = 1
    injected: int = 0
    seen: int = 0
    _random: random.Random = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def __call__(self, send: Callable[[], Any], request: Any) -> Any:
        if operation(request) == "TransactWriteItems":
            with self._lock:
                self.seen += 1
                conflict = self._random.random() < self.rate
                self.injected += conflict
            if conflict:
                raise ClientError(
                    {
                        "Error": {
                            "Code": "TransactionCanceledException",
                            "Message": "Transaction cancelled [TransactionConflict]",
                        },
                        "CancellationReasons": [{"Code": "TransactionConflict"}],
                    },
                    "TransactWriteItems",
                )
        return send()


def operation(request: Any) -> str:
    target = (getattr(request, "headers", {}) or {}).get("X-Amz-Target")
    if target:
        return str(target.decode() if isinstance(target, bytes) else target).split(".")[-1]
    return str(getattr(request, "url", "?")).split("?")[0].rsplit("/", 2)[-2:][0]
