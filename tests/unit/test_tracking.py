"""Tracking numbers as sellers type them (tombola.domain.tracking): a known carrier's kept as its
digits, a count of digits it never uses refused; any other carrier's free text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tombola.domain.tracking import (
    WrongTrackingNumber,
    carrier_of,
    same_tracking_number,
    tracking_digits,
    tracking_number,
)

# digits and the hyphen as a Korean keyboard's full-width mode types them
WIDE = str.maketrans("0123456789-", "".join(chr(0xFF10 + n) for n in range(10)) + "\uff0d")


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("1234-5678-9012", "123456789012"),
        (" 1234 5678 9012 ", "123456789012"),
        ("123456789012".translate(WIDE), "123456789012"),
        ("1234-5678".translate(WIDE), "12345678"),
        ("1234\u20105678\u20139012", "123456789012"),  # typographic dashes
        ("1234\u30005678", "12345678"),  # an ideographic space
    ],
)
def test_what_people_type_is_its_digits(typed: str, digits: str) -> None:
    assert tracking_digits(typed) == digits


@pytest.mark.parametrize(
    ("carrier", "typed", "kept"),
    [
        ("CJ대한통운", "1234-5678-90", "1234567890"),
        ("cj 대한통운", "1234 5678 9012", "123456789012"),
        ("한진", "123456789012", "123456789012"),
        ("롯데택배", "1234-5678-9012-3", "1234567890123"),
        ("우체국택배(등기)", "12345-67890-123", "1234567890123"),
        ("Logen", "123-4567-8901", "12345678901"),
    ],
)
def test_a_known_carriers_number_is_kept_as_its_digits(carrier: str, typed: str, kept: str) -> None:
    assert tracking_number(carrier, typed) == kept


@pytest.mark.parametrize(
    ("carrier", "typed", "count"),
    [
        ("CJ대한통운", "12345", 5),
        ("CJ대한통운", "12345678901", 11),
        ("한진택배", "1234567890123", 13),
        ("롯데", "12345678901", 11),
        ("우체국", "123456789012", 12),
        ("로젠택배", "1234567890", 10),
        ("로젠택배", "ABC45678901", -1),
        ("우체국택배", "--", 0),
    ],
)
def test_a_count_the_carrier_never_uses_is_refused(carrier: str, typed: str, count: int) -> None:
    with pytest.raises(WrongTrackingNumber) as refused:
        tracking_number(carrier, typed)
    assert refused.value.count == count
    assert refused.value.carrier == carrier_of(carrier)


def test_another_carriers_number_is_free_text() -> None:
    assert carrier_of("Bicycle courier") is None
    assert tracking_number("Bicycle courier", "  BC-77 ") == "BC-77"
    # a bare "CJ" is too short to hold a seller to CJ대한통운's lengths
    assert carrier_of("CJ") is None
    assert tracking_number("CJ", "T-1") == "T-1"


def test_two_writings_of_one_number_are_the_same() -> None:
    assert same_tracking_number("123456789012", "1234-5678-9012")
    assert same_tracking_number("T-1", "T-1")
    assert not same_tracking_number("123456789012", "123456789013")


@pytest.mark.parametrize(
    "typed",
    [
        "BC-77",
        "bc 77 x",
        "택배-12",  # letters in any script
        "\uff22\uff23\uff0d\uff17\uff17",  # full-width letters, digits and hyphen
    ],
)
def test_another_carriers_number_is_letters_digits_hyphens_and_spaces(typed: str) -> None:
    assert tracking_number("Bicycle courier", typed) == typed


@pytest.mark.parametrize(
    "typed",
    [
        "BC\x0077",  # a control character
        "BC\u200b77",  # zero-width space (a format character)
        "BC\u202e77",  # a right-to-left override
        "BC\t77",
        "BC\n77",
        "BC/77",
        "<b>77</b>",
        "BC_77",
        "77!",
    ],
)
def test_another_carriers_number_refuses_anything_else(typed: str) -> None:
    with pytest.raises(WrongTrackingNumber) as refused:
        tracking_number("Bicycle courier", typed)
    assert refused.value.carrier is None
    assert refused.value.count == -1


@given(st.text(min_size=1, max_size=40))
def test_another_carriers_number_kept_has_no_control_or_format_character(typed: str) -> None:
    try:
        kept = tracking_number("Bicycle courier", typed)
    except WrongTrackingNumber:
        return
    assert kept == typed.strip()
    assert not any(unicodedata.category(ch)[0] == "C" for ch in kept)
    assert all(ch.isalnum() or ch in "- " for ch in unicodedata.normalize("NFKC", kept))
