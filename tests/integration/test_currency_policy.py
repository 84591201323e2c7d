"""The fee and the fixed deposit are per currency, each in its own minor units: FeeK and
DepositFixed are KRW's (won), CurrencyAmounts gives the others' (USD in cents); a currency the
operator set no amounts for is refused while KRW's are not 0 (no conversion is guessed)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from tombola_dev.driver import Driver

AMOUNTS = {
    "FeeK": "500",
    "DepositFixed": "30000",
    "CurrencyAmounts": json.dumps({"USD": {"fee": 150, "deposit_fixed": 2_500}, "JPY": {}}),
}


def _create(d: Driver, **fields: Any) -> Any:
    body = {
        "title": "Camera",
        "price": 100_000,
        "expected_entrants": 100,
        "closes_at": (d.clock.now() + timedelta(hours=1)).isoformat(),
    } | fields
    return d.as_("sam", "POST", "/listings", body)


@pytest.mark.parametrize("d", [AMOUNTS], indirect=True)
def test_each_currency_has_its_own_fee_and_deposit_in_its_minor_units(d: Driver) -> None:
    policy = d.ok(d.stack.http("GET", "/policy"))
    assert (policy["fee"], policy["deposit"]) == (500, {"fixed": 30_000, "rate_bps": None})
    assert policy["by_currency"] == {
        "KRW": {"minor_units": 0, "fee": 500, "deposit": {"fixed": 30_000, "rate_bps": None}},
        "USD": {"minor_units": 2, "fee": 150, "deposit": {"fixed": 2_500, "rate_bps": None}},
        "JPY": {"minor_units": 0, "fee": 0, "deposit": {"fixed": None, "rate_bps": 500}},
    }
    d.user("sam", "seller", payout=True)
    won = d.ok(_create(d, currency="KRW"), 201)
    assert (won["listing"]["fee"], won["deposit"]["amount"]) == (500, 30_000)
    dollars = d.ok(_create(d, currency="USD"), 201)  # $1,000.00
    assert (dollars["listing"]["fee"], dollars["deposit"]["amount"]) == (150, 2_500)  # $1.50, $25
    yen = d.ok(_create(d, currency="JPY"), 201)
    assert (yen["listing"]["fee"], yen["deposit"]["amount"]) == (0, 5_000)  # the rate: 5 %
    # EUR has no amounts while KRW's are not 0: refused, nothing guessed, nothing written
    refused = _create(d, currency="EUR")
    assert refused.status == 422, refused.body
    assert refused.body["error"]["field"] == "currency"
    assert "EUR" in refused.body["error"]["message"]
    assert len(d.ok(d.as_("sam", "GET", "/me/listings"))["listings"]) == 3


def test_without_fixed_amounts_every_currency_gets_the_rate_and_no_fee(d: Driver) -> None:
    policy = d.ok(d.stack.http("GET", "/policy"))
    assert sorted(policy["by_currency"]) == ["EUR", "JPY", "KRW", "USD"]
    assert {c["fee"] for c in policy["by_currency"].values()} == {0}
    d.user("sam", "seller", payout=True)
    euros = d.ok(_create(d, currency="EUR", price=1_999), 201)
    assert (euros["listing"]["fee"], euros["deposit"]["amount"]) == (0, 100)  # 5 %, rounded up
