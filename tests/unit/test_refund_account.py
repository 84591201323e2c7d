"""A refund account as people type it: hyphens, spaces, full-width digits, a Korean name."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tombola.api.models import ProfileIn

BASE = {"name": "김민지", "email": "minji@example.com", "phone": "010-1234-5678", "address": "서울"}


FULL_WIDTH = "123-456-789012".translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})


@pytest.mark.parametrize("typed", ["123-456-789012", "123 456 789012", FULL_WIDTH, "123456789012"])
def test_an_account_number_is_kept_as_its_digits(typed: str) -> None:
    account = {"bank": "KOOKMIN", "number": typed, "holder_name": "김민지"}
    profile = ProfileIn.model_validate(BASE | {"refund_account": account})
    assert profile.refund_account is not None
    assert profile.refund_account.number == "123456789012"


@pytest.mark.parametrize(
    ("account", "field"),
    [
        ({"bank": "KOOKMIN", "number": "12ab5678", "holder_name": "김민지"}, "number"),
        ({"bank": "KOOKMIN", "number": "12345", "holder_name": "김민지"}, "number"),
        ({"bank": "kb", "number": "123456789", "holder_name": "김민지"}, "bank"),
        ({"bank": "KOOKMIN", "number": "123456789", "holder_name": ""}, "holder_name"),
    ],
)
def test_a_wrong_account_names_its_field(account: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        ProfileIn.model_validate(BASE | {"refund_account": account})
    assert [e["loc"] for e in raised.value.errors()] == [("refund_account", field)]
