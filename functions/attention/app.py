"""The state machine's last catch of every step: the listing goes on the operator's list and the
operator is alerted; the execution then fails (an alarm)."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from tombola.adapters.container import cold_start, deps
from tombola.adapters.observability import logger, metrics, tracer
from tombola.config import Settings
from tombola.services import recovery

settings = cold_start(Settings)


class AttentionTask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: str
    listing_id: str
    execution: str
    error: str
    cause: str = ""


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, object]:
    task = AttentionTask.model_validate(event)
    logger.append_keys(listing_id=task.listing_id)
    metrics.add_metric(name="ListingsNeedingAttention", unit=MetricUnit.Count, value=1)
    return recovery.record_attention(
        deps(), task.listing_id, task.execution, task.error, task.cause
    )
