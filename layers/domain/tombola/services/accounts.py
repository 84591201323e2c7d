"""A seller's payout account as each reader sees it: in full to its owner and to the operator
transferring to it, else by its bank and the last 4 digits of its number (tombola.domain.banks).
An account kept as free text before payout accounts were structured shows its digits only."""

from __future__ import annotations

from tombola.api.views import PayoutAccountView
from tombola.domain.banks import bank_of, last_digits, masked
from tombola.state.records import PayoutAccount, PayoutAccountKept


def account_view(account: PayoutAccountKept | None) -> PayoutAccountView | None:
    if account is None:
        return None
    if isinstance(account, str):  # kept as free text: no bank, no holder known
        return PayoutAccountView(
            bank=None,
            bank_name=None,
            number=account,
            holder_name=None,
            masked=masked(None, account),
        )
    bank = bank_of(account.bank)
    return PayoutAccountView(
        bank=account.bank,
        bank_name=bank.name if bank else None,
        number=account.number,
        holder_name=account.holder_name,
        masked=masked(account.bank, account.number),
    )


def account_masked(account: PayoutAccountKept | None) -> str | None:
    """As shown to anyone else: "신한 …5678"; a free-text one "…1234" (never its letters)."""
    if account is None:
        return None
    if isinstance(account, str):
        return masked(None, account)
    return masked(account.bank, account.number)


def account_ending(account: PayoutAccountKept | None) -> str | None:
    """The last 4 digits of its number, if it has any."""
    if account is None:
        return None
    return last_digits(account if isinstance(account, str) else account.number)


def structured(account: PayoutAccountKept | None) -> PayoutAccount | None:
    """The account if it is a bank, number and holder (not one kept as free text)."""
    return account if isinstance(account, PayoutAccount) else None
