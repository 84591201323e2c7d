"""A buyer applies for tickets: a held card checkout, or tickets paid at once with mileage."""

from __future__ import annotations

from datetime import datetime

from tombola import telemetry
from tombola.api import cursors
from tombola.api.models import EntryIn
from tombola.api.views import (
    CheckoutView,
    EntryCreated,
    EntryList,
    EntryView,
    MileageView,
    SecondPaymentDue,
    ShipmentInfo,
)
from tombola.domain.auth import Caller, Role
from tombola.domain.bookings import Funding, tickets_paid
from tombola.domain.errors import (
    Forbidden,
    InsufficientBalance,
    ListingFull,
    ListingNotOpen,
    OutOfRange,
    ProviderUnavailable,
)
from tombola.domain.lifecycle import PHASE, ListingStatus
from tombola.domain.pseudonyms import buyer_pseudonym
from tombola.domain.references import Reference
from tombola.services import play
from tombola.services.buyers import (
    check_buyer_limit,
    give_back,
    load_buyer,
    release_expired,
    reserve,
    take,
)
from tombola.services.deps import Deps
from tombola.services.listing_access import load_listing, pseudonym_key, require_profile
from tombola.services.listings import checkout_view
from tombola.services.request_keys import checked_request_key, derived_id, fingerprint, same_request
from tombola.services.runner import decide_and_apply
from tombola.services.settling import mileage_per_ticket
from tombola.services.ticket_counts import accept_tickets, close_full, close_if_full
from tombola.state.changes import Change, MileageDebit
from tombola.state.records import EntryRecord, EntryStatus, ListingRecord


def apply_for_tickets(
    deps: Deps, caller: Caller, listing_id: str, body: EntryIn, request_key: str | None = None
) -> EntryCreated:
    """Under an Idempotency-Key the entry id is derived from it: a retry finds its hold."""
    caller.require(Role.BUYER)
    key = checked_request_key(request_key)
    return deps.requests.once(
        f"POST /listings/{listing_id}/entries|{caller.user_id}",
        key,
        body.model_dump(mode="json"),
        lambda: _apply(deps, caller, listing_id, body, key),
        EntryCreated,
    )


def _apply(
    deps: Deps, caller: Caller, listing_id: str, body: EntryIn, key: str | None
) -> EntryCreated:
    require_profile(deps, caller)
    funding = Funding(body.payment_method)
    entry_id = derived_id("E", caller.user_id, listing_id, key) if key else deps.ids.new("E")
    listing = load_listing(deps, listing_id)
    if listing.seller_id == caller.user_id:
        raise Forbidden("a seller cannot enter their own listing's draw")
    attempts = 0

    def decide() -> tuple[Change, EntryRecord]:
        nonlocal attempts, listing
        attempts += 1
        if attempts > 1:
            listing = load_listing(deps, listing_id)
        now = deps.clock.now()
        buyer = load_buyer(deps, listing, caller.user_id)
        if key is not None and entry_id in buyer.entries:
            existing = buyer.entries[entry_id]
            same_request(existing.request_fingerprint, body)
            return Change(), existing
        if listing.status is not ListingStatus.OPEN or now >= listing.closes_at:
            raise ListingNotOpen("the listing is not open for entries")
        change = Change(buyers=[buyer])
        change.quota.extend(release_expired(listing, buyer, now))
        check_buyer_limit(listing, buyer, body.tickets)
        amount = listing.first_payment * body.tickets
        _play_gate(deps, change, caller.user_id, listing.currency, amount, funding)
        try:
            shards = reserve(deps, listing, body.tickets, entry_id, read_counts=attempts > 1)
        except ListingFull:
            close_full(deps, listing_id)  # full and not closed: a close that did not happen
            raise
        entry = EntryRecord(
            entry_id=entry_id,
            listing_id=listing_id,
            buyer_id=caller.user_id,
            tickets=body.tickets,
            amount=amount,
            currency=listing.currency,
            funding=funding,
            status=EntryStatus.PENDING,
            created_at=now,
            expires_at=listing.hold_expiry(now),
            request_fingerprint=fingerprint(body) if key else None,
            shards=shards,
        )
        buyer.entries[entry_id] = entry
        paid = funding is Funding.MILEAGE
        change.quota.extend(take(listing, shards, paid=paid))
        if paid:
            balance = deps.store.mileage_balance(caller.user_id, listing.currency)
            if balance < amount:
                raise InsufficientBalance(
                    f"{amount} {listing.currency} of mileage needed, {balance} available",
                    field="payment_method",
                )
            entry.payment_id = f"mileage-{entry.entry_id}"
            change.mileage_debits.append(MileageDebit(caller.user_id, listing.currency, amount))
            accept_tickets(entry)
            change.journal.append(tickets_paid(listing_id, entry.payment()))
            change.decisions.append(
                telemetry.tickets_accepted(
                    listing_id, entry.entry_id, entry.tickets, entry.amount, "mileage"
                )
            )
        return change, entry

    entry = decide_and_apply(deps, decide)
    if entry.status is EntryStatus.PAID:
        close_if_full(deps, listing, entry.shards)
    mine = buyer_pseudonym(pseudonym_key(deps), listing_id, caller.user_id)
    result = EntryCreated(entry=entry_view(entry, listing, pseudonym=mine))
    if entry.funding is Funding.CARD and entry.status is EntryStatus.PENDING:
        result.checkout = _checkout(deps, listing, entry)
    return result


def _play_gate(
    deps: Deps, change: Change, buyer_id: str, currency: str, amount: int, funding: Funding
) -> None:
    if funding is Funding.MILEAGE:  # the money moves now: counted in this very change
        play.gate(deps, change, buyer_id, currency, amount)
    else:  # the card pays later, and the gate runs again then (services/payments.py)
        play.precheck(deps, buyer_id, currency, amount)


def _checkout(deps: Deps, listing: ListingRecord, entry: EntryRecord) -> CheckoutView:
    try:
        checkout = deps.payments.create_checkout(
            reference=str(Reference.entry(entry.listing_id, entry.entry_id, entry.buyer_id)),
            payer_id=entry.buyer_id,
            amount=entry.payment().amount,
            expires_at=entry.expires_at,
        )
    except ProviderUnavailable:
        # Nobody can pay this hold: its tickets go back at once, as if never asked for.
        withdraw_hold(deps, listing, entry.buyer_id, entry.entry_id)
        raise
    return checkout_view(checkout)


def withdraw_hold(deps: Deps, listing: ListingRecord, buyer_id: str, entry_id: str) -> None:
    def decide() -> tuple[Change, None]:
        buyer = load_buyer(deps, listing, buyer_id)
        entry = buyer.entries.get(entry_id)
        if entry is None or entry.status is not EntryStatus.PENDING:
            return Change(), None  # paid meanwhile, or released already
        entry.status = EntryStatus.EXPIRED
        moves = give_back(listing, entry.shards)
        entry.shards = {}
        return Change(buyers=[buyer], quota=moves), None

    decide_and_apply(deps, decide)


def entry_view(
    entry: EntryRecord,
    listing: ListingRecord,
    now: datetime | None = None,
    pseudonym: str | None = None,
    mileage_per_ticket: int | None = None,
    *,
    passed: bool = False,
) -> EntryView:
    status = entry.status.value
    if entry.status is EntryStatus.PENDING and now is not None and now >= entry.expires_at:
        status = EntryStatus.EXPIRED.value  # the hold lapsed unpaid
    candidate = (
        listing.status is ListingStatus.AWAITING_SECOND_PAYMENT
        and listing.candidate == entry.buyer_id
    )
    final_buyer = listing.final_buyer == entry.buyer_id
    due = listing.candidate_due_at
    shipment = listing.shipment if final_buyer else None
    return EntryView(
        entry_id=entry.entry_id,
        listing_id=entry.listing_id,
        listing_title=listing.title,
        listing_status=listing.status,
        listing_phase=PHASE[listing.status],
        candidate=candidate,
        second_payment=SecondPaymentDue(amount=listing.second_payment_due, due_at=due.isoformat())
        if candidate and due is not None
        else None,
        final_buyer=final_buyer,
        passed=passed,
        shipment=ShipmentInfo(carrier=shipment.carrier, tracking_number=shipment.tracking_number)
        if shipment
        else None,
        tickets=entry.tickets,
        amount=entry.amount,
        currency=entry.currency,
        payment_method=entry.funding.value,
        status=status,
        ticket_ids=entry.ticket_ids,
        created_at=entry.created_at.isoformat(),
        hold_expires_at=entry.expires_at.isoformat(),
        pseudonym=pseudonym,
        mileage_earned=None
        if mileage_per_ticket is None
        else mileage_per_ticket * entry.tickets
        if entry.status is EntryStatus.PAID
        and not final_buyer
        and entry.funding is not Funding.FREE
        else 0,
    )


def my_entries(
    deps: Deps, caller: Caller, cursor: str | None = None, limit: int = 100
) -> EntryList:
    """The caller's entries on up to ``limit`` listings (every entry on each), oldest first
    within the page; pages go by listing, and the cursor is bound to the caller."""
    caller.require(Role.BUYER)
    if not 1 <= limit <= 100:
        raise OutOfRange("limit must be between 1 and 100", field="limit")
    now = deps.clock.now()
    key = pseudonym_key(deps)
    after = cursors.unseal(key, "my-entries", caller.user_id, cursor) if cursor else None
    rows, after = deps.store.buyer_records_of(caller.user_id, limit, after)
    mine = [b for _, b in rows]
    listings = {b.listing_id: deps.store.get_listing(b.listing_id) for b in mine}
    earned = {lid: mileage_per_ticket(deps, lst) for lid, lst in listings.items() if lst}
    views = [
        entry_view(
            e,
            listing,
            now,
            buyer_pseudonym(key, b.listing_id, caller.user_id),
            earned[b.listing_id],
            passed=b.forfeited,
        )
        for b in mine
        if (listing := listings[b.listing_id]) is not None
        for e in b.entries.values()
    ]
    return EntryList(
        entries=sorted(views, key=lambda v: (v.created_at, v.entry_id)),
        next_cursor=cursors.seal(key, "my-entries", caller.user_id, after) if after else None,
    )


def my_mileage(deps: Deps, caller: Caller, currency: str = "KRW") -> MileageView:
    caller.require(Role.BUYER)
    return MileageView(
        currency=currency, balance=deps.store.mileage_balance(caller.user_id, currency)
    )
