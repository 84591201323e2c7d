"""Double-entry ledger: accounts, balanced journal entries keyed by business event.

Sign convention: an account's balance is the sum of its postings; a transfer from A to B of x
posts −x on A and +x on B. Only the outside world and the operator's promotion budget may go
below zero; every other account (escrow, payables, mileage, revenue) never does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tombola.errors import InsufficientBalance, LedgerConflict, UnbalancedEntry
from tombola.money import Money, require_currency, require_int

EXTERNAL = "external:psp"
OPERATOR_REVENUE = "operator:revenue"
OPERATOR_PROMOTIONS = "operator:promotions"
# What the operator advanced for payments the provider cancelled without being asked (a
# chargeback, a cancellation in the provider's console): negative while the operator bears it.
OPERATOR_PROVIDER_CANCELLATIONS = "operator:provider_cancellations"
MAY_GO_NEGATIVE = frozenset({EXTERNAL, OPERATOR_PROMOTIONS, OPERATOR_PROVIDER_CANCELLATIONS})


def escrow(listing_id: str) -> str:
    return f"escrow:{listing_id}"


def seller_payable(seller_id: str) -> str:
    return f"seller:{seller_id}:payable"


def mileage(buyer_id: str) -> str:
    return f"mileage:{buyer_id}"


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


def net_postings(entry: JournalEntry) -> dict[str, int]:
    net: dict[str, int] = defaultdict(int)
    for p in entry.postings:
        net[p.account] += p.amount
    return dict(net)


def check_balances(balances: Mapping[tuple[str, str], int], entry: JournalEntry) -> None:
    """Raise if ``entry`` would take an account that must stay non-negative below zero."""
    for account, delta in net_postings(entry).items():
        after = balances.get((account, entry.currency), 0) + delta
        if after < 0 and account not in MAY_GO_NEGATIVE:
            raise InsufficientBalance(
                f"entry {entry.key} would take {account} to {after} {entry.currency}"
            )


@dataclass
class Ledger:
    """An in-memory ledger with the same guarantees as the stored one: posting a key twice with
    the same content writes nothing; with other content it is refused."""

    entries: dict[str, JournalEntry] = field(default_factory=dict)
    balances: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    def post(self, *entries: JournalEntry) -> list[JournalEntry]:
        """Post all or none; return the entries that were new."""
        new: list[JournalEntry] = []
        staged = dict(self.balances)
        for entry in entries:
            existing = self.entries.get(entry.key)
            if existing is not None or any(e.key == entry.key for e in new):
                seen = existing or next(e for e in new if e.key == entry.key)
                if seen != entry:
                    raise LedgerConflict(f"entry {entry.key} was posted before with other content")
                continue
            check_balances(staged, entry)
            for account, delta in net_postings(entry).items():
                staged[(account, entry.currency)] = staged.get((account, entry.currency), 0) + delta
            new.append(entry)
        for entry in new:
            self.entries[entry.key] = entry
        self.balances = defaultdict(int, staged)
        return new

    def balance(self, account: str, currency: str) -> int:
        return self.balances.get((account, currency), 0)

    def for_listing(self, listing_id: str) -> list[JournalEntry]:
        return [e for e in self.entries.values() if e.listing_id == listing_id]

    def accounts(self) -> Iterable[tuple[str, str, int]]:
        return ((a, c, b) for (a, c), b in self.balances.items())
