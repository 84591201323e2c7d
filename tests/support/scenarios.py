"""Build a listing's money in memory: its payments, then its outcome, posted to a Ledger."""

from __future__ import annotations

from dataclasses import dataclass, field

from tombola.ledger import (
    OPERATOR_PROMOTIONS,
    Category,
    EntryKind,
    JournalEntry,
    Ledger,
    mileage,
    transfer,
)
from tombola.money import Money
from tombola.pricing import PriceTerms, SurplusPolicy
from tombola.settlement import (
    Funding,
    ListingFunds,
    Outcome,
    TicketPayment,
    deposit_paid,
    second_payment_paid,
    settlement_plan,
    tickets_paid,
)


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

    def settle(self, outcome: Outcome) -> JournalEntry | None:
        second = None
        if self.final_buyer is not None and outcome is not Outcome.UNSOLD:
            second = self.pay_second_payment()
        plan = settlement_plan(self.funds(second), outcome)
        if plan is not None:
            self.ledger.post(plan)
        return plan


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
