"""The operator's policy in force, as sellers and the operator page read it."""

from __future__ import annotations

from tombola.api_models import MAX_EXPECTED_ENTRANTS, MAX_TICKET_LIMIT
from tombola.api_views import DeadlineBounds, DeadlinePolicy, DepositRule, PolicyView
from tombola.config import Settings
from tombola.money import CURRENCIES


def in_force(s: Settings) -> PolicyView:
    rule = s.deposit_policy("KRW")  # the rule is the same in every currency
    return PolicyView(
        fee=s.fee_k,
        deposit=DepositRule(
            fixed=rule.fixed.amount if rule.fixed else None, rate_bps=rule.rate_bps
        ),
        surplus_policy_default=s.surplus_policy_default,
        mileage_bps=s.mileage_bps,
        ticket_limit_default=s.ticket_limit_default,
        ticket_limit_max=MAX_TICKET_LIMIT,
        expected_entrants_max=MAX_EXPECTED_ENTRANTS,
        max_open_days=s.max_open_days,
        payment_hold_seconds=s.hold_seconds,
        currencies=dict(CURRENCIES),
        deadlines=DeadlinePolicy(
            **{
                name: DeadlineBounds(default=getattr(s, f"{name}_seconds"), min=low, max=high)
                for name, (low, high) in s.deadline_bounds.items()
            }
        ),
    )
