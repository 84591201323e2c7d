"""Recovery: the scheduled sweep of stopped executions, and the operator's list of listings
needing attention with a resume (the state machine's last catch is functions/attention)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters import contract
from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, make_resolver
from tombola.adapters.observability import api_handler
from tombola.api_views import AttentionList, ResumeView
from tombola.config import NonEmpty, Settings
from tombola.services import recovery


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


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    """The operator's routes, and the scheduled sweep."""
    if event.get("source") == "aws.events":
        return recovery.sweep(deps())
    return app.resolve(event, context)
