"""Recovery: the scheduled sweep of stopped executions, and the operator's list of listings
needing attention with a resume (the state machine's last catch is functions/attention)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tombola.adapters.container import cold_start, deps
from tombola.adapters.http import caller, make_resolver
from tombola.adapters.observability import api_handler
from tombola.config import NonEmpty, Settings
from tombola.services import recovery


class RecoverySettings(Settings):
    state_machine_arn: NonEmpty


settings = cold_start(RecoverySettings)

app = make_resolver()


@app.get("/operator/attention")
def attention() -> dict[str, object]:
    return recovery.needing_attention(deps(), caller(app))


@app.post("/listings/<listing_id>/resume")
def resume(listing_id: str) -> dict[str, object]:
    return recovery.operator_resume(deps(), caller(app), listing_id)


@api_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    """The operator's routes, and the scheduled sweep."""
    if event.get("source") == "aws.events":
        return recovery.sweep(deps())
    return app.resolve(event, context)
