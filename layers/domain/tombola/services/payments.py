"""Signed payment provider events: deposits, tickets, second payments, refunds and payouts.

A payment is identified by the provider's payment id, not by the event that reports it: the id
is a dedupe key written in the same transaction as the journal entry it causes, so a payment
reported by several events (or re-sent) is applied once. A payment that can no longer be honoured
is recorded and refunded at once, under the one refund id that payment can have.
"""

from __future__ import annotations

from tombola.api_models import PaymentEventIn
from tombola.changes import Change, Refund, ResumeWait
from tombola.errors import InvalidInput, PayoutMismatch
from tombola.lifecycle import ListingStatus
from tombola.money import Money
from tombola.records import EntryStatus, ListingRecord
from tombola.services.common import (
    alert_operator,
    load_listing,
    move,
    next_version,
    notify,
    prune_holds,
)
from tombola.services.ports import Deps
from tombola.services.runner import apply, decide_and_apply
from tombola.services.tickets import accept_tickets
from tombola.settlement import (
    Funding,
    deposit_paid,
    payout_sent,
    refund_id_for,
    second_payment_paid,
    tickets_paid,
    unaccepted_payment,
)
from tombola.tickets import PaymentDecision, decide_hold_payment


def payment_key(payment_id: str) -> str:
    return f"payment:{payment_id}"


def handle_payment_event(deps: Deps, event: PaymentEventIn) -> dict[str, object]:
    if event.type == "payout.paid":
        return {"event_id": event.id, "result": _payout_paid(deps, event)}
    if event.type == "refund.succeeded":
        return {"event_id": event.id, "result": "refund_acknowledged"}
    # A failure moves no money: it is applied once per event. A success is applied once per
    # provider payment, whatever event carries it.
    key = (
        payment_key(event.data.payment_id)
        if event.type == "payment.succeeded"
        else f"payments:{event.id}"
    )

    def decide() -> tuple[Change, str]:
        change = Change(dedupe=[key])
        outcome = _decide(deps, event, change)
        return change, outcome

    return {"event_id": event.id, "result": decide_and_apply(deps, decide, duplicate="duplicate")}


def _decide(deps: Deps, event: PaymentEventIn, change: Change) -> str:
    data = event.data
    kind, _, rest = data.reference.partition(":")
    if kind == "deposit":
        return _deposit(deps, event, rest, change)
    if kind == "entry":
        listing_id, _, entry_id = rest.partition(":")
        return _entry(deps, event, listing_id, entry_id, change)
    if kind == "p2":
        listing_id, _, buyer_round = rest.partition(":")
        buyer_id = buyer_round.rsplit(":", 1)[0]
        return _second_payment(deps, event, listing_id, buyer_id, change)
    raise InvalidInput(f"unknown payment reference {data.reference!r}", field="data.reference")


def _payout_paid(deps: Deps, event: PaymentEventIn) -> str:
    """Accepted only for a payout we issued, with its id, amount and currency; anything else is
    refused and the operator is alerted, since it means the provider and we disagree on money."""
    data = event.data
    kind, _, payout_id = data.reference.partition(":")
    payout = deps.store.get_payout(payout_id) if kind == "payout" and payout_id else None
    problem = None
    if payout is None:
        problem = f"no payout {payout_id or data.reference!r} was issued"
    elif (data.amount, data.currency) != (payout.amount, payout.currency):
        problem = (
            f"payout {payout_id} was issued for {payout.amount} {payout.currency}, "
            f"reported paid as {data.amount} {data.currency}"
        )
    if problem is not None or payout is None:
        apply(
            deps,
            Change(
                effects=[
                    alert_operator(
                        "PayoutMismatch",
                        problem or "",
                        event_id=event.id,
                        reference=data.reference,
                        amount=data.amount,
                        currency=data.currency,
                    )
                ]
            ),
        )
        raise PayoutMismatch(problem or "", field="data.reference")

    def decide() -> tuple[Change, str]:
        paid = payout.model_copy(update={"status": "paid", "paid_at": deps.clock.now()})
        change = Change(dedupe=[f"payout:{payout.payout_id}"], payouts=[paid])
        change.journal.append(
            payout_sent(
                payout.seller_id,
                payout.payout_id,
                Money(payout.amount, payout.currency),
                payout.listing_id,
            )
        )
        return change, "payout_recorded"

    return decide_and_apply(deps, decide, duplicate="duplicate")


def _refund_unaccepted(
    change: Change,
    listing: ListingRecord,
    event: PaymentEventIn,
    payer_id: str,
    reason: str,
) -> str:
    if event.type != "payment.succeeded":
        return "ignored"
    data = event.data
    money = Money(data.amount, data.currency)  # returned as it came, whatever its currency
    if money.amount <= 0:
        raise InvalidInput("payment amount must be positive", field="data.amount")
    change.journal.extend(
        unaccepted_payment(
            listing.listing_id, data.payment_id, payer_id, money, Funding.CARD, reason
        )
    )
    change.effects.append(
        Refund(
            refund_id=refund_id_for(data.payment_id),
            payment_id=data.payment_id,
            amount=money.amount,
            currency=money.currency,
            reason=reason,
        )
    )
    change.effects.append(
        notify("PaymentRefunded", listing, [payer_id], amount=money.amount, reason=reason)
    )
    return "refunded"


def _deposit(deps: Deps, event: PaymentEventIn, listing_id: str, change: Change) -> str:
    listing = next_version(load_listing(deps, listing_id))
    change.listing = listing
    if event.type == "payment.failed":
        return "ignored"
    if listing.status is not ListingStatus.AWAITING_DEPOSIT:
        return _refund_unaccepted(change, listing, event, listing.seller_id, "deposit not due")
    if event.data.amount != listing.deposit or event.data.currency != listing.currency:
        return _refund_unaccepted(change, listing, event, listing.seller_id, "wrong deposit amount")
    move(listing, ListingStatus.OPEN)
    listing.deposit_payment_id = event.data.payment_id
    change.journal.append(
        deposit_paid(listing_id, event.data.payment_id, listing.money(listing.deposit))
    )
    change.effects.append(notify("ListingOpened", listing, [listing.seller_id]))
    return "listing_opened"


def _entry(
    deps: Deps, event: PaymentEventIn, listing_id: str, entry_id: str, change: Change
) -> str:
    listing = next_version(load_listing(deps, listing_id))
    entry = deps.store.get_entry(listing_id, entry_id)
    if entry is None:
        raise InvalidInput(
            f"no entry {entry_id!r} on listing {listing_id!r}", field="data.reference"
        )
    change.listing = listing
    now = deps.clock.now()
    hold_active = entry_id in listing.holds and listing.holds[entry_id].expires_at > now
    prune_holds(listing, now)
    if event.type == "payment.failed":
        if entry.status is EntryStatus.PENDING:
            entry.status = EntryStatus.EXPIRED
            listing.holds.pop(entry_id, None)
            change.entries.append(entry)
        return "hold_released"
    if entry.status not in {EntryStatus.PENDING, EntryStatus.EXPIRED}:
        return _refund_unaccepted(change, listing, event, entry.buyer_id, "entry already settled")
    # A payment after its hold was released (failed, or expired) is taken if there is room.
    hold_active = hold_active and entry.status is EntryStatus.PENDING
    if event.data.amount != entry.amount or event.data.currency != entry.currency:
        return _refund_unaccepted(change, listing, event, entry.buyer_id, "wrong ticket amount")
    others = {k: h for k, h in listing.holds.items() if k != entry_id}
    decision = decide_hold_payment(
        listing.ticket_policy(),
        hold_active=hold_active,
        is_open=listing.status is ListingStatus.OPEN,
        paid_total=listing.paid_tickets,
        other_held_total=sum(h.count for h in others.values()),
        buyer_paid=listing.buyer_tickets.get(entry.buyer_id, 0),
        buyer_other_held=sum(h.count for h in others.values() if h.buyer_id == entry.buyer_id),
        count=entry.tickets,
    )
    change.entries.append(entry)
    entry.payment_id = event.data.payment_id
    if decision is PaymentDecision.REFUND:
        entry.status = EntryStatus.REFUNDED
        listing.holds.pop(entry_id, None)
        return _refund_unaccepted(
            change, listing, event, entry.buyer_id, "hold expired and the listing is full or closed"
        )
    accept_tickets(listing, entry, change, now)
    change.journal.append(tickets_paid(listing_id, entry.payment()))
    return "tickets_issued"


def _second_payment(
    deps: Deps, event: PaymentEventIn, listing_id: str, buyer_id: str, change: Change
) -> str:
    listing = next_version(load_listing(deps, listing_id))
    change.listing = listing
    if event.type == "payment.failed":
        return "ignored"
    current = (
        listing.status is ListingStatus.AWAITING_SECOND_PAYMENT and listing.candidate == buyer_id
    )
    if not current:
        return _refund_unaccepted(
            change, listing, event, buyer_id, "second payment after the deadline or not due"
        )
    if event.data.amount != listing.second_payment_due or event.data.currency != listing.currency:
        return _refund_unaccepted(change, listing, event, buyer_id, "wrong second payment amount")
    move(listing, ListingStatus.FINAL_BUYER)
    listing.final_buyer = buyer_id
    listing.second_payment_paid = event.data.amount
    listing.second_payment_id = event.data.payment_id
    change.journal.append(
        second_payment_paid(
            listing_id, event.data.payment_id, buyer_id, listing.money(event.data.amount)
        )
    )
    wait = listing.waits.pop("second_payment", None)
    if wait is not None and wait.candidate == buyer_id:
        change.effects.append(ResumeWait(token=wait.token, output={"event": "paid"}))
    change.effects.append(notify("FinalBuyer", listing, [buyer_id, listing.seller_id]))
    return "final_buyer"
