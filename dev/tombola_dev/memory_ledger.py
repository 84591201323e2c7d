"""An in-memory ledger with the stored one's guarantees, for tests and the fast tier: posting
a key twice with the same content writes nothing; with other content it is refused; an account
that must stay non-negative never goes below zero."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tombola.domain.errors import InsufficientBalance, LedgerConflict
from tombola.domain.ledger import (
    EXTERNAL,
    OPERATOR_PROMOTIONS,
    OPERATOR_PROVIDER_CANCELLATIONS,
    JournalEntry,
)

# The world and the operator's budgets may be owed; no one else's account may go below zero.
MAY_GO_NEGATIVE = frozenset({EXTERNAL, OPERATOR_PROMOTIONS, OPERATOR_PROVIDER_CANCELLATIONS})


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
