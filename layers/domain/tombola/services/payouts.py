"""The operator's payout queue: payouts issued at settlement wait here until the operator has
made the transfer and confirms it; only then does the journal record the payout."""

from __future__ import annotations

from tombola.api.models import PayoutConfirmIn
from tombola.api.views import PayoutList, PayoutView
from tombola.domain.auth import Caller, Role
from tombola.domain.bookings import payout_sent
from tombola.domain.errors import InvalidInput, NotAllowedNow, NotFound, PayoutMismatch
from tombola.domain.money import Money
from tombola.domain.references import PaysFor, Reference
from tombola.services.accounts import account_masked, account_view
from tombola.services.deps import Deps
from tombola.services.notices import alert_operator
from tombola.services.runner import apply, decide_and_apply
from tombola.state.changes import Change
from tombola.state.records import PayoutRecord

DUPLICATE = "duplicate"


def payout_queue(deps: Deps, caller: Caller, status: str = "issued") -> PayoutList:
    """Issued ones waiting for the transfer (oldest first), or the paid history (newest first,
    the latest 100, with their transfer references)."""
    caller.require(Role.OPERATOR)
    if status not in {"issued", "paid"}:
        raise InvalidInput(f"unknown payout status {status!r}", field="status")
    found = deps.store.issued_payouts() if status == "issued" else deps.store.paid_payouts()
    return PayoutList(payouts=[_view(deps, p) for p in found])


def confirm_payout(deps: Deps, caller: Caller, payout_id: str, body: PayoutConfirmIn) -> PayoutView:
    """Recorded as the provider's ``payout.paid`` would be: once, for exactly what was issued."""
    caller.require(Role.OPERATOR)
    payout = deps.store.get_payout(payout_id)
    if payout is None:
        raise NotFound(f"no payout {payout_id!r}")
    if payout.status == "issued":
        payout_paid(
            deps,
            Reference.payout(payout_id),
            Money(payout.amount, payout.currency),
            transfer=body.transfer_reference,
            event_id=f"operator:{payout_id}",
        )
        payout = deps.store.get_payout(payout_id) or payout
    if payout.transfer_reference not in {None, body.transfer_reference}:
        # a second transfer for one payout would pay the seller twice: the operator must look
        raise NotAllowedNow(
            f"payout {payout_id} was recorded as paid by transfer {payout.transfer_reference}",
            field="transfer_reference",
        )
    return _view(deps, payout)


def payout_paid(
    deps: Deps, ref: Reference | None, paid: Money, *, transfer: str, event_id: str
) -> str:
    """A payout made: reported by the provider (``payout.paid``) or confirmed by the operator
    who made the transfer. Recorded once, only for a payout we issued, for exactly its amount
    and currency; anything else is refused and the operator alerted, since it means the
    provider and we disagree on money."""
    payout_id = ref.payout_id if ref is not None and ref.pays_for is PaysFor.PAYOUT else ""
    payout = deps.store.get_payout(payout_id) if payout_id else None
    problem = None
    if payout is None:
        problem = f"no payout {payout_id or transfer!r} was issued"
    elif (paid.amount, paid.currency) != (payout.amount, payout.currency):
        problem = (
            f"payout {payout_id} was issued for {payout.amount} {payout.currency}, "
            f"reported paid as {paid.amount} {paid.currency}"
        )
    if problem is not None or payout is None:
        alert = alert_operator(
            "PayoutMismatch",
            problem or "",
            event_id=event_id,
            transfer=transfer,
            amount=paid.amount,
            currency=paid.currency,
        )
        apply(deps, Change(effects=[alert]))
        raise PayoutMismatch(problem or "", field="data.reference")
    issued = payout

    def decide() -> tuple[Change, str]:
        current = deps.store.get_payout(issued.payout_id)
        if current is None or current.status == "paid":
            return Change(), DUPLICATE  # recorded before (its journal key says so too)
        done = current.model_copy(
            update={"status": "paid", "paid_at": deps.clock.now(), "transfer_reference": transfer}
        )
        change = Change(payouts=[done])
        change.journal.append(
            payout_sent(issued.seller_id, issued.payout_id, paid, issued.listing_id)
        )
        return change, "payout_recorded"

    return decide_and_apply(deps, decide, duplicate=DUPLICATE)


def _view(deps: Deps, payout: PayoutRecord) -> PayoutView:
    """The account the payout was issued to and the profile's account now, with a warning while
    it waits when they differ (the seller changed it since) or the payout predates the
    snapshot."""
    profile = deps.store.get_profile(payout.seller_id)
    now = profile.payout_account if profile else None
    snapshot = payout.payout_account
    warning = None
    waiting = payout.status == "issued"  # once transferred there is nothing left to check
    if waiting and snapshot is None and now is not None:
        warning = (
            "this payout was issued before payouts kept their account: "
            "this is the seller's current payout account"
        )
    elif waiting and snapshot is not None and now != snapshot:
        warning = (
            f"the seller changed their payout account after this payout was issued "
            f"(issued to {account_masked(snapshot)}, the profile says "
            f"{account_masked(now) or 'nothing'} now): confirm with the seller before transferring"
        )
    issued_to = snapshot if snapshot is not None else now
    return PayoutView(
        payout_id=payout.payout_id,
        listing_id=payout.listing_id,
        listing_title=payout.listing_title,
        seller_id=payout.seller_id,
        transfer_reference=payout.transfer_reference,
        # while it waits, the account in full for the transfer; once paid, the history names it
        # by its bank and last 4 digits, and only the one it was issued to (never today's
        # profile as if it had gone there)
        payout_account=account_view(issued_to) if waiting else None,
        payout_account_masked=account_masked(issued_to if waiting else snapshot),
        profile_payout_account=account_view(now) if waiting else None,
        warning=warning,
        amount=payout.amount,
        currency=payout.currency,
        status="paid" if payout.status == "paid" else "issued",
        issued_at=payout.issued_at.isoformat(),
        paid_at=payout.paid_at.isoformat() if payout.paid_at else None,
    )
