"""Signed payment provider events: deposits, tickets, second payments, refunds and payouts.

A payment is identified by the provider's payment id, not by the event that reports it, and it is
recognised from the money records themselves, for ever: the listing's deposit and second payment
ids, the entry a ticket payment paid, and journal keys that name the payment id (an unaccepted or
stray payment's refund). No marker that expires decides whether money moves. A payment that can
no longer be honoured is recorded and refunded at once, under the one refund id it can have.
"""

from __future__ import annotations

from tombola import telemetry
from tombola.api.views import WebhookAck
from tombola.domain.bookings import (
    Funding,
    deposit_paid,
    second_payment_paid,
    stray_payment,
    tickets_paid,
    unaccepted_payment,
)
from tombola.domain.errors import (
    InvalidInput,
    ListingFull,
    ListingNotOpen,
    MayNotPlay,
    NotFound,
    SpendLimitReached,
)
from tombola.domain.lifecycle import ListingStatus
from tombola.domain.money import Money
from tombola.domain.references import PaysFor, Reference, unaccepted_key
from tombola.domain.tickets import PaymentDecision, decide_hold_payment
from tombola.ports.payment_provider import PaymentEvent
from tombola.services import play, provider_events
from tombola.services.buyers import find_buyer, give_back, mark_paid, reserve, take
from tombola.services.deps import Deps
from tombola.services.listing_access import load_listing, move, next_version
from tombola.services.notices import alert_operator, notify, sold_to
from tombola.services.payouts import payout_paid
from tombola.services.runner import decide_and_apply
from tombola.services.ticket_counts import accept_tickets, close_if_full
from tombola.state.changes import Change, Refund, ResumeWait
from tombola.state.records import EntryStatus, ListingRecord
from tombola.state.resume_points import start_life

DUPLICATE = "duplicate"


def handle_verified_event(deps: Deps, event: PaymentEvent | None) -> WebhookAck:
    if event is None:  # nothing of ours moved (a payment still waiting, a billing key)
        return WebhookAck(event_id="-", result="ignored")
    return handle_payment_event(deps, event)


def handle_payment_event(deps: Deps, event: PaymentEvent) -> WebhookAck:
    if event.type == "payout.paid":
        return WebhookAck(
            event_id=event.id,
            result=payout_paid(
                deps,
                Reference.parse(event.data.reference),
                Money(event.data.amount, event.data.currency),
                transfer=event.data.payment_id,
                event_id=event.id,
            ),
        )
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
        _close_if_full(deps, Reference.parse(event.data.reference))
    return WebhookAck(event_id=event.id, result=result)


def _close_if_full(deps: Deps, ref: Reference | None) -> None:
    """A listing whose last tickets this payment paid closes (also when a re-sent payment finds
    that an earlier delivery stopped before closing it)."""
    if ref is None or ref.pays_for is not PaysFor.ENTRY:
        return
    listing = deps.store.get_listing(ref.listing_id)
    if listing is None or listing.status is not ListingStatus.OPEN:
        return
    buyer = find_buyer(deps, listing, ref.buyer_id)
    entry = buyer.entries.get(ref.entry_id) if buyer else None
    if entry is not None and entry.status is EntryStatus.PAID:
        close_if_full(deps, listing, entry.shards)


def _decide(deps: Deps, event: PaymentEvent, change: Change) -> str:
    ref = Reference.parse(event.data.reference)
    try:
        if ref is None:
            pass
        elif ref.pays_for is PaysFor.DEPOSIT:
            return _deposit(deps, event, ref.listing_id, change)
        elif ref.pays_for is PaysFor.ENTRY:
            return _entry(deps, event, ref, change)
        elif ref.pays_for is PaysFor.SECOND_PAYMENT:
            return _second_payment(deps, event, ref.listing_id, ref.buyer_id, change)
    except NotFound:  # the listing or entry it names does not exist
        if change.listing is not None or change.journal or change.effects:
            raise
    return _refund_stray(event, change)


def _refund_stray(event: PaymentEvent, change: Change) -> str:
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


def _refund_unaccepted(
    change: Change,
    listing: ListingRecord,
    event: PaymentEvent,
    payer_id: str,
    reason: str,
    why: str | None = None,
) -> str:
    """``why``: what the payer is told the refund is for (message_texts.WHY), when it is
    something they can understand (the listing closed, it filled, their own limit)."""
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
        notify(
            "PaymentRefunded",
            listing,
            [payer_id],
            amount=money.amount,
            currency=money.currency,
            reason=reason,
            **({"why": why} if why else {}),
        )
    )
    return "refunded"


def _deposit(deps: Deps, event: PaymentEvent, listing_id: str, change: Change) -> str:
    listing = next_version(load_listing(deps, listing_id))
    change.listing = listing
    if event.type == "payment.failed":
        return "ignored"
    if listing.deposit_payment_id == event.data.payment_id:
        change.listing = None
        return DUPLICATE  # this very payment opened the listing
    if listing.status is not ListingStatus.AWAITING_DEPOSIT:
        return _refund_unaccepted(change, listing, event, listing.seller_id, "deposit not due")
    if deps.clock.now() >= listing.due_at:  # the schedule has not cancelled it yet
        return _refund_unaccepted(change, listing, event, listing.seller_id, "deposit expired")
    if event.data.amount != listing.deposit or event.data.currency != listing.currency:
        return _refund_unaccepted(change, listing, event, listing.seller_id, "wrong deposit amount")
    now = deps.clock.now()
    paused = play.refusal(play.policy(deps), deps.store.get_standing(listing.seller_id), now)
    if paused is not None:  # a break or exclusion taken since the listing was made stops it
        return _refund_unaccepted(
            change,
            listing,
            event,
            listing.seller_id,
            f"responsible play: {paused.code}",
            why=_why(paused.code),
        )
    move(listing, ListingStatus.OPEN, deps.clock.now())
    listing.deposit_payment_id = event.data.payment_id
    change.journal.append(
        deposit_paid(listing_id, event.data.payment_id, listing.money(listing.deposit))
    )
    change.effects.append(notify("ListingOpened", listing, [listing.seller_id]))
    change.effects.append(start_life(listing, deps.clock.now()))
    return "listing_opened"


def _entry(deps: Deps, event: PaymentEvent, ref: Reference, change: Change) -> str:
    """A ticket payment is applied once by its entry's state: the entry records the payment
    that paid it, and the journal key names the payment (no dedupe marker needed)."""
    listing_id, entry_id, buyer_id = ref.listing_id, ref.entry_id, ref.buyer_id
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
    reserved = entry.status is EntryStatus.PENDING  # its hold still holds its quota
    taken: dict[str, int] = {}
    no_room: list[str] = []  # why the room was refused, for the payer's notice

    def take_room(tickets: int) -> bool:
        try:
            taken.update(reserve(deps, listing, tickets, entry_id, read_counts=True))
        except ListingFull:
            no_room.append("full")
            return False
        except ListingNotOpen:  # closing: its shards were frozen
            no_room.append("closed")
            return False
        return True

    decision = decide_hold_payment(
        listing.ticket_policy(),
        is_open=listing.status is ListingStatus.OPEN,
        hold_active=reserved,
        buyer_paid=buyer.paid_tickets(),
        buyer_other_held=buyer.held_tickets() - (entry.tickets if reserved else 0),
        count=entry.tickets,
        take_room=take_room,
    )
    paused: str | None = None
    if decision is not PaymentDecision.REFUND:
        paused = _gate(deps, change, buyer_id, listing.currency, entry.amount)
    if decision is PaymentDecision.REFUND or paused is not None:
        entry.status = EntryStatus.REFUNDED
        change.quota.extend(give_back(listing, entry.shards))
        entry.shards = {}
        closed = listing.status is not ListingStatus.OPEN
        if paused is not None:
            return _refund_unaccepted(
                change, listing, event, buyer_id, f"responsible play: {paused}", why=_why(paused)
            )
        return _refund_unaccepted(
            change,
            listing,
            event,
            buyer_id,
            "hold expired and the listing is full or closed",
            # the buyer's own other tickets left no room when the shards were not even asked
            why="closed" if closed else (no_room[-1] if no_room else "limit"),
        )
    shards = entry.shards if reserved else taken
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


def _gate(
    deps: Deps, change: Change, payer_id: str, currency: str, amount: int, *, owed: bool = False
) -> str | None:
    """The responsible-play gate as the money arrives (services/play.py): None when it counts
    (the spend is in ``change``), or the refusal's code, and the payment goes back."""
    try:
        play.gate(deps, change, payer_id, currency, amount, owed=owed)
    except (MayNotPlay, SpendLimitReached) as refused:
        return refused.code
    return None


def _why(code: str) -> str:
    if code == SpendLimitReached.code:
        return "spend_limit"
    return "paused" if code in {"on_break", "self_excluded"} else "play"


def _second_payment(
    deps: Deps, event: PaymentEvent, listing_id: str, buyer_id: str, change: Change
) -> str:
    listing = next_version(load_listing(deps, listing_id))
    change.listing = listing
    if event.type == "payment.failed":
        return "ignored"
    if listing.second_payment_id == event.data.payment_id:
        change.listing = None
        return DUPLICATE  # this very payment made its payer the final buyer
    refused_before = unaccepted_key(listing_id, event.data.payment_id)
    if deps.store.journal_entries([(listing_id, refused_before)]):
        # refused and refunded before (the head's version orders this read after that write):
        # the same payment again, whatever changed since, is that refusal
        change.listing = None
        return DUPLICATE
    current = (
        listing.status is ListingStatus.AWAITING_SECOND_PAYMENT and listing.candidate == buyer_id
    )
    if not current:
        return _refund_unaccepted(
            change, listing, event, buyer_id, "second payment after the deadline or not due"
        )
    if event.data.amount != listing.second_payment_due or event.data.currency != listing.currency:
        return _refund_unaccepted(change, listing, event, buyer_id, "wrong second payment amount")
    paused = _gate(deps, change, buyer_id, listing.currency, event.data.amount, owed=True)
    if paused is not None:
        return _refund_unaccepted(
            change, listing, event, buyer_id, f"responsible play: {paused}", why=_why(paused)
        )
    move(listing, ListingStatus.FINAL_BUYER, deps.clock.now())
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
    change.effects += sold_to(listing, buyer_id)
    return "final_buyer"
