"""Signed payment provider events: deposits, tickets, second payments, refunds and payouts.

A payment is identified by the provider's payment id, not by the event that reports it, and it is
recognised from the money records themselves, for ever: the listing's deposit and second payment
ids, the entry a ticket payment paid, and journal keys that name the payment id (an unaccepted or
stray payment's refund). No marker that expires decides whether money moves. A payment that can
no longer be honoured is recorded and refunded at once, under the one refund id it can have.
"""

from __future__ import annotations

from tombola import telemetry
from tombola.api_models import PaymentEventIn
from tombola.api_views import WebhookAck
from tombola.changes import Change, Refund, ResumeWait
from tombola.errors import (
    InvalidInput,
    ListingFull,
    ListingNotOpen,
    NotFound,
    PayoutMismatch,
    TicketLimitExceeded,
)
from tombola.lifecycle import ListingStatus
from tombola.money import Money
from tombola.records import EntryStatus, ListingRecord
from tombola.services import provider_events
from tombola.services.buyers import (
    check_buyer_limit,
    find_buyer,
    give_back,
    mark_paid,
    reserve,
    take,
)
from tombola.services.common import alert_operator, load_listing, move, next_version, notify
from tombola.services.ports import Deps
from tombola.services.runner import apply, decide_and_apply
from tombola.services.tickets import accept_tickets, close_if_full
from tombola.settlement import (
    Funding,
    deposit_paid,
    payout_sent,
    second_payment_paid,
    stray_payment,
    tickets_paid,
    unaccepted_payment,
)

DUPLICATE = "duplicate"


def handle_verified_event(deps: Deps, event: PaymentEventIn | None) -> WebhookAck:
    if event is None:  # nothing of ours moved (a payment still waiting, a billing key)
        return WebhookAck(event_id="-", result="ignored")
    return handle_payment_event(deps, event)


def handle_payment_event(deps: Deps, event: PaymentEventIn) -> WebhookAck:
    if event.type == "payout.paid":
        return WebhookAck(event_id=event.id, result=_payout_paid(deps, event))
    if event.type == "refund.succeeded":
        return WebhookAck(event_id=event.id, result="refund_acknowledged")
    if event.type in {"payment.cancelled", "payment.disputed"}:  # services/provider_events.py
        return WebhookAck(event_id=event.id, result=provider_events.handle(deps, event))
    # A failure moves no money: it is applied once per event (a marker that may expire). A
    # success is applied once per provider payment, whatever event carries it, as the money
    # records say (the journal keys and the ids on the listing and entry).
    dedupe = [] if event.type == "payment.succeeded" else [f"payments:{event.id}"]

    def decide() -> tuple[Change, str]:
        change = Change(dedupe=list(dedupe))
        outcome = _decide(deps, event, change)
        return change, outcome

    result = decide_and_apply(deps, decide, duplicate=DUPLICATE)
    if result in {"tickets_issued", DUPLICATE}:
        _close_if_full(deps, event.data.reference)
    return WebhookAck(event_id=event.id, result=result)


def _close_if_full(deps: Deps, reference: str) -> None:
    """A listing whose last tickets this payment paid closes (also when a re-sent payment finds
    that an earlier delivery stopped before closing it)."""
    kind, _, rest = reference.partition(":")
    if kind != "entry":
        return
    listing_id, _, tail = rest.partition(":")
    entry_id, _, buyer_id = tail.partition(":")
    listing = deps.store.get_listing(listing_id)
    if listing is None or listing.status is not ListingStatus.OPEN:
        return
    buyer = find_buyer(deps, listing, buyer_id)
    entry = buyer.entries.get(entry_id) if buyer else None
    if entry is not None and entry.status is EntryStatus.PAID:
        close_if_full(deps, listing, entry.shards)


def _decide(deps: Deps, event: PaymentEventIn, change: Change) -> str:
    kind, _, rest = event.data.reference.partition(":")
    try:
        if kind == "deposit":
            return _deposit(deps, event, rest, change)
        if kind == "entry":
            return _entry(deps, event, rest, change)
        if kind == "p2":
            listing_id, _, buyer_round = rest.partition(":")
            buyer_id = buyer_round.rsplit(":", 1)[0]
            return _second_payment(deps, event, listing_id, buyer_id, change)
    except NotFound:  # the listing or entry it names does not exist
        if change.listing is not None or change.journal or change.effects:
            raise
    return _refund_stray(event, change)


def _refund_stray(event: PaymentEventIn, change: Change) -> str:
    """The provider confirmed a payment no checkout of ours asked for: it goes back to the payer
    at once (once per payment id, like any payment) and the operator is told."""
    data = event.data
    if event.type != "payment.succeeded":
        return "ignored"  # a failure of something not ours moved no money
    money = Money(data.amount, data.currency)
    if money.amount <= 0:
        raise InvalidInput("payment amount must be positive", field="data.amount")
    reason = f"no checkout of ours is {data.reference!r}"
    change.journal.extend(stray_payment(data.payment_id, money, reason))
    change.effects.append(Refund.of_payment(data.payment_id, money.amount, money.currency, reason))
    change.effects.append(
        alert_operator(
            "StrayPayment",
            f"payment {data.payment_id} named nothing of ours; refunded",
            payment_id=data.payment_id,
            reference=data.reference,
            amount=money.amount,
            currency=money.currency,
        )
    )
    return "refunded"


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
        current = deps.store.get_payout(payout.payout_id)
        if current is None or current.status == "paid":
            return Change(), DUPLICATE  # recorded before (its journal key says so too)
        paid = current.model_copy(update={"status": "paid", "paid_at": deps.clock.now()})
        change = Change(payouts=[paid])
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
    change.effects.append(Refund.of_payment(data.payment_id, money.amount, money.currency, reason))
    change.effects.append(
        notify("PaymentRefunded", listing, [payer_id], amount=money.amount, reason=reason)
    )
    return "refunded"


def _deposit(deps: Deps, event: PaymentEventIn, listing_id: str, change: Change) -> str:
    listing = next_version(load_listing(deps, listing_id))
    change.listing = listing
    if event.type == "payment.failed":
        return "ignored"
    if listing.deposit_payment_id == event.data.payment_id:
        change.listing = None
        return DUPLICATE  # this very payment opened the listing
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


def _entry(deps: Deps, event: PaymentEventIn, rest: str, change: Change) -> str:
    """A ticket payment is applied once by its entry's state: the entry records the payment
    that paid it, and the journal key names the payment (no dedupe marker needed)."""
    listing_id, _, tail = rest.partition(":")
    entry_id, _, buyer_id = tail.partition(":")
    listing = load_listing(deps, listing_id)
    found = find_buyer(deps, listing, buyer_id) if buyer_id else None
    if found is None or entry_id not in found.entries:  # refunded as a stray payment
        raise NotFound(f"no entry {entry_id!r} on listing {listing_id!r}")
    buyer = found.model_copy(deep=True, update={"version": found.version + 1})
    entry = buyer.entries[entry_id]
    data = event.data
    if event.type == "payment.failed":
        if entry.status is EntryStatus.PENDING:
            entry.status = EntryStatus.EXPIRED
            change.quota.extend(give_back(listing, entry.shards))
            entry.shards = {}
            change.buyers.append(buyer)
        return "hold_released"
    if entry.payment_id == data.payment_id and entry.status is not EntryStatus.PENDING:
        return DUPLICATE  # applied before: nothing to write
    if entry.status not in {EntryStatus.PENDING, EntryStatus.EXPIRED}:
        return _refund_unaccepted(change, listing, event, buyer_id, "entry already settled")
    if data.amount != entry.amount or data.currency != entry.currency:
        return _refund_unaccepted(change, listing, event, buyer_id, "wrong ticket amount")
    change.buyers.append(buyer)
    entry.payment_id = data.payment_id
    reserved = entry.status is EntryStatus.PENDING
    shards: dict[str, int] | None = entry.shards if reserved else None
    if listing.status is ListingStatus.OPEN and not reserved:
        # Its hold was released (failed or expired): taken if there is still room for it.
        try:
            check_buyer_limit(listing, buyer, entry.tickets, new_entry=False)
            shards = reserve(deps, listing, entry.tickets, entry_id, read_counts=True)
        except (ListingFull, TicketLimitExceeded, ListingNotOpen):
            shards = None
    if listing.status is not ListingStatus.OPEN or shards is None:
        entry.status = EntryStatus.REFUNDED
        change.quota.extend(give_back(listing, entry.shards))
        entry.shards = {}
        return _refund_unaccepted(
            change, listing, event, buyer_id, "hold expired and the listing is full or closed"
        )
    change.quota.extend(
        mark_paid(listing, shards) if reserved else take(listing, shards, paid=True)
    )
    entry.shards = shards
    accept_tickets(entry)
    change.journal.append(tickets_paid(listing_id, entry.payment()))
    change.decisions.append(
        telemetry.tickets_accepted(listing_id, entry_id, entry.tickets, entry.amount, "card")
    )
    return "tickets_issued"


def _second_payment(
    deps: Deps, event: PaymentEventIn, listing_id: str, buyer_id: str, change: Change
) -> str:
    listing = next_version(load_listing(deps, listing_id))
    change.listing = listing
    if event.type == "payment.failed":
        return "ignored"
    if listing.second_payment_id == event.data.payment_id:
        change.listing = None
        return DUPLICATE  # this very payment made its payer the final buyer
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
