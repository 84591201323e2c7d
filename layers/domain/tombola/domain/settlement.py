"""Settlement of a listing's outcome (DOMAIN rules 8, 11, 12), in chunks.

A listing with hundreds of thousands of buyers cannot settle in one journal entry (one item, one
invocation). The buyers' part posts in chunks of at most ~1,000 buyers, each its own entry keyed
by the chunk, then the head entry (seller, deposit, fee, remainder) under the outcome's key, so a
listing has one outcome. The property tests prove that together they post exactly what the
rule's one-entry form posts (tests/support/settlement_oracle.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from tombola.domain.bookings import Funding, TicketPayment, funding_source
from tombola.domain.ledger import (
    EXTERNAL,
    OPERATOR_PROMOTIONS,
    OPERATOR_REVENUE,
    Category,
    EntryKind,
    JournalEntry,
    Posting,
    escrow,
    mileage,
    seller_payable,
)
from tombola.domain.money import Money
from tombola.domain.pricing import (
    PriceTerms,
    SurplusPolicy,
    proportional_mileage,
    split_surplus_as_mileage,
)
from tombola.domain.references import payment_ref


class Outcome(StrEnum):
    SOLD = "sold"  # confirmed, auto-confirmed, or a dispute released to the seller
    UNSOLD = "unsold"  # nobody drawn paid P2, or no ticket at all (rule 8)
    SELLER_FAULT = "seller_fault"  # missed the ship deadline (rule 12) or a dispute refunded


@dataclass(frozen=True, slots=True)
class ChunkRules:
    """What settling any chunk of buyers needs to know about the whole listing."""

    listing_id: str
    currency: str
    outcome: Outcome
    final_buyer: str | None
    mileage_per_ticket: int  # the surplus split over non-winning tickets (mileage policy)
    bonus_per_ticket: int  # proportional mileage, operator-funded
    paid_tickets: int
    losing_tickets: int


def chunk_rules(
    listing_id: str,
    terms: PriceTerms,
    outcome: Outcome,
    surplus_policy: SurplusPolicy,
    mileage_bps: int,
    paid_tickets: int,
    final_buyer: str | None,
    final_buyer_tickets: int,
) -> ChunkRules:
    per_ticket = bonus = 0
    losing = paid_tickets - final_buyer_tickets
    if outcome is Outcome.SOLD:
        if surplus_policy is SurplusPolicy.MILEAGE:
            per_ticket = split_surplus_as_mileage(
                terms.surplus(paid_tickets), losing
            ).per_ticket.amount
        bonus = proportional_mileage(terms.first_payment, mileage_bps).amount
    return ChunkRules(
        listing_id, terms.currency, outcome, final_buyer, per_ticket, bonus, paid_tickets, losing
    )


_CHUNK_KIND = {
    Outcome.SOLD: EntryKind.SETTLEMENT,
    Outcome.UNSOLD: EntryKind.UNSOLD,
    Outcome.SELLER_FAULT: EntryKind.CANCELLATION,
}


def chunk_entry(
    rules: ChunkRules,
    chunk: str,
    payments: tuple[TicketPayment, ...],
    forfeited: frozenset[str],
) -> JournalEntry | None:
    """The buyers' part of the settlement for these buyers' payments; key names the chunk."""
    postings: list[Posting] = []

    def out(
        account: str, amount: int, category: Category, paid: TicketPayment | None = None
    ) -> None:
        if amount > 0:
            card = paid if paid is not None and paid.funding is Funding.CARD else None
            ref = payment_ref(card.payment_id) if card is not None else None
            postings.append(Posting(account, amount, category, ref))

    if rules.outcome is Outcome.SOLD:
        losers: Counter[str] = Counter()
        for p in payments:
            if p.buyer_id != rules.final_buyer:
                losers[p.buyer_id] += p.tickets
        bonus_total = 0
        for buyer, n in sorted(losers.items()):
            out(mileage(buyer), rules.mileage_per_ticket * n, Category.MILEAGE_ISSUED)
        for buyer, n in sorted(losers.items()):
            out(mileage(buyer), rules.bonus_per_ticket * n, Category.MILEAGE_ISSUED)
            bonus_total += rules.bonus_per_ticket * n
        if bonus_total:
            postings.append(
                Posting(OPERATOR_PROMOTIONS, -bonus_total, Category.OPERATOR_FUNDED_MILEAGE)
            )
    else:
        skip_forfeited = rules.outcome is Outcome.UNSOLD
        for p in payments:
            if skip_forfeited and p.buyer_id in forfeited:
                out(OPERATOR_REVENUE, p.amount.amount, Category.OPERATOR_REVENUE)
            else:
                out(funding_source(p.buyer_id, p.funding), p.amount.amount, Category.REFUNDS, p)
    paid_out = sum(p.amount for p in postings if p.amount > 0)
    funded = sum(-p.amount for p in postings if p.amount < 0)
    if paid_out - funded > 0:
        postings.insert(0, Posting(escrow(rules.listing_id), funded - paid_out, Category.ESCROW))
    if not postings:
        return None
    kind = _CHUNK_KIND[rules.outcome]
    return JournalEntry(
        f"{rules.listing_id}:{kind}:chunk:{chunk}",
        kind,
        rules.currency,
        tuple(postings),
        rules.listing_id,
        f"buyers of chunk {chunk}",
    )


def head_entry(
    rules: ChunkRules,
    seller_id: str,
    terms: PriceTerms,
    deposit: Money,
    second_payment: Money | None,
    *,
    deposit_payment_id: str | None,
    second_payment_id: str | None,
) -> JournalEntry | None:
    """Everything but the buyers' part, under the outcome's key, so a listing has one outcome.
    A refund to the world names the payment it returns."""
    postings: list[Posting] = []

    def out(account: str, amount: int, category: Category, payment_id: str | None = None) -> None:
        if amount > 0:
            ref = payment_ref(payment_id) if payment_id else None
            postings.append(Posting(account, amount, category, ref))

    if rules.outcome is Outcome.SOLD:
        out(seller_payable(seller_id), terms.price.amount, Category.SELLER_PAYOUT)
        out(EXTERNAL, deposit.amount, Category.DEPOSIT_REFUND, deposit_payment_id)
        out(OPERATOR_REVENUE, terms.fee.amount, Category.OPERATOR_REVENUE)
        surplus = terms.surplus(rules.paid_tickets).amount
        out(
            OPERATOR_REVENUE,
            surplus - rules.mileage_per_ticket * rules.losing_tickets,
            Category.OPERATOR_REVENUE,
        )
        memo = f"sold to {rules.final_buyer}"
    elif rules.outcome is Outcome.UNSOLD:
        out(EXTERNAL, deposit.amount, Category.DEPOSIT_REFUND, deposit_payment_id)
        memo = "unsold: deposit refunded"
    else:
        out(OPERATOR_REVENUE, deposit.amount, Category.DEPOSIT_FORFEIT)
        out(
            EXTERNAL,
            second_payment.amount if second_payment else 0,
            Category.REFUNDS,
            second_payment_id,
        )
        memo = "cancelled: the buyer refunded"
    if not postings:
        return None
    total = sum(p.amount for p in postings)
    postings.insert(0, Posting(escrow(rules.listing_id), -total, Category.ESCROW))
    kind = _CHUNK_KIND[rules.outcome]
    return JournalEntry(
        f"{rules.listing_id}:{kind}", kind, rules.currency, tuple(postings), rules.listing_id, memo
    )
