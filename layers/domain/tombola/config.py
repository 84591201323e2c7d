"""Operator policy and default durations, read once from the environment that template.yaml sets."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from tombola.money import Money
from tombola.pricing import DepositPolicy, SurplusPolicy

# deadline → (environment variable prefix, default minimum, default maximum), in seconds
DEADLINE_BOUNDS = {
    "second_payment": ("SECOND_PAYMENT_SECONDS", 3_600, 604_800),
    "ship": ("SHIP_SECONDS", 86_400, 1_209_600),
    "delivery": ("DELIVERY_SECONDS", 86_400, 5_184_000),
    "confirm": ("CONFIRM_SECONDS", 259_200, 2_592_000),
    "resolution": ("RESOLUTION_SECONDS", 86_400, 2_592_000),
}
DEFAULT_OF = {
    "second_payment": "second_payment_seconds",
    "ship": "ship_seconds",
    "delivery": "delivery_seconds",
    "confirm": "confirm_seconds",
    "resolution": "resolution_seconds",
}


@dataclass(frozen=True, slots=True)
class Settings:
    table_name: str
    event_bus_name: str
    state_machine_arn: str
    webhook_secret_arn: str  # {"current": ..., "previous": ...}: both verify during a rotation
    pseudonym_key_arn: str  # {"key": ...}: keys the public pseudonyms of buyers and sellers
    idempotency_table: str
    deposit_fixed: int
    deposit_rate_bps: int
    fee_k: int
    surplus_policy_default: SurplusPolicy
    mileage_bps: int
    ticket_limit_default: int
    hold_seconds: int
    second_payment_seconds: int
    ship_seconds: int
    delivery_seconds: int
    confirm_seconds: int
    resolution_seconds: int
    # What a seller may choose for each deadline (seconds), and how far ahead a listing may close.
    deadline_bounds: dict[str, tuple[int, int]] = field(default_factory=dict)
    max_open_days: int = 90
    webhook_tolerance_seconds: int = 300

    def __post_init__(self) -> None:
        for name, (low, high) in self.deadline_bounds.items():
            default = getattr(self, DEFAULT_OF[name])
            if not 0 < low <= default <= high:
                raise ValueError(f"{name}: the default {default} s must lie within {low}..{high} s")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env

        def num(name: str, default: int) -> int:
            return int(e.get(name, str(default)))

        return cls(
            table_name=e.get("TABLE_NAME", "tombola"),
            event_bus_name=e.get("EVENT_BUS_NAME", "tombola"),
            state_machine_arn=e.get("STATE_MACHINE_ARN", ""),
            webhook_secret_arn=e.get("WEBHOOK_SECRET_ARN", ""),
            pseudonym_key_arn=e.get("PSEUDONYM_KEY_ARN", ""),
            idempotency_table=e.get("IDEMPOTENCY_TABLE", ""),
            deposit_fixed=num("DEPOSIT_FIXED", 0),
            deposit_rate_bps=num("DEPOSIT_RATE_BPS", 500),
            fee_k=num("FEE_K", 0),
            surplus_policy_default=SurplusPolicy(e.get("SURPLUS_POLICY_DEFAULT", "operator")),
            mileage_bps=num("MILEAGE_BPS", 0),
            ticket_limit_default=num("TICKET_LIMIT_DEFAULT", 4),
            hold_seconds=num("HOLD_SECONDS", 600),
            second_payment_seconds=num("SECOND_PAYMENT_SECONDS", 172_800),
            ship_seconds=num("SHIP_SECONDS", 604_800),
            delivery_seconds=num("DELIVERY_SECONDS", 2_592_000),
            confirm_seconds=num("CONFIRM_SECONDS", 604_800),
            resolution_seconds=num("RESOLUTION_SECONDS", 2_592_000),
            deadline_bounds={
                name: (num(f"{env}_MIN", low), num(f"{env}_MAX", high))
                for name, (env, low, high) in DEADLINE_BOUNDS.items()
            },
            max_open_days=num("MAX_OPEN_DAYS", 90),
        )

    def deposit_policy(self, currency: str) -> DepositPolicy:
        if self.deposit_fixed > 0:
            return DepositPolicy(fixed=Money(self.deposit_fixed, currency))
        return DepositPolicy(rate_bps=self.deposit_rate_bps)
