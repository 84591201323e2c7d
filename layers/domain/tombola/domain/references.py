"""Payment identity: what a checkout pays for, as the provider echoes it back, and the ids and
journal keys every payment, refund and payout is known by. Built and parsed here only.

A checkout's reference, sent to the provider and returned with each of its events:

    deposit:<listing>                        the seller's deposit
    entry:<listing>:<entry>:<buyer>          a buyer's tickets (P1 × tickets)
    p2:<listing>:<buyer>:<round>             the drawn candidate's second payment
    payout:<payout id>                       a payout to a seller (the provider's payout.paid)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PaysFor(StrEnum):
    DEPOSIT = "deposit"
    ENTRY = "entry"
    SECOND_PAYMENT = "p2"
    PAYOUT = "payout"


# Where each kind of listing payment is booked when accepted (the journal key's middle part).
_BOOKED_AS = {
    PaysFor.DEPOSIT: "deposit",
    PaysFor.ENTRY: "tickets",
    PaysFor.SECOND_PAYMENT: "second-payment",
}


@dataclass(frozen=True, slots=True)
class Reference:
    pays_for: PaysFor
    listing_id: str = ""
    buyer_id: str = ""
    entry_id: str = ""
    round: int = 0
    payout_id: str = ""

    @classmethod
    def deposit(cls, listing_id: str) -> Reference:
        return cls(PaysFor.DEPOSIT, listing_id)

    @classmethod
    def entry(cls, listing_id: str, entry_id: str, buyer_id: str) -> Reference:
        return cls(PaysFor.ENTRY, listing_id, buyer_id, entry_id)

    @classmethod
    def second_payment(cls, listing_id: str, buyer_id: str, round: int) -> Reference:
        return cls(PaysFor.SECOND_PAYMENT, listing_id, buyer_id, round=round)

    @classmethod
    def payout(cls, payout_id: str) -> Reference:
        return cls(PaysFor.PAYOUT, payout_id=payout_id)

    @property
    def for_listing(self) -> bool:
        """A payment into a listing's escrow (a deposit, tickets or a second payment)."""
        return self.pays_for in _BOOKED_AS

    def __str__(self) -> str:
        match self.pays_for:
            case PaysFor.DEPOSIT:
                return f"deposit:{self.listing_id}"
            case PaysFor.ENTRY:
                return f"entry:{self.listing_id}:{self.entry_id}:{self.buyer_id}"
            case PaysFor.SECOND_PAYMENT:
                return f"p2:{self.listing_id}:{self.buyer_id}:{self.round}"
            case PaysFor.PAYOUT:
                return f"payout:{self.payout_id}"

    @classmethod
    def parse(cls, text: str | None) -> Reference | None:
        """The reference a checkout of ours was created with; None for anything else."""
        kind, _, rest = (text or "").partition(":")
        try:
            pays_for = PaysFor(kind)
        except ValueError:
            return None
        if pays_for is PaysFor.PAYOUT:
            return cls.payout(rest) if rest else None
        listing_id, _, tail = rest.partition(":")
        if not listing_id:
            return None
        if pays_for is PaysFor.DEPOSIT:
            return cls.deposit(listing_id) if not tail else None
        if pays_for is PaysFor.ENTRY:
            entry_id, _, buyer_id = tail.partition(":")
            return cls.entry(listing_id, entry_id, buyer_id) if entry_id and buyer_id else None
        buyer_id, _, round_ = tail.rpartition(":")
        if not buyer_id or not round_.isdigit():
            return None
        return cls.second_payment(listing_id, buyer_id, int(round_))

    def journal_key(self, payment_id: str) -> str:
        """The key this listing payment is booked under when accepted."""
        return booked_key(self.pays_for, self.listing_id, payment_id)


def booked_key(pays_for: PaysFor, listing_id: str, payment_id: str) -> str:
    """The key a listing payment (deposit, tickets, second payment) is booked under."""
    return f"{listing_id}:{_BOOKED_AS[pays_for]}:{payment_id}"


def unaccepted_key(listing_id: str, payment_id: str) -> str:
    """A listing payment that arrived for something no longer available (refunded at once)."""
    return f"{listing_id}:unaccepted:{payment_id}"


def stray_key(payment_id: str) -> str:
    """A payment that named nothing of ours (refunded at once, on the platform's books)."""
    return f"stray:{payment_id}"


def provider_cancel_key(cancellation_id: str) -> str:
    """A cancellation the provider made without our asking is booked once, for ever, under its
    own id (a webhook re-sent a year later finds this key)."""
    return f"provider-cancel:{cancellation_id}"


def payment_ref(payment_id: str) -> str:
    """How a journal entry or a posting names the provider's payment it books or returns."""
    return f"payment:{payment_id}"


def payment_of(ref: str | None) -> str | None:
    """The payment id a ``payment_ref`` names; None for anything else."""
    kind, _, payment_id = (ref or "").partition(":")
    return payment_id if kind == "payment" and payment_id else None


def cancellation_ref(cancellation_id: str, payment_id: str) -> str:
    return f"cancellation:{cancellation_id}:{payment_id}"


def payout_ref(payout_id: str) -> str:
    return f"payout:{payout_id}"


def parse_provider_ref(ref: str) -> tuple[str, str, str | None]:
    """(kind, id, payment id) of a ``provider_ref``: ``payment:<id>``, ``payout:<id>``,
    ``cancellation:<cancellation id>:<payment id>``, ``refund:<refund id>``."""
    kind, _, rest = ref.partition(":")
    if kind == "cancellation":
        cancellation_id, _, payment_id = rest.partition(":")
        return kind, cancellation_id, payment_id or None
    return kind, rest, None


def refund_id_for(payment_id: str) -> str:
    """The one refund id a payment can have, whichever path refunds it: the provider applies a
    refund id once, so no path can refund one payment twice."""
    return f"refund-{payment_id}"


def payout_id_for(listing_id: str) -> str:
    """One payout per listing."""
    return f"payout-{listing_id}"
