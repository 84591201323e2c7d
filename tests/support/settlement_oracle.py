"""The one-entry settlement plan: a test oracle, not deployed.

Each outcome is one balanced journal entry that empties the listing's escrow (DOMAIN rule 11),
written from the rule's text with nothing shared with the chunked form that runs
(tombola.domain.settlement). The property tests prove the chunks post exactly what this posts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tombola.domain.bookings import TicketPayment, funding_source
from tombola.domain.errors import InvalidInput
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
from tombola.domain.settlement import Outcome


@dataclass(frozen=True, slots=True)
class ListingFunds:
    """Everything escrow holds for one listing when its outcome is known."""

    listing_id: str
    seller_id: str
    terms: PriceTerms
    deposit: Money
    surplus_policy: SurplusPolicy
    mileage_bps: int
    payments: tuple[TicketPayment, ...]
    forfeited_buyers: frozenset[str] = frozenset()
    final_buyer: str | None = None
    second_payment: Money | None = None  # what the final buyer paid as P2, if anything

    def __post_init__(self) -> None:
        for p in self.payments:
            if p.amount != self.terms.first_payment * p.tickets:
                raise InvalidInput(
                    f"payment {p.payment_id} is {p.amount} for {p.tickets} tickets; "
                    f"P1 is {self.terms.first_payment}"
                )
        if self.final_buyer is not None and self.final_buyer not in self.tickets_by_buyer:
            raise InvalidInput(f"final buyer {self.final_buyer} holds no ticket")
        if self.final_buyer in self.forfeited_buyers:
            raise InvalidInput(f"final buyer {self.final_buyer} forfeited")

    @property
    def currency(self) -> str:
        return self.terms.currency

    @property
    def paid_tickets(self) -> int:
        return sum(p.tickets for p in self.payments)

    @property
    def tickets_by_buyer(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for p in self.payments:
            counts[p.buyer_id] += p.tickets
        return counts

    @property
    def second_payment_amount(self) -> int:
        return self.second_payment.amount if self.second_payment is not None else 0


class _Plan:
    def __init__(self, funds: ListingFunds) -> None:
        self.funds = funds
        self.postings: list[Posting] = []

    def out(self, account: str, amount: int, category: Category) -> None:
        if amount > 0:
            self.postings.append(Posting(account, amount, category))

    def entry(self, kind: EntryKind, memo: str) -> JournalEntry | None:
        """Balance the payouts against escrow; operator-funded postings are already negative."""
        f = self.funds
        paid_out = sum(p.amount for p in self.postings if p.amount > 0)
        funded = sum(-p.amount for p in self.postings if p.amount < 0)
        postings = list(self.postings)
        if paid_out - funded > 0:
            postings.insert(0, Posting(escrow(f.listing_id), funded - paid_out, Category.ESCROW))
        if not postings:
            return None
        return JournalEntry(
            f"{f.listing_id}:{kind}", kind, f.currency, tuple(postings), f.listing_id, memo
        )

    def refund_tickets(self, *, skip_forfeited: bool) -> None:
        for p in self.funds.payments:
            if skip_forfeited and p.buyer_id in self.funds.forfeited_buyers:
                self.out(OPERATOR_REVENUE, p.amount.amount, Category.OPERATOR_REVENUE)
            else:
                self.out(funding_source(p.buyer_id, p.funding), p.amount.amount, Category.REFUNDS)


def settlement_plan(funds: ListingFunds, outcome: Outcome) -> JournalEntry | None:
    """The one journal entry that closes the listing's escrow for ``outcome``; None when escrow
    holds nothing (an unsold listing without deposit or tickets)."""
    if outcome is Outcome.SOLD:
        return _sold(funds)
    if outcome is Outcome.UNSOLD:
        return _unsold(funds)
    return _seller_fault(funds)


def _sold(funds: ListingFunds) -> JournalEntry | None:
    terms = funds.terms
    if funds.final_buyer is None:
        raise InvalidInput("a sold listing needs a final buyer")
    due = terms.second_payment(funds.paid_tickets)
    if funds.second_payment_amount != due.amount:
        raise InvalidInput(
            f"the final buyer paid {funds.second_payment_amount} as P2; {due.amount} was due"
        )
    plan = _Plan(funds)
    plan.out(seller_payable(funds.seller_id), terms.price.amount, Category.SELLER_PAYOUT)
    plan.out(EXTERNAL, funds.deposit.amount, Category.DEPOSIT_REFUND)
    plan.out(OPERATOR_REVENUE, terms.fee.amount, Category.OPERATOR_REVENUE)

    surplus = terms.surplus(funds.paid_tickets)
    losers = {b: n for b, n in funds.tickets_by_buyer.items() if b != funds.final_buyer}
    if funds.surplus_policy is SurplusPolicy.MILEAGE:
        split = split_surplus_as_mileage(surplus, sum(losers.values()))
        for buyer, n in sorted(losers.items()):
            plan.out(mileage(buyer), split.per_ticket.amount * n, Category.MILEAGE_ISSUED)
        plan.out(OPERATOR_REVENUE, split.remainder.amount, Category.OPERATOR_REVENUE)
    else:
        plan.out(OPERATOR_REVENUE, surplus.amount, Category.OPERATOR_REVENUE)

    bonus = proportional_mileage(terms.first_payment, funds.mileage_bps).amount
    bonus_total = 0
    for buyer, n in sorted(losers.items()):
        plan.out(mileage(buyer), bonus * n, Category.MILEAGE_ISSUED)
        bonus_total += bonus * n
    if bonus_total:
        plan.postings.append(
            Posting(OPERATOR_PROMOTIONS, -bonus_total, Category.OPERATOR_FUNDED_MILEAGE)
        )
    return plan.entry(EntryKind.SETTLEMENT, f"sold to {funds.final_buyer}")


def _unsold(funds: ListingFunds) -> JournalEntry | None:
    if funds.final_buyer is not None or funds.second_payment_amount:
        raise InvalidInput("an unsold listing has no final buyer and no second payment")
    plan = _Plan(funds)
    plan.out(EXTERNAL, funds.deposit.amount, Category.DEPOSIT_REFUND)
    plan.refund_tickets(skip_forfeited=True)
    return plan.entry(EntryKind.UNSOLD, "unsold: deposit and non-forfeited tickets refunded")


def _seller_fault(funds: ListingFunds) -> JournalEntry | None:
    if funds.final_buyer is None:
        raise InvalidInput("a seller-fault cancellation needs a final buyer")
    plan = _Plan(funds)
    plan.out(OPERATOR_REVENUE, funds.deposit.amount, Category.DEPOSIT_FORFEIT)
    plan.refund_tickets(skip_forfeited=False)
    plan.out(EXTERNAL, funds.second_payment_amount, Category.REFUNDS)
    return plan.entry(EntryKind.CANCELLATION, "cancelled: the buyer and every ticket refunded")
