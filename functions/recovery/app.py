"""Recovery: the scheduled sweep of stopped executions, and the operator's list of listings
needing attention with a resume (the state machine's last catch is functions/attention), and
the payout queue the operator confirms."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters import contract
from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, make_resolver
from tombola.adapters.observability import api_handler
from tombola.api_models import PayoutConfirmIn
from tombola.api_views import AttentionList, PayoutList, PayoutView, ResumeView
from tombola.config import NonEmpty, Settings
from tombola.services import payouts, recovery


class RecoverySettings(Settings):
    state_machine_arn: NonEmpty


settings = cold_start(RecoverySettings)

app = make_resolver()


@app.get("/operator/attention", **contract.get(summary="Listings stopped with money held"))
def attention() -> AttentionList:
    return recovery.needing_attention(deps(), caller(app))


@app.post(
    "/listings/<listing_id>/resume",
    **contract.post(404, 409, summary="Resume a stopped listing at its last safe step"),
)
def resume(listing_id: str) -> ResumeView:
    return recovery.operator_resume(deps(), caller(app), listing_id)


@app.get("/operator/payouts", **contract.get(summary="Payouts waiting for the operator's transfer"))
def payout_queue() -> PayoutList:
    return payouts.payout_queue(deps(), caller(app))


@app.post(
    "/operator/payouts/<payout_id>/paid",
    **contract.post(404, 422, summary="The operator made the transfer: the payout is recorded"),
)
def payout_paid(payout_id: str, body: PayoutConfirmIn) -> PayoutView:
    return payouts.confirm_payout(deps(), caller(app), payout_id, body)


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    """The operator's routes, and the scheduled sweep."""
    if event.get("source") == "aws.events":
        return recovery.sweep(deps())
    return app.resolve(event, context)
