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
    profile = deps.store.get_profile(payout.seller_id)
    return PayoutView(
        payout_id=payout.payout_id,
        listing_id=payout.listing_id,
        seller_id=payout.seller_id,
        payout_account=profile.payout_account if profile else None,
        amount=payout.amount,
        currency=payout.currency,
        status="paid" if payout.status == "paid" else "issued",
        issued_at=payout.issued_at.isoformat(),
        paid_at=payout.paid_at.isoformat() if payout.paid_at else None,
    )
