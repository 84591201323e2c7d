"""State machine task: settle, or refund, a listing's outcome."""

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from tombola.adapters.container import deps
from tombola.adapters.observability import logger, metrics, tracer
from tombola.services import settling


class SettleTask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    listing_id: str
    outcome: str
    reason: str


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    task = SettleTask.model_validate(event)
    logger.append_keys(listing_id=task.listing_id)
    metrics.add_metric(name=f"Settle_{task.outcome}", unit=MetricUnit.Count, value=1)
    return settling.settle(deps(), task.listing_id, task.outcome, task.reason)
