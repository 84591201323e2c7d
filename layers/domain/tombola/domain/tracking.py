"""Tracking numbers as sellers type them. The Korean carriers' numbers are digits only, of a few
lengths each; people type them with spaces or hyphens between groups, or in full-width digits
from a Korean keyboard. For a carrier named here surely (by its name, a Korean alias, a Latin one
of three letters or more, or what starts with one of three or more: as web/src/carriers.ts
checks them) the number is kept as its digits and a count of digits the carrier never uses is
refused; any other carrier's number is kept as typed, but only letters (any script), digits,
hyphens and spaces: no control or invisible characters, nothing else a carrier's number never
has. A bare Latin "CJ" is not enough to hold a seller to CJ대한통운's lengths (the web client
links it to CJ's tracking page all the same)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Carrier:
    name: str  # as Korean readers know it
    aliases: frozenset[str]  # lower case, without spaces, dots, hyphens or brackets
    lengths: tuple[int, ...]  # how many digits its tracking numbers have


CARRIERS = (
    Carrier(
        "CJ대한통운",
        frozenset({"cj", "cj대한통운", "대한통운", "cjlogistics", "cj택배", "cjkoreaexpress"}),
        (10, 12),
    ),
    Carrier("한진택배", frozenset({"한진", "한진택배", "hanjin", "hanjinexpress"}), (10, 12)),
    Carrier(
        "롯데택배",
        frozenset({"롯데", "롯데택배", "롯데글로벌로지스", "lotte", "lotteglogis", "lotteglobal"}),
        (12, 13),
    ),
    Carrier("우체국택배", frozenset({"우체국", "우체국택배", "epost", "koreapost"}), (13,)),
    Carrier("로젠택배", frozenset({"로젠", "로젠택배", "logen", "ilogen"}), (11,)),
)

_SQUASH = re.compile(r"[\s._()\-]")
# spaces and the dashes people type between groups of digits (NFKC has made full-width ones ASCII)
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]")
_DIGITS = re.compile(r"[0-9]*")


def _sure(alias: str) -> bool:
    """An alias that names its carrier surely: Korean ("한진"), or three Latin letters or more."""
    return len(alias) > 2 or not alias.isascii()


def carrier_of(text: str) -> Carrier | None:
    """The carrier a seller's free text surely names, if it is one of these: its name or a sure
    alias, or what starts with an alias of three letters or more ("우체국택배(등기)")."""
    s = _SQUASH.sub("", unicodedata.normalize("NFKC", text).lower())
    if not s:
        return None
    for c in CARRIERS:
        if any(s == a and _sure(a) for a in c.aliases):
            return c
    for c in CARRIERS:
        if any(len(a) > 2 and s.startswith(a) for a in c.aliases):
            return c
    return None


def tracking_digits(typed: str) -> str:
    """A tracking number as typed, as its characters: full-width made ASCII, spaces and hyphens
    dropped ("1234-5678 9012" in full-width digits → "123456789012")."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", typed))


class WrongTrackingNumber(ValueError):
    """A known carrier's number that is not digits only, or has a count of digits it never uses;
    another carrier's (``carrier`` None) with a character no tracking number has."""

    def __init__(self, carrier: Carrier | None, digits: str) -> None:
        self.carrier = carrier
        # how many digits were typed; -1 when something else was typed too
        self.count = len(digits) if _DIGITS.fullmatch(digits) else -1
        if carrier is None:
            super().__init__("a tracking number is letters, digits, hyphens and spaces only")
            return
        lengths = " or ".join(str(n) for n in carrier.lengths)
        super().__init__(f"a {carrier.name} tracking number is {lengths} digits")


class WrongCarrier(ValueError):
    """A carrier's name with characters no carrier's name has."""


CARRIER_PUNCTUATION = "-&() "


def carrier_name(typed: str) -> str:
    """A carrier as typed, trimmed, full-width as ASCII (NFKC), runs of spaces as one: letters
    of any script, digits and ``- & ( )`` only. It is shown to the buyer and sent in their
    messages, so no link, control or text-reordering character gets through it."""
    name = " ".join(unicodedata.normalize("NFKC", typed).split())
    if not name or not all(ch.isalnum() or ch in CARRIER_PUNCTUATION for ch in name):
        raise WrongCarrier(
            "a carrier's name is letters, digits, spaces, hyphens, '&' and brackets only"
        )
    return name


def _free_text_char(ch: str) -> bool:
    """What another carrier's number may have: a letter (any script), a digit, a hyphen, a
    space (full-width ones as their ASCII, NFKC)."""
    return ch.isalnum() or ch in "- "


def tracking_number(carrier: str, typed: str) -> str:
    """What is kept for ``typed`` shipped with ``carrier``: a known carrier's number as its
    digits (refused when they do not fit it), any other as typed, trimmed (refused with a
    character other than letters, digits, hyphens and spaces)."""
    known = carrier_of(carrier)
    if known is None:
        kept = typed.strip()
        if not all(_free_text_char(ch) for ch in unicodedata.normalize("NFKC", kept)):
            raise WrongTrackingNumber(None, tracking_digits(kept))
        return kept
    digits = tracking_digits(typed)
    if not _DIGITS.fullmatch(digits) or len(digits) not in known.lengths:
        raise WrongTrackingNumber(known, digits)
    return digits


def same_tracking_number(a: str, b: str) -> bool:
    """Whether two writings name one tracking number ("1234-5678-9012", "123456789012")."""
    return tracking_digits(a).casefold() == tracking_digits(b).casefold()
