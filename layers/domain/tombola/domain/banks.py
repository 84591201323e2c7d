"""Korean banks and bank accounts as people type them. A seller's payout account is a bank from
this list (by its three-digit code on Korea's interbank network, 금융결제원), an account number
(typed with hyphens, spaces or full-width digits; kept as 10 to 16 digits) and its holder's name.
Anywhere but to its owner and to the operator making the transfer, an account shows as its
bank and the last 4 digits of its number ("신한 …5678"). The web client mirrors this list
(web/src/banks.ts; a test compares them), and a buyer's refund account is chosen from it too
(by PortOne's code for the same bank)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Bank:
    code: str  # three digits, the interbank network's (금융결제원 은행코드)
    name: str  # short, as its customers say it: what a masked account starts with
    english: str
    portone: str  # PortOne's code for it (a refund of a virtual-account payment names one)


BANKS = (
    Bank("004", "KB국민", "KB Kookmin Bank", "KOOKMIN"),
    Bank("088", "신한", "Shinhan Bank", "SHINHAN"),
    Bank("020", "우리", "Woori Bank", "WOORI"),
    Bank("081", "하나", "Hana Bank", "HANA"),
    Bank("011", "NH농협", "NH NongHyup Bank", "NONGHYUP"),
    Bank("003", "IBK기업", "IBK Industrial Bank", "IBK"),
    Bank("090", "카카오뱅크", "KakaoBank", "KAKAO"),
    Bank("092", "토스뱅크", "Toss Bank", "TOSS"),
    Bank("089", "케이뱅크", "K bank", "K_BANK"),
    Bank("023", "SC제일", "SC First Bank", "STANDARD_CHARTERED"),
    Bank("027", "씨티", "Citibank Korea", "CITI"),
    Bank("002", "KDB산업", "KDB Korea Development Bank", "KDB"),
    Bank("007", "수협", "Suhyup Bank", "SUHYUP"),
    Bank("032", "부산", "Busan Bank", "BUSAN"),
    Bank("031", "iM뱅크(대구)", "iM Bank (Daegu)", "DAEGU"),
    Bank("034", "광주", "Gwangju Bank", "KWANGJU"),
    Bank("037", "전북", "Jeonbuk Bank", "JEONBUK"),
    Bank("039", "경남", "Kyongnam Bank", "KYONGNAM"),
    Bank("035", "제주", "Jeju Bank", "JEJU"),
    Bank("071", "우체국", "Korea Post", "POST"),
    Bank("045", "새마을금고", "MG Saemaul Geumgo", "KFCC"),
    Bank("048", "신협", "Shinhyup", "SHINHYUP"),
)
_BY_CODE = {b.code: b for b in BANKS}

ACCOUNT_DIGITS = (10, 16)  # the fewest and the most digits a Korean account number has
HOLDER_NAME_CHARS = 60
# spaces and the dashes people type between groups of digits (NFKC has made full-width ones ASCII)
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]")
_DIGITS = re.compile(r"[0-9]+")


def bank_of(code: str) -> Bank | None:
    return _BY_CODE.get(code)


class WrongAccountNumber(ValueError):
    """Not digits only, or not as many as an account number has."""

    def __init__(self, digits: str) -> None:
        # how many digits were typed; -1 when something else was typed too
        self.count = len(digits) if digits == "" or _DIGITS.fullmatch(digits) else -1
        low, high = ACCOUNT_DIGITS
        super().__init__(
            f"an account number is {low} to {high} digits (hyphens and spaces allowed)"
        )


def account_number(typed: str) -> str:
    """An account number as typed ("110-123-456789", full-width digits, spaces), as its digits."""
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", typed))
    low, high = ACCOUNT_DIGITS
    if not _DIGITS.fullmatch(digits) or not low <= len(digits) <= high:
        raise WrongAccountNumber(digits)
    return digits


class WrongHolderName(ValueError):
    pass


HOLDER_PUNCTUATION = " ().,&-'·"  # what companies' and people's names have
# full-width ASCII (U+FF01..U+FF5E) and the ideographic space as their ASCII
_FULL_WIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)} | {0x3000: 0x20}


def _refused(ch: str) -> bool:
    """Control (tabs and line breaks too) and format characters, surrogates, private use,
    unassigned; line and paragraph separators."""
    category = unicodedata.category(ch)
    return category[0] == "C" or category in {"Zl", "Zp"}


def holder_name(typed: str) -> str:
    """An account holder's name as a bank writes it: NFC (a Korean name typed in decomposed
    jamo is the same name composed; NFKC would turn typed compatibility jamo into another
    form), full-width Latin letters and digits as ASCII, spaces collapsed; letters in any
    script, with the punctuation a company's name has ("(주)한빛상사"); no control or format
    characters, no other symbol (no emoji, no ``<>``)."""
    text = unicodedata.normalize("NFC", typed).translate(_FULL_WIDTH)
    if any(_refused(ch) for ch in text):
        raise WrongHolderName("an account holder's name has no control or invisible characters")
    name = " ".join(text.split())
    if not name or not any(ch.isalpha() for ch in name):
        raise WrongHolderName("an account holder's name has letters")
    if not all(ch.isalnum() or ch in HOLDER_PUNCTUATION for ch in name):
        raise WrongHolderName(
            f"an account holder's name is letters, digits and {HOLDER_PUNCTUATION!r} only"
        )
    if len(name) > HOLDER_NAME_CHARS:
        raise WrongHolderName(f"an account holder's name is at most {HOLDER_NAME_CHARS} characters")
    return name


def masked(bank_code: str | None, number: str) -> str:
    """An account as shown to anyone but its owner and the operator transferring to it: its
    bank and the last 4 digits of its number ("신한 …5678"). An account kept as free text before
    banks were chosen from a list (no bank) shows its last 4 digits only, never its letters."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", number) if "0" <= ch <= "9")
    ending = f"…{digits[-4:]}"
    if bank_code is None:
        return ending
    bank = bank_of(bank_code)
    return f"{bank.name if bank else bank_code} {ending}"


def last_digits(number: str) -> str | None:
    """The last 4 digits of an account number (of any digits in a free-text one), if any."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", number) if "0" <= ch <= "9")
    return digits[-4:] or None
