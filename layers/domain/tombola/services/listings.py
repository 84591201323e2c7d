"""Creating listings and reading them: public view, draw data, money statement."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any, cast, get_args

from tombola.api import cursors
from tombola.api.models import ListingIn
from tombola.api.views import (
    ChancesView,
    CheckoutView,
    DeadlinesView,
    DepositView,
    DrawTicket,
    DrawTranscript,
    ListingCreated,
    ListingPage,
    ListingView,
    OutcomeReason,
    PayoutStatus,
    StatementFigures,
    StatementView,
)
from tombola.config import Settings
from tombola.domain import beacon as beacons
from tombola.domain import draw
from tombola.domain.auth import Caller, Role
from tombola.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAllowedNow,
    NotFound,
    OutOfRange,
)
from tombola.domain.lifecycle import PHASE, ListingStatus
from tombola.domain.money import CURRENCIES, Money
from tombola.domain.odds import chances
from tombola.domain.pricing import PriceTerms
from tombola.domain.pseudonyms import buyer_pseudonym, seller_handle
from tombola.domain.quota import entry_partitions, quota_shards, shard_caps
from tombola.domain.references import Reference, payout_id_for
from tombola.domain.statement import Statement, statements
from tombola.ports.payment_provider import Checkout
from tombola.services import play
from tombola.services.accounts import account_ending, account_masked
from tombola.services.deps import Deps
from tombola.services.draw_proofs import beacon_view
from tombola.services.listing_access import (
    load_listing,
    pseudonym_key,
    require_profile,
    require_seller_or_operator,
)
from tombola.services.notices import notify
from tombola.services.request_keys import checked_request_key, derived_id, fingerprint, same_request
from tombola.services.runner import MAX_ATTEMPTS, apply, backoff
from tombola.services.ticket_counts import counted_live, tickets_so_far
from tombola.state.changes import Change, NewQuotaShard
from tombola.state.records import DrawSecret, Durations, ListingRecord
from tombola.state.resume_points import start_life


def create_listing(
    deps: Deps, caller: Caller, body: ListingIn, request_key: str | None = None
) -> ListingCreated:
    """Under an Idempotency-Key the listing id is derived from it, so a retry of a request that
    died after writing finds the listing instead of creating a second one."""
    caller.require(Role.SELLER)
    key = checked_request_key(request_key)
    return deps.requests.once(
        f"POST /listings|{caller.user_id}",
        key,
        body.model_dump(mode="json"),
        lambda: _create_listing(deps, caller, body, key),
        ListingCreated,
    )


def _create_listing(deps: Deps, caller: Caller, body: ListingIn, key: str | None) -> ListingCreated:
    require_profile(deps, caller, payout=True)
    play.may_list(deps, caller.user_id)
    listing_id = derived_id("L", caller.user_id, key) if key else deps.ids.new("L")
    if key is not None:
        existing = deps.store.get_listing(listing_id)
        if existing is not None:
            same_request(existing.request_fingerprint, body)
            return _created(deps, existing)
    s = deps.settings
    now = deps.clock.now()
    closes_at = body.closes_at.astimezone(UTC)
    if closes_at <= now:
        raise OutOfRange("closes_at must be in the future", field="closes_at")
    if closes_at > now + timedelta(days=s.max_open_days):
        raise OutOfRange(
            f"closes_at may be at most {s.max_open_days} days ahead",
            field="closes_at",
            limits={"max_days": s.max_open_days},
        )
    durations = _durations(s, body)
    price = Money(body.price, body.currency)
    policy = s.currency_policy(body.currency)  # the fee and deposit in this currency's units
    if policy is None:
        raise OutOfRange(
            f"listings in {body.currency} are not offered: the operator has set no fee and "
            f"deposit in {body.currency}",
            field="currency",
        )
    fee = policy.fee
    if body.expected_entrants is not None:
        terms = PriceTerms.from_expected_entrants(price, body.expected_entrants, fee)
    else:
        assert body.first_payment is not None
        terms = PriceTerms.from_first_payment(price, Money(body.first_payment, body.currency), fee)
    deposit = policy.deposit.deposit_for(price)
    seed = draw.new_seed(deps.randomness)
    shards = quota_shards(terms.expected_entrants)
    listing = ListingRecord(
        quota_shards=shards,
        entry_partitions=entry_partitions(terms.expected_entrants),
        listing_id=listing_id,
        seller_id=caller.user_id,
        title=body.title,
        description=body.description,
        currency=body.currency,
        price=terms.price.amount,
        expected_entrants=terms.expected_entrants,
        first_payment=terms.first_payment.amount,
        fee=terms.fee.amount,
        deposit=deposit.amount,
        surplus_policy=body.surplus_policy or s.surplus_policy_default,
        mileage_bps=s.mileage_bps,
        ticket_limit=body.ticket_limit or s.ticket_limit_default,
        close_when_full=body.close_when_full,
        closes_at=closes_at,
        deposit_due_at=min(closes_at, now + timedelta(seconds=s.deposit_expiry_seconds)),
        hold_seconds=s.hold_seconds,
        durations=durations,
        status=ListingStatus.AWAITING_DEPOSIT,
        created_at=now,
        commitment=draw.commitment(seed),
        request_fingerprint=fingerprint(body) if key else None,
        **_beacon_plan(deps, closes_at),
    )
    change = Change(
        listing=listing,
        new_listing=True,
        secrets=[DrawSecret(listing_id=listing_id, seed=seed.hex())],
        new_quota=[
            NewQuotaShard(listing_id, k, cap if body.close_when_full else None)
            for k, cap in enumerate(shard_caps(terms.expected_entrants, shards))
        ],
    )
    if deposit.amount == 0:
        listing.status = ListingStatus.OPEN
        listing.deposit_payment_id = "none"
        change.effects.append(notify("ListingOpened", listing, [caller.user_id]))
        change.effects.append(start_life(listing, now))
    for attempt in range(MAX_ATTEMPTS):
        try:
            apply(deps, change)
            break
        except Conflict:  # cancelled under load, or the same request running concurrently
            backoff(attempt)
            existing = deps.store.get_listing(listing_id) if key else None
            if existing is not None:
                same_request(existing.request_fingerprint, body)
                listing = existing
                break
    else:
        raise Conflict("could not save the listing; try again")
    return _created(deps, listing)


def deposit_checkout(deps: Deps, caller: Caller, listing_id: str) -> DepositView:
    """The deposit's checkout again (the same one: one per listing), while it is unpaid."""
    caller.require(Role.SELLER)
    listing = load_listing(deps, listing_id)
    if listing.seller_id != caller.user_id:
        raise Forbidden("only the listing's seller pays its deposit")
    if listing.status is not ListingStatus.AWAITING_DEPOSIT:
        raise NotAllowedNow("the deposit is not due", field="id")
    return _created(deps, listing).deposit


def _created(deps: Deps, listing: ListingRecord) -> ListingCreated:
    """The listing and its deposit checkout (the provider's checkout for a reference is one)."""
    checkout = None
    if listing.deposit > 0:
        checkout = deps.payments.create_checkout(
            reference=str(Reference.deposit(listing.listing_id)),
            payer_id=listing.seller_id,
            amount=listing.money(listing.deposit),
            expires_at=listing.due_at,
        )
    return ListingCreated(
        listing=public_view(deps, listing),
        deposit=DepositView(
            amount=listing.deposit,
            currency=listing.currency,
            checkout=checkout_view(checkout) if checkout else None,
        ),
    )


def _durations(s: Settings, body: ListingIn) -> Durations:
    """The seller's deadlines, each within the operator's bounds; the operator's where unset."""
    chosen = body.deadlines.model_dump()
    for name, seconds in chosen.items():
        if seconds is None:
            continue
        low, high = s.deadline_bounds.get(name, (1, 10**9))
        if not low <= seconds <= high:
            raise OutOfRange(
                f"deadlines.{name} must be between {low} and {high} seconds",
                field=f"deadlines.{name}",
                limits={"min": low, "max": high},
            )
    return Durations(
        second_payment=chosen["second_payment"] or s.second_payment_seconds,
        ship=chosen["ship"] or s.ship_seconds,
        delivery=chosen["delivery"] or s.delivery_seconds,
        confirm=chosen["confirm"] or s.confirm_seconds,
        resolution=chosen["resolution"] or s.resolution_seconds,
    )


def checkout_view(checkout: Checkout) -> CheckoutView:
    return CheckoutView(
        checkout_id=checkout.checkout_id,
        amount=checkout.amount.amount,
        currency=checkout.amount.currency,
        url=checkout.url,
        expires_at=checkout.expires_at.isoformat(),
    )


def photo_urls(deps: Deps, keys: list[str]) -> list[str]:
    """Where photos are served, by their keys (the listing's, a dispute's): the photo storage's
    URLs; relative to the web client's origin, which serves /photos/* too, in a function
    without the storage."""
    if deps.photos is None:
        return [f"/{key}" for key in keys]
    return [deps.photos.url(key) for key in keys]


def public_view(
    deps: Deps, listing: ListingRecord, completed_sales: int | None = None
) -> ListingView:
    """``completed_sales``: the seller's count when the caller read it already (a page reads
    all its sellers' at once)."""
    terms = listing.terms
    if completed_sales is None:
        completed_sales = deps.store.completed_sales([listing.seller_id])[listing.seller_id]
    now = deps.clock.now()
    left = max(int((listing.closes_at - now).total_seconds()), 0)
    paid, free = tickets_so_far(deps, listing)
    return ListingView(
        listing_id=listing.listing_id,
        title=listing.title,
        description=listing.description,
        seller=seller_handle(pseudonym_key(deps), listing.seller_id),
        status=listing.status,
        phase=PHASE[listing.status],
        currency=listing.currency,
        currency_minor_units=CURRENCIES.get(listing.currency, 0),
        price=listing.price,
        expected_entrants=listing.expected_entrants,
        first_payment=listing.first_payment,
        fee=listing.fee,
        deposit=listing.deposit,
        ticket_limit=listing.ticket_limit,
        close_when_full=listing.close_when_full,
        surplus_policy=listing.surplus_policy,
        closes_at=listing.closes_at.isoformat(),
        deposit_due_at=(
            listing.due_at.isoformat() if listing.status is ListingStatus.AWAITING_DEPOSIT else None
        ),
        seconds_left=left if listing.status is ListingStatus.OPEN else 0,
        paid_tickets=paid,
        free_tickets=free,
        one_ticket_chances=ChancesView(
            **asdict(
                chances(mine=0, adding=1, paid=paid, free=free, expected=listing.expected_entrants)
            )
        ),
        second_payment_if_drawn_now=terms.second_payment(paid).amount,
        worst_case_one_ticket=terms.worst_case(paid, 1).amount,
        draw_commitment=listing.commitment,
        draw_version=listing.draw_version,
        beacon=beacon_view(listing),
        deadlines=DeadlinesView(**listing.durations.model_dump()),
        photos=photo_urls(deps, listing.photos),
        seller_completed_sales=completed_sales,
    )


def published(listing: ListingRecord) -> bool:
    """A listing is shown only once its deposit is paid [claim 1]."""
    return listing.deposit_payment_id is not None


# Quota shards a page of listings may read for the live paid-ticket counts (docs/DATA_MODEL.md,
# pattern 3): a page stops early rather than read more, its cursor going on from there.
SHARD_READS_PER_PAGE = 320


def _page(
    deps: Deps,
    rows: Sequence[tuple[str, ListingRecord]],
    after: str | None,
    shown: Callable[[ListingRecord], bool] = lambda _: True,
) -> tuple[list[ListingView], str | None]:
    """The views of a page of listings, as many as SHARD_READS_PER_PAGE quota shard reads allow
    (always at least one), and the store's position where the next page starts."""
    views: list[ListingView] = []
    spent = 0
    sales = deps.store.completed_sales([listing.seller_id for _, listing in rows if shown(listing)])
    for n, (_, listing) in enumerate(rows):
        if not shown(listing):
            continue
        cost = listing.quota_shards if counted_live(listing) else 0
        if views and spent + cost > SHARD_READS_PER_PAGE:
            return views, rows[n - 1][0]  # the page ends with the row before: go on from there
        spent += cost
        views.append(public_view(deps, listing, sales[listing.seller_id]))
    return views, after


def list_public(
    deps: Deps, status: str | None, cursor: str | None = None, limit: int = 50
) -> ListingPage:
    """One page of one status (open unless asked), closing soonest first. The cursor is sealed
    and bound to the status, so it can be neither read, forged nor used for another status."""
    status = status or ListingStatus.OPEN.value
    if status not in {s.value for s in ListingStatus}:
        raise InvalidInput(f"unknown status {status!r}", field="status")
    if not 1 <= limit <= 100:
        raise OutOfRange("limit must be between 1 and 100", field="limit")
    key = pseudonym_key(deps)
    after = cursors.unseal(key, "listings", status, cursor) if cursor else None
    rows, after = deps.store.list_listings(status, limit, after)
    views, after = _page(deps, rows, after, published)
    return ListingPage(
        listings=views,
        next_cursor=cursors.seal(key, "listings", status, after) if after else None,
    )


def mine(deps: Deps, caller: Caller, cursor: str | None = None, limit: int = 100) -> ListingPage:
    """The seller's own listings, in any status (one awaiting its deposit too), newest first, a
    page at a time (the cursor is bound to the seller)."""
    caller.require(Role.SELLER)
    if not 1 <= limit <= 100:
        raise OutOfRange("limit must be between 1 and 100", field="limit")
    key = pseudonym_key(deps)
    after = cursors.unseal(key, "my-listings", caller.user_id, cursor) if cursor else None
    rows, after = deps.store.listings_of_seller(caller.user_id, limit, after)
    views, after = _page(deps, rows, after)
    return ListingPage(
        listings=views,
        next_cursor=cursors.seal(key, "my-listings", caller.user_id, after) if after else None,
    )


def load_published(deps: Deps, listing_id: str) -> ListingRecord:
    listing = load_listing(deps, listing_id)
    if not published(listing):
        raise NotFound(f"no listing {listing_id!r}")
    return listing


def _beacon_plan(deps: Deps, closes_at: datetime) -> dict[str, Any]:
    """draw-v2: the beacon round fixed at publish, and the chain that will sign it."""
    if deps.beacon is None:
        raise RuntimeError("the draw's randomness beacon is not wired (adapters/container.py)")
    chain = deps.beacon.chain()
    margin = beacons.margin_for(chain, deps.settings.beacon_margin_seconds)
    return {
        "draw_version": draw.DRAW_V2,
        "beacon_chain": chain.as_dict(),
        "beacon_margin": margin,
        "beacon_planned": beacons.planned_round(chain, closes_at, margin),
    }


def get_public(deps: Deps, listing_id: str) -> ListingView:
    return public_view(deps, load_published(deps, listing_id))


def draw_view(deps: Deps, listing_id: str, page: int = 0) -> DrawTranscript:
    """The public transcript; tickets come DRAW_CHUNK per page (``next_page`` until null)."""
    if page < 0:
        raise InvalidInput("page must be 0 or more", field="page")
    listing = load_published(deps, listing_id)
    key = pseudonym_key(deps)
    tickets: list[DrawTicket] = []
    more = False
    if listing.entries_digest is not None:
        chunk, more = deps.store.draw_tickets(listing_id, page)
        tickets = [
            DrawTicket(ticket_id=t, buyer=buyer_pseudonym(key, listing_id, b)) for t, b in chunk
        ]
    drawn = deps.store.draw_order(listing_id, 0, listing.drawn_count)
    return DrawTranscript(
        listing_id=listing_id,
        version=listing.draw_version,
        commitment=listing.commitment,
        entries_digest=listing.entries_digest,
        ticket_count=(listing.entries_count or listing.paid_tickets)
        if listing.entries_digest
        else 0,
        tickets=tickets,
        page=page,
        next_page=page + 1 if more else None,
        seed=listing.seed,
        order=[buyer_pseudonym(key, listing_id, b) for b in drawn],
        entries_root=listing.entries_root,
        closes_at=listing.closes_at.isoformat(),
        closed_at=listing.closed_at.isoformat() if listing.closed_at else None,
        sealed_at=listing.sealed_at.isoformat() if listing.sealed_at else None,
        beacon=beacon_view(listing),
    )


OUTCOME_REASONS = frozenset(get_args(OutcomeReason))


def outcome_reason(listing: ListingRecord) -> OutcomeReason | None:
    """Why the listing ended as it did (services/settling.py, closing.py), once it has: an
    exhausted order that never had a ticket is told apart as nobody having entered."""
    reason = listing.outcome_reason
    if reason == "order_exhausted" and listing.paid_tickets == 0:
        return "no_entries"
    return cast(OutcomeReason, reason) if reason in OUTCOME_REASONS else None


def statement_view(deps: Deps, caller: Caller, listing_id: str) -> StatementView:
    listing = load_listing(deps, listing_id)
    require_seller_or_operator(caller, listing, "statement")
    st, others = statements(listing_id, listing.currency, deps.store.journal_of_listing(listing_id))
    payout = deps.store.get_payout(payout_id_for(listing_id))
    return StatementView(
        **_figures(st).model_dump(),
        status=listing.status,
        outcome_reason=outcome_reason(listing),
        payout=PayoutStatus(
            amount=payout.amount,
            currency=payout.currency,
            status="paid" if payout.status == "paid" else "issued",
            issued_at=payout.issued_at.isoformat(),
            paid_at=payout.paid_at.isoformat() if payout.paid_at else None,
            reference=payout.transfer_reference,
            account_ending=account_ending(payout.payout_account),
            account=account_masked(payout.payout_account),
        )
        if payout
        else None,
        other_currencies={c: _figures(o) for c, o in others.items()},
    )


def _figures(st: Statement) -> StatementFigures:
    return StatementFigures(
        listing_id=st.listing_id,
        currency=st.currency,
        paid_in=dict(st.paid_in),
        paid_out=dict(st.paid_out),
        total_in=st.total_in,
        total_out=st.total_out,
        held_in_escrow=st.held_in_escrow,
        balanced=st.balanced,
    )
