"""Hostile values at the notes routes and the refusals' bounds, through the real handlers on
moto: a 4xx or an answer, never a 500; limits are plain JSON values."""

from __future__ import annotations

import pytest
from tombola_dev.driver import Driver


@pytest.mark.parametrize(
    "upto", ["\ud800", "~" * 100, "NOTE#x", "x" * 100, "20260101T000000.000000Z#" + "0" * 32]
)
def test_reading_up_to_a_hostile_note_id_is_a_4xx(d: Driver, upto: str) -> None:
    d.user("ann", "buyer")
    r = d.as_("ann", "POST", "/me/notifications/read", {"upto": upto})
    assert 400 <= r.status < 500, (r.status, r.body)


@pytest.mark.parametrize("before", ["\ud800", "~" * 100, "\uffff" * 100, "!", "NOTE#", " "])
def test_paging_before_a_hostile_value_is_an_answer(d: Driver, before: str) -> None:
    d.user("ann", "buyer")
    r = d.as_("ann", "GET", "/me/notifications", query={"before": before})
    assert r.status in (200, 422), (r.status, r.body)


def test_every_validation_problem_body_is_json_with_plain_limits(d: Driver) -> None:
    d.user("sam", "seller", payout=True)
    bodies = [
        {"title": "x", "price": 1.5, "expected_entrants": 0, "closes_at": "2020-01-01"},
        {
            "title": "",
            "price": 10**30,
            "first_payment": -1,
            "closes_at": "nope",
            "currency": "XXX",
            "surplus_policy": "?",
            "deadlines": {"ship": "x"},
        },
    ]
    for body in bodies:
        r = d.as_("sam", "POST", "/listings", body)
        assert r.status == 422, r
        for p in r.body["problems"]:
            for v in (p.get("limits") or {}).values():
                assert isinstance(v, int | float | str), p
