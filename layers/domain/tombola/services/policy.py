"""The operator's policy in force, as sellers and the operator page read it."""

from __future__ import annotations

from tombola.api.models import MAX_EXPECTED_ENTRANTS, MAX_TICKET_LIMIT
from tombola.api.views import (
    CurrencyTerms,
    DeadlineBounds,
    DeadlinePolicy,
    DepositRule,
    PlayPolicyView,
    PolicyView,
)
from tombola.config import Settings
from tombola.domain.money import CURRENCIES
from tombola.domain.pricing import DepositPolicy
from tombola.domain.responsible import BREAK_DAYS, EXCLUSION_MONTHS, PlayPolicy


def _rule(deposit: DepositPolicy) -> DepositRule:
    return DepositRule(
        fixed=deposit.fixed.amount if deposit.fixed else None, rate_bps=deposit.rate_bps
    )


def play_view(p: PlayPolicy) -> PlayPolicyView:
    return PlayPolicyView(
        market=p.market.value,
        minimum_age=p.minimum_age,
        identity_required=p.identity_required,
        free_entry_cap=p.free_entry_cap,
        limit_prompt=p.limit_prompt,
        time_zone=p.time_zone,
        phone_region=p.phone_region,
        break_days=list(BREAK_DAYS),
        exclusion_months=list(EXCLUSION_MONTHS),
    )


def in_force(s: Settings) -> PolicyView:
    """Amounts are per currency, each in its own minor units; the top-level fee and deposit
    are KRW's (as before currencies had their own)."""
    offered = {code: p for code in CURRENCIES if (p := s.currency_policy(code)) is not None}
    krw = offered["KRW"]
    return PolicyView(
        fee=krw.fee.amount,
        deposit=_rule(krw.deposit),
        by_currency={
            code: CurrencyTerms(
                minor_units=CURRENCIES[code], fee=p.fee.amount, deposit=_rule(p.deposit)
            )
            for code, p in offered.items()
        },
        surplus_policy_default=s.surplus_policy_default,
        mileage_bps=s.mileage_bps,
        ticket_limit_default=s.ticket_limit_default,
        ticket_limit_max=MAX_TICKET_LIMIT,
        expected_entrants_max=MAX_EXPECTED_ENTRANTS,
        max_open_days=s.max_open_days,
        payment_hold_seconds=s.hold_seconds,
        deposit_expiry_seconds=s.deposit_expiry_seconds,
        currencies=dict(CURRENCIES),
        deadlines=DeadlinePolicy(
            **{
                name: DeadlineBounds(default=getattr(s, f"{name}_seconds"), min=low, max=high)
                for name, (low, high) in s.deadline_bounds.items()
            }
        ),
        play=play_view(s.play_policy),
    )
