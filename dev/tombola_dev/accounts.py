"""Payout accounts for the people the tests, the driver and the demo make up."""

from __future__ import annotations

import zlib


def payout_account(user: str, bank: str = "004") -> dict[str, str]:
    """A made-up account for ``user`` (KB국민 by default): 12 digits of its own, typed as people
    type them ("11-1234-567890"), held in the user's name."""
    digits = f"11{zlib.crc32(user.encode()):010d}"
    return {
        "bank": bank,
        "number": f"{digits[:2]}-{digits[2:6]}-{digits[6:]}",
        "holder_name": holder_of(user),
    }


def holder_of(user: str) -> str:
    """The account holder's name for ``user``: a user name's underscores and dots are no part
    of a person's name."""
    return "Name " + " ".join(user.replace("_", " ").replace(".", " ").split())


def account_digits(user: str) -> str:
    """The digits ``payout_account(user)`` is kept as."""
    return payout_account(user)["number"].replace("-", "")
