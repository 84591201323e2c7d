"""Reconciliation: one day of the provider's records against our books, each record matched by
the key it must have been booked under (never by reading the whole journal).

What the provider records, and where we booked it:

- a payment it took: the journal entry that booked it in (``<listing>:deposit:<id>``,
  ``:tickets:<id>``, ``:second-payment:<id>``, or ``:unaccepted:<id>`` for one refunded as not
  accepted; ``stray:<id>`` for one that named nothing of ours);
- a cancellation we asked for (our refund id in it): the refund's receipt, kept when the refund
  ran (``REFUND#<refund id>``);
- a cancellation of its own (a chargeback, its console): ``provider-cancel:<cancellation id>``;
- a payout it made (the sandbox; PortOne makes none of ours): the payout we issued.

And back: every journal entry and receipt of the day that names a provider record
(``provider_ref``, in the day's index) must be among the provider's records of the day, or
found by its id on another day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from tombola.domain.references import Reference, provider_cancel_key, stray_key, unaccepted_key

Status = Literal["matched", "missing_here", "missing_there", "amount_differs"]
Kind = Literal["payment", "cancellation", "refund", "payout"]
STATUSES: tuple[Status, ...] = ("matched", "missing_here", "missing_there", "amount_differs")


@dataclass(frozen=True, slots=True)
class RefundReceipt:
    """A refund of ours as it ran at the provider: what we asked for and what it gave back (less
    when the provider had already given some back on its own; the rest is ``refund_covered``)."""

    refund_id: str
    payment_id: str
    listing_id: str | None
    asked: int
    refunded: int
    currency: str
    at: datetime

    @property
    def ref(self) -> str:
        return f"refund:{self.refund_id}"


def journal_keys_for_payment(
    payment_id: str, reference: str | None
) -> list[tuple[str | None, str]]:
    """Where a provider's payment can have been booked: (listing id, journal key) candidates,
    from what its checkout asked for (a listing payment; anything else is a stray payment)."""
    keys: list[tuple[str | None, str]] = [(None, stray_key(payment_id))]
    ref = Reference.parse(reference)
    if ref is not None and ref.for_listing:
        keys.insert(0, (ref.listing_id, ref.journal_key(payment_id)))
        keys.insert(1, (ref.listing_id, unaccepted_key(ref.listing_id, payment_id)))
    return keys


def journal_keys_for_cancellation(
    cancellation_id: str, reference: str | None
) -> list[tuple[str | None, str]]:
    """A cancellation of the provider's own is booked under the listing its payment named (when
    that listing exists), else on the platform's books."""
    key = provider_cancel_key(cancellation_id)
    ref = Reference.parse(reference)
    if ref is not None and ref.for_listing:
        return [(ref.listing_id, key), (None, key)]
    return [(None, key)]


@dataclass
class Line:
    """One record compared: the provider's and ours, and what the comparison found."""

    status: Status
    kind: Kind
    provider_id: str
    currency: str
    provider_amount: int | None = None
    our_amount: int | None = None
    payment_id: str | None = None
    listing_id: str | None = None
    our_key: str | None = None
    note: str = ""


@dataclass
class Totals:
    """Per currency: money in (payments) and out (cancellations, payouts), as each side says."""

    currency: str
    provider_in: int = 0
    provider_out: int = 0
    ours_in: int = 0
    ours_out: int = 0


def compare(
    kind: Kind,
    provider_id: str,
    provider: tuple[int, str] | None,
    ours: tuple[int, str] | None,
    **about: str | None,
) -> Line:
    """One comparison: (amount, currency) as the provider has it and as we do."""
    currency = (provider or ours or (0, "-"))[1]
    line = Line(
        "matched",
        kind,
        provider_id,
        currency,
        provider[0] if provider else None,
        ours[0] if ours else None,
        payment_id=about.get("payment_id"),
        listing_id=about.get("listing_id"),
        our_key=about.get("our_key"),
        note=about.get("note") or "",
    )
    if ours is None:
        line.status = "missing_here"
    elif provider is None:
        line.status = "missing_there"
    elif provider != ours:
        line.status = "amount_differs"
    return line
