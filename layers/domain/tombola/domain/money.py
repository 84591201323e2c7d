"""Money in whole minor units of one currency. Never a float."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tombola.domain.errors import CurrencyMismatch, InvalidInput

# Up to 10^15 minor units: far above any price, far below DynamoDB's 38-digit numbers.
MAX_AMOUNT = 10**15

_CURRENCY = re.compile(r"^[A-Z]{3}$")

# The currencies a listing may be priced in, with their minor units (KRW and JPY have none).
# Amounts are always whole minor units: 1,000 KRW is 1000; 10.00 USD is 1000.
CURRENCIES: dict[str, int] = {"KRW": 0, "USD": 2, "EUR": 2, "JPY": 0}


def require_int(value: object, name: str) -> int:
    """Reject floats, bools and strings where an amount or count is expected."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be a whole number, got {value!r}", field=name)
    return value


def require_currency(code: object) -> str:
    if not isinstance(code, str) or not _CURRENCY.match(code):
        raise InvalidInput(
            f"currency must be a 3-letter ISO 4217 code, got {code!r}", field="currency"
        )
    return code


@dataclass(frozen=True, order=False, slots=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        require_int(self.amount, "amount")
        require_currency(self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, times: int) -> Money:
        return Money(self.amount * require_int(times, "multiplier"), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
