"""Money the provider moved without our asking, and disputes.

A ``payment.cancelled`` event reports one cancellation of a payment, by the provider's
cancellation id:

- one we asked for carries our refund id (``refund-<payment id>``): the refund is on the journal
  already (it was posted with the change that asked for it), so it is only acknowledged;
- any other (the payer's card issuer charged it back, someone cancelled it in the provider's
  console) is booked once, for ever, under ``provider-cancel:<cancellation id>``: the money leaves
  where it was held for the payer (settlement.py, ``provider_cancelled``) and the operator is
  alerted (an ``OperatorAlert`` naming the listing, the payment and the amount). It is not put on
  the list of listings needing attention: that list is of stopped executions, and an entry there
  leaves it only when the listing is resumed, which a running or finished listing never is.

A ``payment.disputed`` event moves no money (the provider reports a chargeback as a cancellation
when it happens): the operator is alerted, once per event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tombola import telemetry
from tombola.domain.bookings import provider_cancelled
from tombola.domain.errors import InvalidInput
from tombola.domain.lifecycle import ListingStatus
from tombola.domain.money import Money
from tombola.domain.references import PaysFor, Reference, refund_id_for
from tombola.ports.payment_provider import PaymentEvent
from tombola.services.buyers import find_buyer
from tombola.services.deps import Deps
from tombola.services.notices import alert_operator
from tombola.services.runner import decide_and_apply
from tombola.state.changes import Change
from tombola.state.records import EntryStatus, ListingRecord

log = logging.getLogger(__name__)

DUPLICATE = "duplicate"
SETTLED = frozenset({ListingStatus.SETTLED, ListingStatus.UNSOLD, ListingStatus.CANCELLED})


@dataclass(frozen=True)
class Held:
    """Where a payment's money is, as our records say."""

    listing: ListingRecord | None  # the listing it paid for, if it names one of ours
    accepted: bool  # the listing took it (deposit, tickets, P2), rather than refunding it
    in_escrow: bool  # ... and its listing has not begun settling: escrow still holds it


def handle(deps: Deps, event: PaymentEvent) -> str:
    if event.type == "payment.disputed":
        return _disputed(deps, event)
    return _cancelled(deps, event)


def ours(event: PaymentEvent) -> bool:
    """A cancellation we asked for: it carries the one refund id its payment can have."""
    return event.data.refund_id == refund_id_for(event.data.payment_id)


def _cancelled(deps: Deps, event: PaymentEvent) -> str:
    data = event.data
    cancellation_id = data.cancellation_id
    if cancellation_id is None:
        raise InvalidInput("a cancellation names its id", field="data.cancellation_id")
    if ours(event):
        return "cancellation_acknowledged"  # our refund, booked when we asked for it
    if data.amount <= 0:
        raise InvalidInput("a cancellation gives back a positive amount", field="data.amount")
    money = Money(data.amount, data.currency)

    def decide() -> tuple[Change, str]:
        held = where(deps, data.payment_id, data.reference)
        listing = held.listing
        listing_id = listing.listing_id if listing else None
        why = data.reason or "no reason given"
        entry = provider_cancelled(
            cancellation_id,
            data.payment_id,
            money,
            listing_id=listing_id,
            held_in_escrow=held.in_escrow,
            memo=f"given back by the provider, unasked: {why}",
        )
        bearer = (
            "escrow (refilled by the operator until the listing's outcome)"
            if held.in_escrow
            else "the operator"
        )
        problem = (
            f"the provider gave back {money.amount} {money.currency} of payment "
            f"{data.payment_id} without our asking ({why}); booked against {bearer}"
        )
        change = Change(journal=[entry])
        change.effects.append(
            alert_operator(
                "ProviderCancelled",
                problem,
                payment_id=data.payment_id,
                cancellation_id=cancellation_id,
                amount=money.amount,
                currency=money.currency,
                listing_id=listing_id,
                reference=data.reference,
            )
        )
        change.decisions.append(
            telemetry.provider_cancelled(
                listing_id or "", data.payment_id, cancellation_id, money.amount, held.in_escrow
            )
        )
        return change, "cancellation_recorded"

    result = decide_and_apply(deps, decide, duplicate=DUPLICATE)
    if result != DUPLICATE:
        log.warning(
            "payment %s: cancellation %s of %d %s by the provider booked",
            data.payment_id,
            cancellation_id,
            money.amount,
            money.currency,
        )
    return result


def _disputed(deps: Deps, event: PaymentEvent) -> str:
    """Moves nothing: the operator is told (once per event; a marker that may expire, since no
    money depends on it) so that they can answer the card issuer before it charges back."""
    data = event.data

    def decide() -> tuple[Change, str]:
        held = where(deps, data.payment_id, data.reference)
        problem = (
            f"the payer of {data.payment_id} disputed it with their card issuer "
            f"({data.reason or 'no reason given'}); a chargeback may follow"
        )
        change = Change(dedupe=[f"payments:{event.id}"])
        change.effects.append(
            alert_operator(
                "PaymentDisputed",
                problem,
                payment_id=data.payment_id,
                amount=data.amount,
                currency=data.currency,
                listing_id=held.listing.listing_id if held.listing else None,
                reference=data.reference,
            )
        )
        return change, "dispute_alerted"

    return decide_and_apply(deps, decide, duplicate=DUPLICATE)


def where(deps: Deps, payment_id: str, reference: str) -> Held:
    """The listing a payment paid for and whether escrow holds it, from its checkout's reference
    and the money records (the listing's and entry's payment ids)."""
    ref = Reference.parse(reference)
    if ref is None or not ref.for_listing:
        return Held(None, False, False)
    listing = deps.store.get_listing(ref.listing_id)
    if listing is None:
        return Held(None, False, False)
    if ref.pays_for is PaysFor.DEPOSIT:
        accepted = listing.deposit_payment_id == payment_id
    elif ref.pays_for is PaysFor.SECOND_PAYMENT:
        accepted = listing.second_payment_id == payment_id
    else:
        buyer = find_buyer(deps, listing, ref.buyer_id)
        entry = buyer.entries.get(ref.entry_id) if buyer else None
        accepted = (
            entry is not None
            and entry.payment_id == payment_id
            and entry.status is EntryStatus.PAID
        )
    in_escrow = accepted and listing.settling is None and listing.status not in SETTLED
    return Held(listing, accepted, in_escrow)
