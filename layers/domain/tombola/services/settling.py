"""Settlement of a listing's outcome: one balanced journal entry written with the final status,
then refunds, payouts and mileage credits from the outbox (DOMAIN rules 8, 11, 12)."""

from __future__ import annotations

from tombola.changes import Change, CreditMileage, Effect, Payout, Refund
from tombola.errors import InvalidInput
from tombola.ledger import JournalEntry
from tombola.lifecycle import ListingStatus
from tombola.records import EntryRecord, ListingRecord, PayoutRecord, listing_funds
from tombola.services.common import load_listing, move, next_version, notify
from tombola.services.ports import Deps
from tombola.services.runner import decide_and_apply
from tombola.settlement import Funding, Outcome, payout_id_for, refund_id_for, settlement_plan

S = ListingStatus
TERMINAL_OUTCOME = {S.SETTLED: "sold", S.UNSOLD: "unsold", S.CANCELLED: "seller_fault"}


def settle(deps: Deps, listing_id: str, outcome: str, reason: str) -> dict[str, object]:
    try:
        wanted = Outcome(outcome)
    except ValueError:
        raise InvalidInput(f"unknown outcome {outcome!r}", field="outcome") from None

    def decide() -> tuple[Change, dict[str, object]]:
        listing = next_version(load_listing(deps, listing_id))
        if listing.status in TERMINAL_OUTCOME:
            return Change(), {"listing_id": listing_id, "status": listing.status.value}
        change = Change(listing=listing)
        if wanted is Outcome.SOLD:
            if listing.status is not S.CONFIRMED:
                move(listing, S.CONFIRMED)
            move(listing, S.SETTLED)
        elif wanted is Outcome.UNSOLD:
            move(listing, S.UNSOLD)
        else:
            move(listing, S.CANCELLED)
        listing.outcome, listing.outcome_reason = wanted.value, reason
        paid: list[EntryRecord] = []
        forfeited: set[str] = set()
        for buyer in deps.store.buyers_of_listing(listing_id, listing.entry_partitions):
            paid.extend(buyer.paid())
            if buyer.forfeited:
                forfeited.add(buyer.buyer_id)
        plan = settlement_plan(listing_funds(listing, paid, frozenset(forfeited)), wanted)
        if plan is not None:
            change.journal.append(plan)
            change.effects.extend(_money_effects(listing, paid, forfeited, plan, wanted))
            change.payouts.extend(
                PayoutRecord(
                    payout_id=e.payout_id,
                    listing_id=listing_id,
                    seller_id=e.seller_id,
                    amount=e.amount,
                    currency=e.currency,
                    issued_at=deps.clock.now(),
                )
                for e in change.effects
                if isinstance(e, Payout)
            )
        change.effects.append(_announce(listing, wanted, paid, reason))
        return change, {"listing_id": listing_id, "status": listing.status.value}

    return decide_and_apply(deps, decide)


def _money_effects(
    listing: ListingRecord,
    paid: list[EntryRecord],
    forfeited: set[str],
    plan: JournalEntry,
    outcome: Outcome,
) -> list[Effect]:
    effects: list[Effect] = []
    lid, cur = listing.listing_id, listing.currency

    def refund(payment_id: str | None, amount: int, reason: str) -> None:
        if payment_id and amount > 0:
            effects.append(
                Refund(
                    refund_id=refund_id_for(payment_id),
                    payment_id=payment_id,
                    amount=amount,
                    currency=cur,
                    reason=reason,
                )
            )

    if outcome is Outcome.SOLD:
        effects.append(
            Payout(
                payout_id=payout_id_for(lid),
                seller_id=listing.seller_id,
                amount=listing.price,
                currency=cur,
            )
        )
        refund(listing.deposit_payment_id, listing.deposit, "deposit refunded at settlement")
    elif outcome is Outcome.UNSOLD:
        refund(listing.deposit_payment_id, listing.deposit, "listing unsold: deposit refunded")
        for e in paid:
            if e.funding is Funding.CARD and e.buyer_id not in forfeited:
                refund(e.payment_id, e.amount, "listing unsold: tickets refunded")
    else:
        for e in paid:
            if e.funding is Funding.CARD:
                refund(e.payment_id, e.amount, "sale cancelled: tickets refunded")
        refund(listing.second_payment_id, listing.second_payment_paid, "sale cancelled: refunded")
    credits: dict[str, int] = {}
    for p in plan.postings:
        if p.account.startswith("mileage:") and p.amount > 0:
            buyer = p.account.removeprefix("mileage:")
            credits[buyer] = credits.get(buyer, 0) + p.amount
    effects.extend(
        CreditMileage(key=f"{plan.key}:{buyer}", buyer_id=buyer, amount=amount, currency=cur)
        for buyer, amount in sorted(credits.items())
    )
    return effects


def _announce(
    listing: ListingRecord, outcome: Outcome, paid: list[EntryRecord], reason: str
) -> Effect:
    buyers = sorted({e.buyer_id for e in paid})
    if outcome is Outcome.SOLD:
        return notify(
            "Settled", listing, [listing.seller_id, listing.final_buyer or ""], reason=reason
        )
    kind = "Unsold" if outcome is Outcome.UNSOLD else "Cancelled"
    return notify(kind, listing, [listing.seller_id, *buyers], reason=reason)
