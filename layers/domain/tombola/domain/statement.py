"""The per-listing money statement: everything paid in against everything paid out or booked."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from tombola.domain.ledger import IN_CATEGORIES, Category, EntryKind, JournalEntry, escrow


@dataclass(frozen=True, slots=True)
class Statement:
    listing_id: str
    currency: str
    paid_in: dict[str, int]
    paid_out: dict[str, int]
    held_in_escrow: int

    @property
    def total_in(self) -> int:
        return sum(self.paid_in.values())

    @property
    def total_out(self) -> int:
        return sum(self.paid_out.values())

    @property
    def balanced(self) -> bool:
        return self.total_in == self.total_out + self.held_in_escrow

    @property
    def closed(self) -> bool:
        """Balanced with nothing left behind in escrow."""
        return self.balanced and self.held_in_escrow == 0


def statements(
    listing_id: str, currency: str, entries: Iterable[JournalEntry]
) -> tuple[Statement, dict[str, Statement]]:
    """The statement in the listing's currency, and one per other currency money arrived in (a
    payment in another currency is refunded as it came, and must show somewhere)."""
    entries = list(entries)
    others = sorted({e.currency for e in entries if e.currency != currency})
    return statement(listing_id, currency, entries), {
        c: statement(listing_id, c, entries) for c in others
    }


def statement(listing_id: str, currency: str, entries: Iterable[JournalEntry]) -> Statement:
    """Lines come from the postings outside escrow, by category; what escrow holds comes from
    the escrow postings themselves, so the two are counted independently."""
    paid_in: dict[str, int] = defaultdict(int)
    paid_out: dict[str, int] = defaultdict(int)
    held = 0
    account = escrow(listing_id)
    for entry in entries:
        if entry.listing_id != listing_id or entry.kind is EntryKind.PAYOUT:
            continue
        if entry.currency != currency:
            continue
        for p in entry.postings:
            if p.account == account:
                held += p.amount
            elif p.category in IN_CATEGORIES:
                # money in is a negative posting outside escrow; a positive one gives some back
                # (what the operator advanced for a provider's cancellation, returned)
                paid_in[p.category.value] += -p.amount
            elif p.category is not Category.ESCROW:
                paid_out[p.category.value] += p.amount
    return Statement(
        listing_id,
        currency,
        {k: v for k, v in paid_in.items() if v},
        {k: v for k, v in paid_out.items() if v},
        held,
    )
