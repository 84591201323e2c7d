"""Phone numbers as people type them (`010-1234-5678`, `+82 10 …`, full-width digits), kept in
E.164 (`+821012345678`) so an SMS provider takes them. A number without a country code is read
as the operator's market writes it: Korean (`010-…`) by default, British (`07400 …`) for UK."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

HOME_REGION = "KR"
# The region of the function handling the request (its market's), set around each request.
_region: ContextVar[str] = ContextVar("phone_region", default=HOME_REGION)
_TEXTABLE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
# what a number is typed with: digits, a leading +, and the separators people put between them
_TYPED = re.compile(r"\+?[\d\s().\-/]{4,30}")


class NotAPhoneNumber(ValueError):
    pass


@contextmanager
def home_region(region: str) -> Iterator[None]:
    """Numbers typed without a country code are read as ``region``'s within this block."""
    token = _region.set(region)
    try:
        yield
    finally:
        _region.reset(token)


def example(region: str | None = None, *, abroad: bool = False) -> str:
    """How a mobile number of ``region`` (the request's by default) is typed at home, or from
    abroad (with its country code), for the error that asks for one."""
    number = phonenumbers.example_number_for_type(region or _region.get(), PhoneNumberType.MOBILE)
    assert number is not None, region  # every market's region has an example mobile
    style = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(number, style.INTERNATIONAL if abroad else style.NATIONAL)


def _parse(typed: str) -> phonenumbers.PhoneNumber:
    text = unicodedata.normalize("NFKC", typed).strip()
    if not _TYPED.fullmatch(text):  # not words around it, not an extension: a number alone
        raise NotAPhoneNumber("only digits, spaces, + - ( ) . /")
    try:
        number = phonenumbers.parse(text, _region.get())
    except NumberParseException as err:
        raise NotAPhoneNumber(str(err)) from None
    if not phonenumbers.is_valid_number(number) or number.extension:
        raise NotAPhoneNumber("not a number that can be dialled")
    return number


def e164(typed: str) -> str:
    """``010-1234-5678`` → ``+821012345678``; NotAPhoneNumber when it cannot be one."""
    return phonenumbers.format_number(_parse(typed), phonenumbers.PhoneNumberFormat.E164)


def textable(phone: str) -> str | None:
    """The number in E.164 if it can receive an SMS (a mobile), else None (a landline, or a
    number saved before numbers were checked that is not one)."""
    try:
        number = _parse(phone)
    except NotAPhoneNumber:
        return None
    if phonenumbers.number_type(number) not in _TEXTABLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
