"""The money rules of a listing: P1, Np, P2, surplus, mileage and the seller deposit.

Paragraph marks refer to KR 10-1753024; docs/RULES.md states the rules and docs/DECISIONS.md
our choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tombola.domain.errors import InvalidInput
from tombola.domain.money import Money, require_int

BPS_DENOMINATOR = 10_000


def ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


class SurplusPolicy(StrEnum):
    """Where P1 collected beyond Pp + k goes [0048] / [0050]."""

    OPERATOR = "operator"
    MILEAGE = "mileage"


def _require_positive(money: Money, name: str) -> Money:
    if money.amount <= 0:
        raise InvalidInput(f"{name} must be positive, got {money.amount}", field=name)
    return money


def _require_bps(bps: int, name: str) -> int:
    require_int(bps, name)
    if not 0 <= bps <= BPS_DENOMINATOR:
        raise InvalidInput(
            f"{name} must be between 0 and 10000 basis points, got {bps}", field=name
        )
    return bps


@dataclass(frozen=True, slots=True)
class PriceTerms:
    """Pp, Np, P1 and k of one listing; P1 × Np ≥ Pp always holds."""

    price: Money
    expected_entrants: int
    first_payment: Money
    fee: Money

    @classmethod
    def from_expected_entrants(
        cls, price: Money, expected_entrants: int, fee: Money | None = None
    ) -> PriceTerms:
        """P1 = Pp / Np rounded up, so Np tickets always cover Pp [claim 2, 0043]."""
        _require_positive(price, "price")
        require_int(expected_entrants, "expected_entrants")
        if expected_entrants <= 1:
            raise InvalidInput(
                "expected_entrants must be a natural number greater than 1, "
                f"got {expected_entrants}",
                field="expected_entrants",
            )
        p1 = Money(ceil_div(price.amount, expected_entrants), price.currency)
        return cls._checked(price, expected_entrants, p1, fee)

    @classmethod
    def from_first_payment(
        cls, price: Money, first_payment: Money, fee: Money | None = None
    ) -> PriceTerms:
        """Np = ceil(Pp / P1) when the seller sets P1 instead of Np (DOMAIN rule 1)."""
        _require_positive(price, "price")
        _require_positive(first_payment, "first_payment")
        if first_payment >= price:
            raise InvalidInput(
                "first_payment must be less than the price, "
                "so that more than one entrant is expected",
                field="first_payment",
            )
        return cls._checked(price, ceil_div(price.amount, first_payment.amount), first_payment, fee)

    @classmethod
    def _checked(
        cls, price: Money, expected_entrants: int, first_payment: Money, fee: Money | None
    ) -> PriceTerms:
        fee = fee if fee is not None else Money.zero(price.currency)
        if fee.currency != price.currency:
            raise InvalidInput("fee must be in the listing's currency", field="fee")
        if fee.amount < 0:
            raise InvalidInput(f"fee must not be negative, got {fee.amount}", field="fee")
        return cls(price, expected_entrants, first_payment, fee)

    @property
    def currency(self) -> str:
        return self.price.currency

    def collected(self, paid_tickets: int) -> Money:
        """ΣP1 over Nr paid tickets."""
        return self.first_payment * _require_count(paid_tickets, "paid_tickets")

    def second_payment(self, paid_tickets: int) -> Money:
        """P2 = Pp + k − P1 × Nr when positive, else nothing is due [0045, claim 3]."""
        due = self.price + self.fee - self.collected(paid_tickets)
        return due if due.amount > 0 else Money.zero(self.currency)

    def needs_second_payment(self, paid_tickets: int) -> bool:
        return self.second_payment(paid_tickets).amount > 0

    def surplus(self, paid_tickets: int) -> Money:
        """P1 × Nr − Pp − k when the tickets already cover the price, else zero [0048]."""
        extra = self.collected(paid_tickets) - self.price - self.fee
        return extra if extra.amount > 0 else Money.zero(self.currency)

    def worst_case(self, paid_tickets_now: int, tickets: int) -> Money:
        """What a buyer taking ``tickets`` now pays at most: their P1s and P2 if drawn now."""
        after = _require_count(paid_tickets_now, "paid_tickets_now") + _require_count(
            tickets, "tickets"
        )
        return self.first_payment * tickets + self.second_payment(after)


def _require_count(value: int, name: str) -> int:
    require_int(value, name)
    if value < 0:
        raise InvalidInput(f"{name} must not be negative, got {value}", field=name)
    return value


@dataclass(frozen=True, slots=True)
class MileageSplit:
    """Surplus shared as mileage: floor per non-winning ticket, remainder to the operator [0050]."""

    per_ticket: Money
    tickets: int
    remainder: Money

    @property
    def issued(self) -> Money:
        return self.per_ticket * self.tickets


def split_surplus_as_mileage(surplus: Money, non_winning_tickets: int) -> MileageSplit:
    if surplus.amount < 0:
        raise InvalidInput("surplus must not be negative", field="surplus")
    _require_count(non_winning_tickets, "non_winning_tickets")
    if non_winning_tickets == 0:
        return MileageSplit(Money.zero(surplus.currency), 0, surplus)
    per_ticket = surplus.amount // non_winning_tickets
    remainder = surplus.amount - per_ticket * non_winning_tickets
    return MileageSplit(
        Money(per_ticket, surplus.currency),
        non_winning_tickets,
        Money(remainder, surplus.currency),
    )


def proportional_mileage(first_payment: Money, rate_bps: int) -> Money:
    """Mileage per non-winning ticket as a rate of P1 in basis points, floored [0056]."""
    _require_bps(rate_bps, "mileage_bps")
    return Money(first_payment.amount * rate_bps // BPS_DENOMINATOR, first_payment.currency)


@dataclass(frozen=True, slots=True)
class DepositPolicy:
    """Seller deposit: a fixed amount per listing, or a rate of Pp rounded up [claim 1]."""

    fixed: Money | None = None
    rate_bps: int | None = None

    def __post_init__(self) -> None:
        if (self.fixed is None) == (self.rate_bps is None):
            raise InvalidInput("a deposit policy is either a fixed amount or a rate, not both")
        if self.fixed is not None and self.fixed.amount < 0:
            raise InvalidInput("the fixed deposit must not be negative", field="deposit")
        if self.rate_bps is not None:
            _require_bps(self.rate_bps, "deposit_rate_bps")

    def deposit_for(self, price: Money) -> Money:
        if self.fixed is not None:
            if self.fixed.currency != price.currency:
                raise InvalidInput("the fixed deposit is in another currency", field="currency")
            return self.fixed
        assert self.rate_bps is not None
        return Money(ceil_div(price.amount * self.rate_bps, BPS_DENOMINATOR), price.currency)


@dataclass(frozen=True, slots=True)
class CurrencyPolicy:
    """The operator's fee k and deposit rule for listings priced in one currency, in that
    currency's own minor units (1,000 is ₩1,000 but $10.00)."""

    fee: Money
    deposit: DepositPolicy

    def __post_init__(self) -> None:
        if self.fee.amount < 0:
            raise InvalidInput("the fee must not be negative", field="fee")
        if self.deposit.fixed is not None and self.deposit.fixed.currency != self.fee.currency:
            raise InvalidInput("the fixed deposit is in another currency", field="currency")
