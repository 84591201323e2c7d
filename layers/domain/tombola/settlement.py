"""Journal entries for every payment of a listing and one settlement plan per outcome.

Each outcome is one balanced journal entry that empties the listing's escrow (DOMAIN rule 11):
posting it twice writes nothing new, because its key names the listing and the outcome.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from tombola.errors import InvalidInput
from tombola.ledger import (
    EXTERNAL,
    OPERATOR_PROMOTIONS,
    OPERATOR_PROVIDER_CANCELLATIONS,
    OPERATOR_REVENUE,
    Category,
    EntryKind,
    JournalEntry,
    Posting,
    escrow,
    mileage,
    seller_payable,
    transfer,
)
from tombola.money import Money
from tombola.pricing import (
    PriceTerms,
    SurplusPolicy,
    proportional_mileage,
    split_surplus_as_mileage,
)


class Funding(StrEnum):
    CARD = "card"
    MILEAGE = "mileage"


def _source(buyer_id: str, funding: Funding) -> str:
    return EXTERNAL if funding is Funding.CARD else mileage(buyer_id)


def payment_ref(payment_id: str) -> str:
    """How a journal entry names the provider's payment it books (reconciliation)."""
    return f"payment:{payment_id}"


@dataclass(frozen=True, slots=True)
class TicketPayment:
    """One accepted payment for ``tickets`` tickets of one buyer (P1 × tickets)."""

    payment_id: str
    buyer_id: str
    tickets: int
    amount: Money
    funding: Funding


# ---------------------------------------------------------------- money in


def deposit_paid(listing_id: str, payment_id: str, deposit: Money) -> JournalEntry:
    return transfer(
        f"{listing_id}:deposit:{payment_id}",
        EntryKind.DEPOSIT_PAID,
        EXTERNAL,
        escrow(listing_id),
        deposit,
        source_category=Category.DEPOSIT,
        target_category=Category.DEPOSIT,
        listing_id=listing_id,
        provider_ref=payment_ref(payment_id),
    )


def tickets_paid(listing_id: str, payment: TicketPayment) -> JournalEntry:
    return transfer(
        f"{listing_id}:tickets:{payment.payment_id}",
        EntryKind.TICKETS_PAID,
        _source(payment.buyer_id, payment.funding),
        escrow(listing_id),
        payment.amount,
        source_category=Category.FIRST_PAYMENTS,
        target_category=Category.FIRST_PAYMENTS,
        listing_id=listing_id,
        memo=f"{payment.tickets} tickets of {payment.buyer_id} ({payment.funding})",
        provider_ref=payment_ref(payment.payment_id) if payment.funding is Funding.CARD else None,
    )


def second_payment_paid(
    listing_id: str, payment_id: str, buyer_id: str, amount: Money
) -> JournalEntry:
    return transfer(
        f"{listing_id}:second-payment:{payment_id}",
        EntryKind.SECOND_PAYMENT_PAID,
        EXTERNAL,
        escrow(listing_id),
        amount,
        source_category=Category.SECOND_PAYMENT,
        target_category=Category.SECOND_PAYMENT,
        listing_id=listing_id,
        memo=f"second payment of {buyer_id}",
        provider_ref=payment_ref(payment_id),
    )


def stray_payment(payment_id: str, amount: Money, reason: str) -> tuple[JournalEntry, JournalEntry]:
    """A payment the provider confirmed for nothing we asked for (no checkout of ours names it),
    and its refund: recorded on the platform's own ledger (no listing), both at once."""
    held = f"stray:{payment_id}"
    received = transfer(
        f"stray:{payment_id}",
        EntryKind.UNACCEPTED_PAYMENT,
        EXTERNAL,
        held,
        amount,
        source_category=Category.UNACCEPTED_PAYMENTS,
        target_category=Category.UNACCEPTED_PAYMENTS,
        memo=reason,
        provider_ref=payment_ref(payment_id),
    )
    refund = transfer(
        f"stray-refund:{payment_id}",
        EntryKind.REFUND,
        held,
        EXTERNAL,
        amount,
        source_category=Category.REFUNDS,
        target_category=Category.REFUNDS,
        memo=reason,
    )
    return received, refund


def unaccepted_payment(
    listing_id: str, payment_id: str, payer_id: str, amount: Money, funding: Funding, reason: str
) -> tuple[JournalEntry, JournalEntry]:
    """A payment that arrived for something no longer available, and its refund: both post
    together so that the money is recorded as received and as returned (DOMAIN rule 3)."""
    source = _source(payer_id, funding)
    received = transfer(
        f"{listing_id}:unaccepted:{payment_id}",
        EntryKind.UNACCEPTED_PAYMENT,
        source,
        escrow(listing_id),
        amount,
        source_category=Category.UNACCEPTED_PAYMENTS,
        target_category=Category.UNACCEPTED_PAYMENTS,
        listing_id=listing_id,
        memo=reason,
        provider_ref=payment_ref(payment_id) if funding is Funding.CARD else None,
    )
    refund = transfer(
        f"{listing_id}:unaccepted-refund:{payment_id}",
        EntryKind.REFUND,
        escrow(listing_id),
        source,
        amount,
        source_category=Category.REFUNDS,
        target_category=Category.REFUNDS,
        listing_id=listing_id,
        memo=reason,
    )
    return received, refund


def payout_sent(
    seller_id: str, payout_id: str, amount: Money, listing_id: str | None = None
) -> JournalEntry:
    return transfer(
        f"payout:{payout_id}",
        EntryKind.PAYOUT,
        seller_payable(seller_id),
        EXTERNAL,
        amount,
        source_category=Category.PAYOUT,
        target_category=Category.PAYOUT,
        listing_id=listing_id,
        provider_ref=f"payout:{payout_id}",
    )


def refund_id_for(payment_id: str) -> str:
    """The one refund id a payment can have, whichever path refunds it: the provider applies a
    refund id once, so no path can refund one payment twice."""
    return f"refund-{payment_id}"


# ---------------------------------------------------------------- the provider, unasked


def provider_cancel_key(cancellation_id: str) -> str:
    """A cancellation the provider made without our asking is booked once, for ever, under its
    own id (a webhook re-sent a year later finds this key)."""
    return f"provider-cancel:{cancellation_id}"


def provider_cancelled(
    cancellation_id: str,
    payment_id: str,
    amount: Money,
    *,
    listing_id: str | None,
    held_in_escrow: bool,
    memo: str,
) -> JournalEntry:
    """The provider gave ``amount`` of a payment back to its payer without our asking (a
    chargeback, a cancellation in its console). The money leaves where it was held:

    - held in the listing's escrow (a deposit, P1 or P2 whose listing has not settled): escrow
      pays the payer, and the operator puts the same amount back into escrow, because the
      listing still owes what it owed: its settlement pays the seller, the revenue and the
      refunds as if the payment were whole. If the settlement then refunds this payer, the
      refund finds the money already returned and books it back to the operator
      (``refund_covered``); otherwise the operator bears it;
    - anywhere else (the listing settled, the seller was paid; or a payment we refunded or are
      refunding as not accepted): the operator bears it at once.
    """
    x = amount.amount
    if x <= 0:
        raise InvalidInput("a cancellation moves a positive amount", field="data.amount")
    op = OPERATOR_PROVIDER_CANCELLATIONS
    postings: list[Posting] = []
    if held_in_escrow and listing_id is not None:
        postings.append(Posting(escrow(listing_id), -x, Category.PROVIDER_CANCELLED))
    postings.append(Posting(EXTERNAL, x, Category.PROVIDER_CANCELLED))
    postings.append(Posting(op, -x, Category.OPERATOR_COVERED))
    if held_in_escrow and listing_id is not None:
        postings.append(Posting(escrow(listing_id), x, Category.OPERATOR_COVERED))
    return JournalEntry(
        provider_cancel_key(cancellation_id),
        EntryKind.PROVIDER_CANCELLATION,
        amount.currency,
        tuple(postings),
        listing_id,
        f"payment {payment_id}: {memo}",
        f"cancellation:{cancellation_id}:{payment_id}",
    )


def refund_covered(
    refund_id: str, payment_id: str, amount: Money, listing_id: str | None
) -> JournalEntry:
    """Part (or all) of a refund of ours the provider could not make because it had already given
    that money back by a cancellation of its own: the journal booked the refund and the provider's
    cancellation, the payer got it once, so the refund's share goes back to the operator who
    advanced it."""
    return JournalEntry(
        f"refund-covered:{refund_id}",
        EntryKind.REFUND_COVERED,
        amount.currency,
        (
            Posting(EXTERNAL, -amount.amount, Category.REFUNDS),
            Posting(OPERATOR_PROVIDER_CANCELLATIONS, amount.amount, Category.OPERATOR_COVERED),
        ),
        listing_id,
        f"refund {refund_id} of {payment_id} was already made by the provider",
    )


def payout_id_for(listing_id: str) -> str:
    """One payout per listing."""
    return f"payout-{listing_id}"


# ---------------------------------------------------------------- outcomes


class Outcome(StrEnum):
    SOLD = "sold"  # confirmed, auto-confirmed, or a dispute released to the seller
    UNSOLD = "unsold"  # nobody drawn paid P2, or no ticket at all (rule 8)
    SELLER_FAULT = "seller_fault"  # missed the ship deadline (rule 12) or a dispute refunded


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
                self.out(_source(p.buyer_id, p.funding), p.amount.amount, Category.REFUNDS)


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


# ---------------------------------------------------------------- the same, in chunks
#
# A listing with hundreds of thousands of buyers cannot settle in one journal entry (one item,
# one invocation). The chunked form posts the buyers' part in chunks of at most ~1,000 buyers,
# each its own entry keyed by the chunk, then the head entry (seller, deposit, fee, remainder).
# Together they post exactly what ``settlement_plan`` posts in one entry.


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

    def out(account: str, amount: int, category: Category) -> None:
        if amount > 0:
            postings.append(Posting(account, amount, category))

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
                out(_source(p.buyer_id, p.funding), p.amount.amount, Category.REFUNDS)
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
) -> JournalEntry | None:
    """Everything but the buyers' part. Its key is the one-entry settlement's, so a listing has
    one outcome."""
    postings: list[Posting] = []

    def out(account: str, amount: int, category: Category) -> None:
        if amount > 0:
            postings.append(Posting(account, amount, category))

    if rules.outcome is Outcome.SOLD:
        out(seller_payable(seller_id), terms.price.amount, Category.SELLER_PAYOUT)
        out(EXTERNAL, deposit.amount, Category.DEPOSIT_REFUND)
        out(OPERATOR_REVENUE, terms.fee.amount, Category.OPERATOR_REVENUE)
        surplus = terms.surplus(rules.paid_tickets).amount
        out(
            OPERATOR_REVENUE,
            surplus - rules.mileage_per_ticket * rules.losing_tickets,
            Category.OPERATOR_REVENUE,
        )
        memo = f"sold to {rules.final_buyer}"
    elif rules.outcome is Outcome.UNSOLD:
        out(EXTERNAL, deposit.amount, Category.DEPOSIT_REFUND)
        memo = "unsold: deposit refunded"
    else:
        out(OPERATOR_REVENUE, deposit.amount, Category.DEPOSIT_FORFEIT)
        out(EXTERNAL, second_payment.amount if second_payment else 0, Category.REFUNDS)
        memo = "cancelled: the buyer refunded"
    if not postings:
        return None
    total = sum(p.amount for p in postings)
    postings.insert(0, Posting(escrow(rules.listing_id), -total, Category.ESCROW))
    kind = _CHUNK_KIND[rules.outcome]
    return JournalEntry(
        f"{rules.listing_id}:{kind}", kind, rules.currency, tuple(postings), rules.listing_id, memo
    )
