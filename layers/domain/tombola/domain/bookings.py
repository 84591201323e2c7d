"""Journal entries for money as it moves: every payment of a listing as it arrives, what the
provider gives back unasked, and payouts. Each is keyed by the provider's id, so booking it
twice writes nothing new."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tombola.domain.errors import InvalidInput
from tombola.domain.ledger import (
    EXTERNAL,
    OPERATOR_PROVIDER_CANCELLATIONS,
    Category,
    EntryKind,
    JournalEntry,
    Posting,
    escrow,
    mileage,
    seller_payable,
    transfer,
)
from tombola.domain.money import Money
from tombola.domain.references import (
    PaysFor,
    booked_key,
    cancellation_ref,
    payment_ref,
    payout_ref,
    provider_cancel_key,
    stray_key,
    unaccepted_key,
)


class Funding(StrEnum):
    CARD = "card"
    MILEAGE = "mileage"
    FREE = "free"  # the free entry route: a ticket with no payment, in the draw only


def funding_source(buyer_id: str, funding: Funding) -> str:
    return EXTERNAL if funding is Funding.CARD else mileage(buyer_id)


@dataclass(frozen=True, slots=True)
class TicketPayment:
    """One accepted payment for ``tickets`` tickets of one buyer (P1 × tickets)."""

    payment_id: str
    buyer_id: str
    tickets: int
    amount: Money
    funding: Funding


def deposit_paid(listing_id: str, payment_id: str, deposit: Money) -> JournalEntry:
    return transfer(
        booked_key(PaysFor.DEPOSIT, listing_id, payment_id),
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
        booked_key(PaysFor.ENTRY, listing_id, payment.payment_id),
        EntryKind.TICKETS_PAID,
        funding_source(payment.buyer_id, payment.funding),
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
        booked_key(PaysFor.SECOND_PAYMENT, listing_id, payment_id),
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
    held = stray_key(payment_id)
    received = transfer(
        held,
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
    source = funding_source(payer_id, funding)
    received = transfer(
        unaccepted_key(listing_id, payment_id),
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
        payout_ref(payout_id),
        EntryKind.PAYOUT,
        seller_payable(seller_id),
        EXTERNAL,
        amount,
        source_category=Category.PAYOUT,
        target_category=Category.PAYOUT,
        listing_id=listing_id,
        provider_ref=payout_ref(payout_id),
    )


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
        cancellation_ref(cancellation_id, payment_id),
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
