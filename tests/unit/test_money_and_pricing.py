from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tombola.domain.errors import CurrencyMismatch, InvalidInput
from tombola.domain.money import Money
from tombola.domain.pricing import (
    DepositPolicy,
    PriceTerms,
    proportional_mileage,
    split_surplus_as_mileage,
)

prices = st.integers(min_value=2, max_value=10**12)
entrants = st.integers(min_value=2, max_value=10**6)


@pytest.mark.parametrize("bad", [1.5, "10", True, None])
def test_money_rejects_anything_but_an_int(bad: object) -> None:
    with pytest.raises(InvalidInput, match="whole number"):
        Money(bad, "KRW")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["krw", "KR", "", 5])
def test_money_rejects_a_bad_currency(bad: object) -> None:
    with pytest.raises(InvalidInput, match="ISO 4217"):
        Money(1, bad)  # type: ignore[arg-type]


def test_money_refuses_to_mix_currencies() -> None:
    with pytest.raises(CurrencyMismatch):
        Money(1, "KRW") + Money(1, "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money(1, "KRW") < Money(1, "USD")


@pytest.mark.parametrize("np_", [1, 0, -3])
def test_np_must_be_greater_than_one(np_: int) -> None:
    with pytest.raises(InvalidInput, match="greater than 1") as err:
        PriceTerms.from_expected_entrants(Money(1000, "KRW"), np_)
    assert err.value.field == "expected_entrants"


def test_price_must_be_positive() -> None:
    with pytest.raises(InvalidInput, match="price must be positive"):
        PriceTerms.from_expected_entrants(Money(0, "KRW"), 10)


def test_fee_must_not_be_negative_nor_in_another_currency() -> None:
    with pytest.raises(InvalidInput, match="fee"):
        PriceTerms.from_expected_entrants(Money(1000, "KRW"), 10, Money(-1, "KRW"))
    with pytest.raises(InvalidInput, match="fee"):
        PriceTerms.from_expected_entrants(Money(1000, "KRW"), 10, Money(1, "USD"))


def test_p1_rounds_up() -> None:
    t = PriceTerms.from_expected_entrants(Money(1_000, "KRW"), 3)
    assert t.first_payment == Money(334, "KRW")


def test_np_from_p1_rounds_up_and_p1_is_kept() -> None:
    t = PriceTerms.from_first_payment(Money(1_000, "KRW"), Money(300, "KRW"))
    assert t.expected_entrants == 4
    assert t.first_payment == Money(300, "KRW")


def test_p1_must_be_below_the_price() -> None:
    with pytest.raises(InvalidInput, match="less than the price"):
        PriceTerms.from_first_payment(Money(1_000, "KRW"), Money(1_000, "KRW"))


def test_fee_raises_p2() -> None:
    t = PriceTerms.from_expected_entrants(Money(1_000_000, "KRW"), 1_000, Money(5_000, "KRW"))
    assert t.second_payment(900) == Money(105_000, "KRW")
    assert t.surplus(1_100) == Money(95_000, "KRW")


def test_worst_case_counts_the_buyers_own_tickets() -> None:
    t = PriceTerms.from_expected_entrants(Money(1_000_000, "KRW"), 1_000)
    # 898 paid, buying 2 more: 2 × 1,000 + (1,000,000 − 900 × 1,000)
    assert t.worst_case(898, 2) == Money(102_000, "KRW")


def test_mileage_split_with_no_losers_leaves_everything_to_the_operator() -> None:
    split = split_surplus_as_mileage(Money(77, "KRW"), 0)
    assert split.per_ticket == Money(0, "KRW")
    assert split.remainder == Money(77, "KRW")


@pytest.mark.parametrize("bps", [-1, 10_001])
def test_bps_out_of_range(bps: int) -> None:
    with pytest.raises(InvalidInput, match="basis points"):
        proportional_mileage(Money(1000, "KRW"), bps)


def test_deposit_fixed_or_rate() -> None:
    assert DepositPolicy(fixed=Money(10_000, "KRW")).deposit_for(Money(5, "KRW")) == Money(
        10_000, "KRW"
    )
    assert DepositPolicy(rate_bps=300).deposit_for(Money(1_000_001, "KRW")) == Money(30_001, "KRW")
    with pytest.raises(InvalidInput, match="either"):
        DepositPolicy()
    with pytest.raises(InvalidInput, match="either"):
        DepositPolicy(fixed=Money(1, "KRW"), rate_bps=1)


@given(prices, entrants)
def test_np_tickets_always_cover_the_price(price: int, np_: int) -> None:
    t = PriceTerms.from_expected_entrants(Money(price, "KRW"), np_)
    assert t.first_payment * np_ >= t.price
    assert t.first_payment.amount >= 1
    # and P1 is the smallest such amount
    assert (t.first_payment.amount - 1) * np_ < price


@given(prices, entrants, st.integers(min_value=0, max_value=10**6), st.integers(0, 10**6))
def test_p2_is_never_negative_and_closes_the_gap(price: int, np_: int, nr: int, fee: int) -> None:
    t = PriceTerms.from_expected_entrants(Money(price, "KRW"), np_, Money(fee, "KRW"))
    p2 = t.second_payment(nr)
    assert p2.amount >= 0
    if t.needs_second_payment(nr):
        assert t.collected(nr) + p2 == t.price + t.fee
        assert t.surplus(nr).amount == 0
    else:
        assert t.collected(nr) == t.price + t.fee + t.surplus(nr)


@given(st.integers(0, 10**12), st.integers(0, 10**6))
def test_mileage_split_floors_and_loses_nothing(surplus: int, losers: int) -> None:
    split = split_surplus_as_mileage(Money(surplus, "KRW"), losers)
    assert split.issued + split.remainder == Money(surplus, "KRW")
    assert split.remainder.amount >= 0
    if losers:
        assert split.remainder.amount < losers
