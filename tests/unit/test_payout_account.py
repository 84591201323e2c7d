"""A seller's payout account as people type it (tombola.domain.banks, api.models.PayoutAccountIn):
a bank from the list, the number with hyphens, spaces or full-width digits kept as 10 to 16
digits, the holder's name in any script without control characters; shown elsewhere as its bank
and last 4 digits, an old free-text account by its digits only."""

from __future__ import annotations

import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st
from portone_server_sdk._generated.common.bank import Bank as PortOneBank
from pydantic import ValidationError

from tombola.api.models import ProfileIn
from tombola.domain.banks import BANKS, account_number, bank_of, last_digits, masked

BASE = {"name": "김민지", "email": "minji@example.com", "phone": "010-1234-5678", "address": "서울"}
ACCOUNT = {"bank": "088", "number": "110-123-456789", "holder_name": "김민지"}
# what a Korean keyboard's full-width mode types
WIDE = str.maketrans("0123456789-", "".join(chr(0xFF10 + n) for n in range(10)) + "\uff0d")


def _profile(**account: str) -> ProfileIn:
    return ProfileIn.model_validate(BASE | {"payout_account": ACCOUNT | account})


def test_the_banks_are_the_interbank_networks_codes_each_once_and_portones_too() -> None:
    codes = [b.code for b in BANKS]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 3 and c.isdigit() for c in codes)
    named = {"004", "088", "020", "081", "011", "003", "090", "092", "089", "023", "032", "031"}
    assert named <= set(codes)
    shinhan = bank_of("088")
    assert shinhan is not None
    assert shinhan.name == "신한"
    portone = set(typing.get_args(typing.get_args(PortOneBank)[0]))
    assert {b.portone for b in BANKS} <= portone  # a refund account names the same banks


@pytest.mark.parametrize(
    "typed",
    [
        "110-123-456789",
        "110 123 456789",
        " 110123456789 ",
        "110-123-456789".translate(WIDE),
        "110\u2010123\u2013456789",  # typographic dashes
        "110\u3000123\u3000456789",  # ideographic spaces
    ],
)
def test_an_account_number_is_kept_as_its_digits(typed: str) -> None:
    profile = _profile(number=typed)
    assert profile.payout_account is not None
    assert profile.payout_account.number == "110123456789"


@pytest.mark.parametrize(
    ("account", "field", "kind"),
    [
        ({"bank": "999"}, "bank", "bank_unknown"),
        ({"bank": "SHINHAN"}, "bank", "string_too_long"),
        ({"bank": ""}, "bank", "bank_unknown"),
        ({"number": "123-456-789"}, "number", "account_number_invalid"),  # 9 digits
        ({"number": "1234567890123456789"}, "number", "account_number_invalid"),  # 19
        ({"number": "110-123-45678a"}, "number", "account_number_invalid"),
        ({"number": "김민지 110123456789"}, "number", "account_number_invalid"),
        ({"holder_name": ""}, "holder_name", "holder_name_invalid"),
        ({"holder_name": "김민\x00지"}, "holder_name", "holder_name_invalid"),
        ({"holder_name": "김민\u200b지"}, "holder_name", "holder_name_invalid"),  # zero-width
        ({"holder_name": "김민\u202e지"}, "holder_name", "holder_name_invalid"),  # bidi override
        ({"holder_name": "김\n민지"}, "holder_name", "holder_name_invalid"),
        ({"holder_name": "1234"}, "holder_name", "holder_name_invalid"),  # no letters
        ({"holder_name": "가" * 61}, "holder_name", "holder_name_invalid"),
    ],
)
def test_a_wrong_account_names_its_field(account: dict[str, str], field: str, kind: str) -> None:
    with pytest.raises(ValidationError) as raised:
        _profile(**account)
    [error] = raised.value.errors()
    assert (error["loc"], error["type"]) == (("payout_account", field), kind)


def test_a_wrong_number_says_its_bounds_and_what_was_typed() -> None:
    with pytest.raises(ValidationError) as raised:
        _profile(number="123-456")
    assert raised.value.errors()[0]["ctx"] == {"min_digits": 10, "max_digits": 16, "digits": 6}
    with pytest.raises(ValidationError) as raised:
        _profile(number="12-ab")
    assert raised.value.errors()[0]["ctx"]["digits"] == -1


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("김민지", "김민지"),
        ("  김  민지 ", "김 민지"),
        ("\u1100\u1175\u11b7\u1106\u1175\u11ab\u110c\u1175", "김민지"),  # decomposed jamo (NFD)
        ("(주)한빛상사", "(주)한빛상사"),
        ("\uff2b\uff49\uff4d \uff2d\uff49\uff4e\uff4a\uff49", "Kim Minji"),  # full-width Latin
        ("Zoë O'Brien-Park", "Zoë O'Brien-Park"),
        ("山田太郎", "山田太郎"),
    ],
)
def test_a_holders_name_in_any_script_is_kept_normalised(typed: str, kept: str) -> None:
    profile = _profile(holder_name=typed)
    assert profile.payout_account is not None
    assert profile.payout_account.holder_name == kept


def test_an_account_shows_as_its_bank_and_last_four_digits() -> None:
    assert masked("088", "110123455678") == "신한 …5678"
    assert masked("004", "1234567890") == "KB국민 …7890"
    assert masked("777", "1234567890") == "777 …7890"  # a code the list no longer has


@pytest.mark.parametrize(
    ("text", "shown", "ending"),
    [
        ("KB-000-1234", "…1234", "1234"),
        ("국민 123-45-6789 김민지", "…6789", "6789"),  # the name after the number never shows
        ("KB-seller", "…", None),
        ("우리 " + "12345".translate(WIDE), "…2345", "2345"),
    ],
)
def test_an_old_free_text_account_shows_its_digits_only(
    text: str, shown: str, ending: str | None
) -> None:
    assert masked(None, text) == shown
    assert last_digits(text) == ending


@given(st.text(max_size=80))
def test_a_masked_old_account_never_shows_a_letter_of_it(text: str) -> None:
    shown = masked(None, text)
    assert shown.startswith("…")
    assert all("0" <= ch <= "9" for ch in shown[1:])
    assert len(shown) <= 5


@given(
    st.lists(st.integers(0, 9), min_size=10, max_size=16),
    st.lists(st.sampled_from(["-", " ", "\u3000", "\uff0d", ""]), min_size=16, max_size=16),
    st.booleans(),
)
def test_any_typing_of_a_number_is_its_digits(
    digits: list[int], separators: list[str], wide: bool
) -> None:
    plain = "".join(map(str, digits))
    typed = "".join(d + s for d, s in zip(plain, separators, strict=False))
    if wide:
        typed = typed.translate(WIDE)
    assert account_number(typed) == plain
    assert masked("020", account_number(typed)) == f"우리 …{plain[-4:]}"
