"""Double-entry ledger: accounts, balanced journal entries keyed by business event.

Sign convention: an account's balance is the sum of its postings; a transfer from A to B of x
posts −x on A and +x on B. Only the outside world and the operator's promotion budget may go
below zero; every other account (escrow, payables, mileage, revenue) never does.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tombola.domain.errors import UnbalancedEntry
from tombola.domain.money import Money, require_currency, require_int

EXTERNAL = "external:psp"
OPERATOR_REVENUE = "operator:revenue"
OPERATOR_PROMOTIONS = "operator:promotions"
# What the operator advanced for payments the provider cancelled without being asked (a
# chargeback, a cancellation in the provider's console): negative while the operator bears it.
OPERATOR_PROVIDER_CANCELLATIONS = "operator:provider_cancellations"


def escrow(listing_id: str) -> str:
    return f"escrow:{listing_id}"


def seller_payable(seller_id: str) -> str:
    return f"seller:{seller_id}:payable"


MILEAGE_PREFIX = "mileage:"


def mileage(buyer_id: str) -> str:
    return f"{MILEAGE_PREFIX}{buyer_id}"


def mileage_holder(account: str) -> str | None:
    """The buyer whose mileage ``account`` is; None for any other account."""
    return account.removeprefix(MILEAGE_PREFIX) if account.startswith(MILEAGE_PREFIX) else None


class EntryKind(StrEnum):
    DEPOSIT_PAID = "deposit_paid"
    TICKETS_PAID = "tickets_paid"
    SECOND_PAYMENT_PAID = "second_payment_paid"
    UNACCEPTED_PAYMENT = "unaccepted_payment"  # arrived for something no longer available
    REFUND = "refund"
    SETTLEMENT = "settlement"
    UNSOLD = "unsold"
    CANCELLATION = "cancellation"
    PAYOUT = "payout"  # seller payable → the seller's bank, after settlement
    # the provider gave a payer money back that we never asked it to (chargeback, console)
    PROVIDER_CANCELLATION = "provider_cancellation"
    # a refund of ours the provider had already made by such a cancellation
    REFUND_COVERED = "refund_covered"


class Category(StrEnum):
    """The lines of a listing statement; ``IN`` lines fund escrow, the rest empty it."""

    ESCROW = "escrow"  # the escrow side of an entry; not a statement line
    DEPOSIT = "deposit"
    FIRST_PAYMENTS = "first_payments"
    SECOND_PAYMENT = "second_payment"
    UNACCEPTED_PAYMENTS = "unaccepted_payments"
    OPERATOR_FUNDED_MILEAGE = "operator_funded_mileage"
    SELLER_PAYOUT = "seller_payout"
    DEPOSIT_REFUND = "deposit_refund"
    DEPOSIT_FORFEIT = "deposit_forfeit"
    REFUNDS = "refunds"
    OPERATOR_REVENUE = "operator_revenue"
    MILEAGE_ISSUED = "mileage_issued"
    PAYOUT = "payout"
    PROVIDER_CANCELLED = "provider_cancelled"  # given back by the provider, unasked
    OPERATOR_COVERED = "operator_covered"  # what the operator advanced for it


IN_CATEGORIES = frozenset(
    {
        Category.DEPOSIT,
        Category.FIRST_PAYMENTS,
        Category.SECOND_PAYMENT,
        Category.UNACCEPTED_PAYMENTS,
        Category.OPERATOR_FUNDED_MILEAGE,
        Category.OPERATOR_COVERED,
    }
)


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    amount: int
    category: Category
    # money paid out to the world: the provider's payment it returns (``payment:<id>``), so the
    # refund is derived from the posting that books it
    ref: str | None = None

    def __post_init__(self) -> None:
        require_int(self.amount, "amount")
        if self.amount == 0:
            raise UnbalancedEntry(f"a posting to {self.account} has no amount")


@dataclass(frozen=True, slots=True)
class JournalEntry:
    key: str  # the business event: the same event always yields the same key
    kind: EntryKind
    currency: str
    postings: tuple[Posting, ...]
    listing_id: str | None = None
    memo: str = ""
    # the provider's record this entry books, for reconciliation: "payment:<id>",
    # "cancellation:<id>" or "payout:<id>" (None: no provider record, e.g. mileage, settlement)
    provider_ref: str | None = None

    def __post_init__(self) -> None:
        require_currency(self.currency)
        if not self.key:
            raise UnbalancedEntry("a journal entry needs a key")
        if len(self.postings) < 2:
            raise UnbalancedEntry(f"entry {self.key} needs at least two postings")
        total = sum(p.amount for p in self.postings)
        if total != 0:
            raise UnbalancedEntry(f"entry {self.key} does not balance: postings sum to {total}")

    @property
    def amount(self) -> int:
        """The money moved: the sum of the positive postings."""
        return sum(p.amount for p in self.postings if p.amount > 0)

    @property
    def external_amount(self) -> int:
        """What crossed the provider: the outside world's net posting, as a positive amount."""
        return abs(sum(p.amount for p in self.postings if p.account == EXTERNAL))


def transfer(
    key: str,
    kind: EntryKind,
    source: str,
    target: str,
    money: Money,
    *,
    source_category: Category,
    target_category: Category,
    listing_id: str | None = None,
    memo: str = "",
    provider_ref: str | None = None,
) -> JournalEntry:
    if money.amount <= 0:
        raise UnbalancedEntry(f"entry {key}: a transfer moves a positive amount")
    return JournalEntry(
        key,
        kind,
        money.currency,
        (
            Posting(source, -money.amount, source_category),
            Posting(target, money.amount, target_category),
        ),
        listing_id,
        memo,
        provider_ref,
    )
