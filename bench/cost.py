"""AWS cost per million tickets at list prices, from what the purchases were measured to use."""

from __future__ import annotations

from typing import Any

from bench.report import row

# List prices, us-east-1, on-demand (USD).
HTTP_API_PER_REQUEST = 1.00 / 1e6
LAMBDA_PER_REQUEST = 0.20 / 1e6
LAMBDA_ARM_PER_GB_SECOND = 0.0000133334
LAMBDA_ASSUMED_SECONDS = 0.1  # per invocation (in-process times say nothing about Lambda's)
DYNAMO_PER_WRU = 0.625 / 1e6
DYNAMO_PER_RRU = 0.125 / 1e6
EVENTBRIDGE_PER_EVENT = 1.00 / 1e6
TEMPLATE_MEMORY_GB = 0.5


def cost(per_purchase: dict[int, dict[str, Any]]) -> None:
    print("AWS cost per 1,000,000 tickets (list prices; purchases only)")
    lambda_cost = LAMBDA_PER_REQUEST + LAMBDA_ARM_PER_GB_SECOND * (
        TEMPLATE_MEMORY_GB * LAMBDA_ASSUMED_SECONDS
    )
    targets = {1: 15.0, 4: 5.0}
    for n, counted in per_purchase.items():
        purchases = 1_000_000 / n
        each = (
            2 * HTTP_API_PER_REQUEST  # the entry, the provider's webhook
            + 2 * lambda_cost
            + counted["wru"] * DYNAMO_PER_WRU
            + counted["rru"] * DYNAMO_PER_RRU
        )
        total = purchases * each
        row(
            f"cost per 1M tickets at {n} per purchase (USD)",
            f"{total:.2f}",
            f"≤ {targets[n]:.0f}",
            total <= targets[n],
        )
