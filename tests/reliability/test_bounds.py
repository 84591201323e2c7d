"""Seller-chosen deadlines lie within the operator's bounds, every number in a request has an
upper bound, and a listing closes at most MaxOpenDays ahead: outside → 422 naming the field,
nothing written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tombola_dev.driver import Driver
from tombola_dev.template import Template

from tombola.api.models import Currency
from tombola.config import Settings
from tombola.domain.money import CURRENCIES


def _items(d: Driver) -> int:
    return int(d.store.client.scan(TableName=d.store.table, Select="COUNT")["Count"])


def _create(d: Driver, **fields: Any) -> Any:
    body = {
        "title": "Camera",
        "price": 1_000_000,
        "expected_entrants": 1_000,
        "closes_at": (d.clock.now() + timedelta(hours=1)).isoformat(),
    } | fields
    return d.as_("seller", "POST", "/listings", body)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"deadlines": {"delivery": 1, "confirm": 10**9 + 1}}, "body.deadlines.confirm"),
        ({"deadlines": {"second_payment": 10**12}}, "body.deadlines.second_payment"),
        ({"deadlines": {"confirm": 10**40}}, "body.deadlines.confirm"),
        ({"deadlines": {"ship": 0}}, "body.deadlines.ship"),
        ({"price": 10**40}, "body.price"),
        ({"expected_entrants": 10**30}, "body.expected_entrants"),
        ({"ticket_limit": 10**6}, "body.ticket_limit"),
        ({"currency": "ZZZ"}, "body.currency"),
        ({"closes_at": "9999-12-31T00:00:00Z"}, "closes_at"),
        ({"closes_at": "2001-01-01T00:00:00Z"}, "closes_at"),
    ],
)
def test_numbers_and_dates_out_of_bounds_are_422_naming_the_field(
    d: Driver, fields: dict[str, Any], field: str
) -> None:
    d.user("seller", "seller", payout=True)
    before = _items(d)
    r = _create(d, **fields)
    assert r.status == 422, r
    assert r.body["error"]["field"] == field, r.body
    assert _items(d) == before


def test_deadlines_outside_the_operators_bounds_are_refused(d: Driver) -> None:
    """With production bounds (confirm ≥ 3 days), 1-second waits are refused."""
    d.user("seller", "seller", payout=True)
    s = Settings.from_env(_production_env())
    assert s.deadline_bounds["confirm"][0] >= 3 * 86_400
    assert s.deadline_bounds["ship"][0] >= 86_400
    # The test stack allows 1 s; its maximum is the template's.
    r = _create(d, deadlines={"confirm": 2_592_001})
    assert r.status == 422
    assert r.body["error"]["field"] == "deadlines.confirm"
    assert "between 1 and 2592000 seconds" in r.body["error"]["message"]
    ok = _create(d, deadlines={"confirm": 2_592_000, "ship": 1})
    assert ok.status == 201
    assert ok.body["listing"]["deadlines"]["confirm"] == 2_592_000


def _production_env() -> dict[str, str]:
    """The environment template.yaml gives a function with its parameters' defaults."""
    template = Template.load()
    return template.functions()["ListingsFunction"].stand_in_environment(template.parameters)


def test_a_default_outside_its_own_bounds_fails_at_start() -> None:
    env = _production_env() | {"CONFIRM_SECONDS": "60"}
    with pytest.raises(ValueError, match="confirm"):
        Settings.from_env(env)


def test_closes_at_up_to_the_limit_is_accepted(d: Driver) -> None:
    d.user("seller", "seller", payout=True)
    at = d.clock.now() + timedelta(days=90) - timedelta(minutes=1)
    assert _create(d, closes_at=at.isoformat()).status == 201
    late = _create(d, closes_at=(at + timedelta(minutes=2)).isoformat())
    assert late.status == 422
    assert "90 days" in late.body["error"]["message"]


def test_listing_currencies_are_the_ones_with_known_minor_units(d: Driver) -> None:
    assert set(Currency.__args__) == set(CURRENCIES)  # type: ignore[attr-defined]
    d.user("seller", "seller", payout=True)
    r = _create(d, currency="USD", price=10_000)
    assert r.status == 201
    assert r.body["listing"]["currency_minor_units"] == 2
