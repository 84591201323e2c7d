"""Build a listing's money in memory: its payments, then its outcome, posted to a Ledger."""

from __future__ import annotations

from dataclasses import dataclass, field

from tombola_dev.memory_ledger import Ledger

from tests.support.settlement_oracle import ListingFunds
from tombola.domain.bookings import (
    Funding,
    TicketPayment,
    deposit_paid,
    second_payment_paid,
    tickets_paid,
)
from tombola.domain.ledger import (
    OPERATOR_PROMOTIONS,
    Category,
    EntryKind,
    JournalEntry,
    mileage,
    transfer,
)
from tombola.domain.money import Money
from tombola.domain.pricing import PriceTerms, SurplusPolicy
from tombola.domain.settlement import Outcome, chunk_entry, chunk_rules, head_entry


@dataclass
class Scenario:
    terms: PriceTerms
    tickets_per_buyer: dict[str, int]
    listing_id: str = "L1"
    seller_id: str = "S1"
    deposit: Money | None = None
    surplus_policy: SurplusPolicy = SurplusPolicy.OPERATOR
    mileage_bps: int = 0
    mileage_funded: frozenset[str] = frozenset()  # buyers who pay P1 from mileage
    forfeited: tuple[str, ...] = ()
    final_buyer: str | None = None
    ledger: Ledger = field(default_factory=Ledger)

    @property
    def currency(self) -> str:
        return self.terms.currency

    def payments(self) -> tuple[TicketPayment, ...]:
        return tuple(
            TicketPayment(
                f"pay-{buyer}",
                buyer,
                n,
                self.terms.first_payment * n,
                Funding.MILEAGE if buyer in self.mileage_funded else Funding.CARD,
            )
            for buyer, n in self.tickets_per_buyer.items()
        )

    def pay_in(self) -> None:
        """Deposit and every ticket; buyers paying with mileage are given it first."""
        deposit = self.deposit or Money.zero(self.currency)
        if deposit.amount:
            self.ledger.post(deposit_paid(self.listing_id, "dep", deposit))
        for p in self.payments():
            if p.funding is Funding.MILEAGE:
                self.ledger.post(grant_mileage(p.buyer_id, p.amount))
            self.ledger.post(tickets_paid(self.listing_id, p))

    def funds(self, second_payment: Money | None = None) -> ListingFunds:
        return ListingFunds(
            listing_id=self.listing_id,
            seller_id=self.seller_id,
            terms=self.terms,
            deposit=self.deposit or Money.zero(self.currency),
            surplus_policy=self.surplus_policy,
            mileage_bps=self.mileage_bps,
            payments=self.payments(),
            forfeited_buyers=frozenset(self.forfeited),
            final_buyer=self.final_buyer,
            second_payment=second_payment,
        )

    def pay_second_payment(self) -> Money:
        assert self.final_buyer is not None
        due = self.terms.second_payment(sum(self.tickets_per_buyer.values()))
        if due.amount:
            self.ledger.post(second_payment_paid(self.listing_id, "p2", self.final_buyer, due))
        return due

    def settle(self, outcome: Outcome) -> list[JournalEntry]:
        """Post the outcome as the deployed settlement does (tombola.domain.settlement): the
        buyers' chunk, then the head entry."""
        second = None
        if self.final_buyer is not None and outcome is not Outcome.UNSOLD:
            second = self.pay_second_payment()
        entries = self.settlement_entries(outcome, second)
        self.ledger.post(*entries)
        return entries

    def settlement_entries(self, outcome: Outcome, second: Money | None) -> list[JournalEntry]:
        payments = self.payments()
        final = self.final_buyer if outcome is not Outcome.UNSOLD else None
        rules = chunk_rules(
            self.listing_id,
            self.terms,
            outcome,
            self.surplus_policy,
            self.mileage_bps,
            sum(p.tickets for p in payments),
            final,
            sum(p.tickets for p in payments if p.buyer_id == final),
        )
        chunk = chunk_entry(rules, "all", payments, frozenset(self.forfeited))
        head = head_entry(
            rules,
            self.seller_id,
            self.terms,
            self.deposit or Money.zero(self.currency),
            second if second is not None and second.amount else None,
            deposit_payment_id="dep",
            second_payment_id="p2",
        )
        return [e for e in (chunk, head) if e is not None]


def grant_mileage(buyer_id: str, amount: Money) -> JournalEntry:
    """Mileage a buyer earned elsewhere, funded by the operator's promotions budget."""
    return transfer(
        f"grant:{buyer_id}:{amount.amount}",
        EntryKind.SETTLEMENT,
        OPERATOR_PROMOTIONS,
        mileage(buyer_id),
        amount,
        source_category=Category.OPERATOR_FUNDED_MILEAGE,
        target_category=Category.MILEAGE_ISSUED,
        listing_id="elsewhere",
    )
