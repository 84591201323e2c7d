"""The operator's payout queue: payouts issued at settlement wait here until the operator has
made the transfer and confirms it; only then does the journal record the payout."""

from __future__ import annotations

from tombola.api_models import PaymentData, PaymentEventIn, PayoutConfirmIn
from tombola.api_views import PayoutList, PayoutView
from tombola.auth import Caller, Role
from tombola.errors import NotFound
from tombola.records import PayoutRecord
from tombola.services.payments import handle_payment_event
from tombola.services.ports import Deps


def payout_queue(deps: Deps, caller: Caller) -> PayoutList:
    caller.require(Role.OPERATOR)
    return PayoutList(payouts=[_view(deps, p) for p in deps.store.issued_payouts()])


def confirm_payout(deps: Deps, caller: Caller, payout_id: str, body: PayoutConfirmIn) -> PayoutView:
    """Recorded as the provider's ``payout.paid`` would be: once, for exactly what was issued."""
    caller.require(Role.OPERATOR)
    payout = deps.store.get_payout(payout_id)
    if payout is None:
        raise NotFound(f"no payout {payout_id!r}")
    if payout.status == "issued":
        handle_payment_event(
            deps,
            PaymentEventIn(
                id=f"operator:{payout_id}",
                type="payout.paid",
                created=int(deps.clock.now().timestamp()),
                data=PaymentData(
                    payment_id=body.transfer_reference,
                    reference=f"payout:{payout_id}",
                    amount=payout.amount,
                    currency=payout.currency,
                ),
            ),
        )
        payout = deps.store.get_payout(payout_id) or payout
    return _view(deps, payout)


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
            f"(issued to {snapshot}, the profile says {now or 'nothing'} now): "
            "confirm with the seller before transferring"
        )
    return PayoutView(
        payout_id=payout.payout_id,
        listing_id=payout.listing_id,
        seller_id=payout.seller_id,
        payout_account=snapshot if snapshot is not None else now,
        profile_payout_account=now,
        warning=warning,
        amount=payout.amount,
        currency=payout.currency,
        status="paid" if payout.status == "paid" else "issued",
        issued_at=payout.issued_at.isoformat(),
        paid_at=payout.paid_at.isoformat() if payout.paid_at else None,
    )
